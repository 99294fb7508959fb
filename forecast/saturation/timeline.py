"""Timelines from posterior draws: the frontier at future dates, threshold probabilities and
crossing dates.

For draw ``i`` with curve ``mu_i(t)`` (see `forecast.saturation.model`) and noise scale ``sigma_i``, the
record-setting score at time ``t >= t0`` (the as-of date) deviates from the curve on the logit
scale by ``eps_i(t)``, an Ornstein-Uhlenbeck process that starts from the deviation observed
now and forgets it with time scale ``tau``::

    eps_i(t0) = logit(F_now) - logit(mu_i(t0))
    eps_i(t)  = r(t) eps_i(t0) + sqrt(1 - r(t)^2) sigma_i z_i,    r(t) = exp(-(t - t0) / tau)

(one ``z_i ~ Normal(0, 1)`` per draw: the deviation a path settles into). The frontier is the
running maximum::

    F_i(t) = max(F_now, max_{t0 <= s <= t} sigmoid(logit(mu_i(s)) + eps_i(s)))

It never falls, starts at the observed frontier, follows the curve's shape from where the
benchmark stands today, and approaches the ceiling ``c_i`` (shifted by the settled
deviation). Crossing dates are read off a weekly grid. With nothing observed, the deviation
is stationary (``r = 0``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from forecast.activity import Activity
from forecast.saturation.model import curve_np
from forecast.series import EPS

#: Years for the deviation of the frontier from the curve seen today to fade (see above).
TAU = 2.0
#: Resolution of crossing dates, years (one week).
GRID_STEP = 7 / 365.25


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass(frozen=True)
class Paths:
    """Posterior draws of a benchmark's frontier curve (all on the normalised scale)."""

    curve: str
    k: np.ndarray = field(repr=False)  # growth rate per year
    t_mid: np.ndarray = field(repr=False)  # midpoint, years since 2020
    c: np.ndarray = field(repr=False)  # ceiling in (0, 1]
    sigma: np.ndarray = field(repr=False)  # logit-scale noise
    g: np.ndarray = field(repr=False)  # calendar-time acceleration of the rate, per year
    z: np.ndarray = field(repr=False)  # the standard normal each path settles into
    t0: float = 0.0  # as-of, years since 2020
    f_now: float = 0.0  # observed frontier at t0 (normalised; 0 when nothing is known)
    tau: float = 1.0  # years for the present deviation to fade
    is_observed: bool = True  # False: nothing known yet, the deviation is stationary
    t_active: np.ndarray | None = field(default=None, repr=False)  # first new result, per draw

    def with_activity(self, activity: Activity, staleness: float, rng: np.random.Generator) -> Paths:
        """These paths, each frozen at today's frontier until its first new result arrives
        (see `forecast.activity`)."""
        if not self.is_observed:
            return self
        wait = activity.first_result_after(staleness, rng.uniform(size=self.n))
        return replace(self, t_active=self.t0 + wait)

    @classmethod
    def from_theta(cls, curve: str, theta: np.ndarray, released: float, t0: float, f_now: float,
                   rng: np.random.Generator, *, tau: float = TAU, is_observed: bool = True) -> Paths:
        """Draws of ``theta = (log_rate, delay, logit_gap, log_sigma[, g_acc])``, shape (n, 4 or 5)."""
        return cls(
            curve=curve,
            k=np.exp(theta[:, 0]),
            t_mid=released + theta[:, 1],
            c=1.0 / (1.0 + np.exp(theta[:, 2])),
            sigma=np.exp(theta[:, 3]),
            g=theta[:, 4] if theta.shape[1] > 4 else np.zeros(theta.shape[0]),
            z=rng.standard_normal(theta.shape[0]),
            t0=t0,
            f_now=f_now,
            tau=tau,
            is_observed=is_observed,
        )

    @property
    def n(self) -> int:
        return int(self.k.size)

    def curve_at(self, t: np.ndarray) -> np.ndarray:
        """The fitted curve (no deviation), shape (n, len(t)); for drawing the past."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        return curve_np(self.curve, t[None, :], self.k[:, None], self.t_mid[:, None], self.c[:, None],
                        self.g[:, None])

    def _records(self, t: np.ndarray) -> np.ndarray:
        """Record-setting level sigmoid(logit(mu) + eps) at times t >= t0, shape (n, len(t))."""
        lm = _logit(self.curve_at(t))
        if self.is_observed:
            eps0 = _logit(np.clip(self.f_now, EPS, 1 - EPS)) - _logit(self.curve_at(np.array([self.t0])))
            r = np.exp(-(np.maximum(t, self.t0) - self.t0) / self.tau)[None, :]
        else:
            eps0, r = 0.0, np.zeros((1, t.size))
        eps = r * eps0 + np.sqrt(1.0 - r**2) * (self.sigma * self.z)[:, None]
        return _sigmoid(lm + eps)

    def _grid(self, until: float) -> np.ndarray:
        n = int(np.ceil(max(until - self.t0, 0.0) / GRID_STEP)) + 1
        return self.t0 + GRID_STEP * np.arange(n + 1)

    def frontier_at(self, t: np.ndarray) -> np.ndarray:
        """Frontier draws at times ``t >= t0``, shape (n, len(t))."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        grid = np.union1d(self._grid(float(t.max())), t)
        run = np.maximum.accumulate(np.maximum(self.f_now, self._records(grid)), axis=1)
        out = run[:, np.searchsorted(grid, t)]
        if self.t_active is not None:
            out = np.where(t[None, :] >= self.t_active[:, None], out, self.f_now)
        return out

    def crossing_times(self, level: float, until: float | None = None) -> np.ndarray:
        """First time each draw's frontier reaches `level` (normalised); inf if not by `until`
        (default t0 + 10 years)."""
        if self.f_now >= level:
            return np.full(self.n, self.t0)
        grid = self._grid(self.t0 + 10.0 if until is None else until)
        hit = self._records(grid) >= level
        first = np.argmax(hit, axis=1)
        times = np.where(hit.any(axis=1), grid[first], np.inf)
        if self.t_active is not None:
            times = np.maximum(times, self.t_active)
            times = np.where(times <= grid[-1], times, np.inf)
        return times

    def probability_by(self, level: float, t: float) -> float:
        """P(frontier >= level at or before time t)."""
        if self.f_now >= level:
            return 1.0
        return float(np.mean(self.frontier_at(np.array([t]))[:, 0] >= level))
