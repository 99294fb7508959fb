"""The frontier capability over time: a trend that may bend, and paths into the future.

For each posterior draw of the capabilities, the frontier's *records* are the models that beat
every earlier model. Their capability ``F`` against time ``t`` (years) is fitted by a broken
line with its break ``k`` a fixed span (`RECENT_YEARS`) before the as-of date:

    F = b0 + b1 (t - k) + b2 max(t - k, 0) + e,     e ~ Normal(0, s)

so the earlier slope is ``b1`` and the recent one ``b1 + b2``; their ratio is the acceleration.
When fewer than two records precede the break (early cut-offs), it moves later, between the
second and third records.
Coefficients are drawn from their conjugate posterior (flat prior: ``beta ~ Normal(beta_hat,
s^2 (X'X)^-1)``, ``s^2 ~ scaled inverse chi-square``), once per capability draw, so the
interval holds both the index's and the trend's uncertainty.

Future paths start at today's record holder's capability (in each draw) and continue the
recent slope, with a slope that wanders: an integrated random walk
with innovation scale ``tau = |b2| / sqrt(gap)`` per sqrt-year, where ``gap`` is the time between
the two segments' midpoints, i.e. the slope may change as fast again as it did between them.
The level's spread then grows like ``h^1.5`` with the horizon ``h`` on top of the slope's
``h``: a trend that already sped up once is not assumed to be done. A path is a running maximum
and never below today's record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from forecast.errors import NotEnoughData
from forecast.series import to_years

#: Length of the recent segment, years before the as-of date.
RECENT_YEARS = 2.0
#: The trend is fitted to records of the last two segments only (earlier eras moved differently).
WINDOW_YEARS = 2 * RECENT_YEARS
#: A model must be scored on this many benchmark series to be a frontier record.
MIN_ITEMS = 2
#: How far ahead paths are simulated, years.
HORIZON_YEARS = 10.0
#: Draws of the capability posterior used for the trend.
TREND_DRAWS = 400


def records(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Indices of the record-setting entries (each beats all earlier ones), in time order."""
    order = np.lexsort((-values, times))
    best, keep = -np.inf, []
    for j in order:
        if values[j] > best:
            keep.append(j)
            best = values[j]
    return np.array(keep, dtype=int)


@dataclass(frozen=True)
class FrontierTrend:
    """Draws of the frontier trend on the latent capability scale.

    ``beta`` (S, 3) are ``b0, b1, b2``; ``s`` the record scatter; ``tau`` the slope-walk scale;
    ``now`` today's record (per draw); ``k`` the break and ``t_now`` the as-of date, in years.
    """

    beta: np.ndarray = field(repr=False)
    s: np.ndarray = field(repr=False)
    tau: np.ndarray = field(repr=False)
    now: np.ndarray = field(repr=False)
    k: float = 0.0
    t_now: float = 0.0
    n_records: int = 0
    start: float = 0.0  # first time of the earlier segment, years

    @property
    def slope_early(self) -> np.ndarray:
        return self.beta[:, 1]

    @property
    def slope_recent(self) -> np.ndarray:
        return self.beta[:, 1] + self.beta[:, 2]

    @property
    def ratio(self) -> np.ndarray:
        """Recent slope over earlier slope, per draw."""
        return self.slope_recent / self.slope_early

    def level(self, t: np.ndarray | float) -> np.ndarray:
        """Trend value (S, len(t)) at times `t` in years, without noise."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        b = self.beta
        return b[:, :1] + b[:, 1:2] * (t - self.k) + b[:, 2:3] * np.maximum(t - self.k, 0.0)

    def paths(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """`n` paths of the frontier capability on a monthly grid of `HORIZON_YEARS` from the
        as-of date: (grid in years, values (n, grid)). Running maxima, never below today's
        record. All randomness is drawn here, whatever dates are asked later."""
        grid = self.t_now + np.arange(0, HORIZON_YEARS * 12 + 1) / 12.0
        j = rng.integers(0, self.beta.shape[0], size=n)
        z = rng.standard_normal((2, n, grid.size))
        slope, tau, base = self.slope_recent[j], self.tau[j], self.now[j]
        dt = 1.0 / 12.0
        walk = np.zeros(n)
        level = np.zeros(n)
        out = np.empty((n, grid.size))
        for c in range(grid.size):
            if c:
                level = level + walk * dt + tau * dt**1.5 * (z[0, :, c] / 2 + z[1, :, c] / (2 * np.sqrt(3)))
                walk = walk + tau * np.sqrt(dt) * z[0, :, c]
            out[:, c] = base + slope * (grid[c] - self.t_now) + level
        return grid, np.maximum.accumulate(np.maximum(out, base[:, None]), axis=1)

    def sample(self, t: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """`n` paths at times `t` (years, any order; clamped to the grid). Shape (n, len(t))."""
        grid, values = self.paths(n, rng)
        t = np.asarray(t, dtype=float)
        out = interpolate(grid, values, t)
        order = np.argsort(t, kind="stable")
        out[:, order] = np.maximum.accumulate(out[:, order], axis=1)  # exact, despite rounding
        return out


def interpolate(grid: np.ndarray, values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Linear interpolation of each row of `values` (on `grid`) at `t`, clamped to the grid."""
    tc = np.clip(t, grid[0], grid[-1])
    hi = np.clip(np.searchsorted(grid, tc), 1, grid.size - 1)
    w = (tc - grid[hi - 1]) / (grid[hi] - grid[hi - 1])
    return values[:, hi - 1] * (1 - w) + values[:, hi] * w


def _break(times: np.ndarray, k: float) -> float:
    """The break `k`, moved later when fewer than two records precede it (early cut-offs have
    one record before the usual break) so that each segment holds two, if four exist."""
    t = np.sort(times)
    if (t < k).sum() >= 2 or t.size < 4:
        return k
    return float((t[1] + t[2]) / 2)


def fit_frontier(C: np.ndarray, model_dates: np.ndarray, as_of: date, *, n_items: np.ndarray | None = None,
                 seed: int = 0, draws: int = TREND_DRAWS) -> FrontierTrend:
    """The broken-line trend of the record capabilities, over `draws` capability draws.

    Parameters
    ----------
    C
        Capability draws (S, models) on the latent scale.
    model_dates
        Release dates of the models, years since 2020.
    as_of
        The date the fit stands at; the break is `RECENT_YEARS` before it.
    n_items
        Benchmark series per model; models on fewer than `MIN_ITEMS` cannot be records.

    The records are chosen once, on the posterior mean (a maximum over noisy draws would pick
    the luckiest draw and bias the frontier up); their values vary with the draws.

    Raises
    ------
    NotEnoughData
        when either segment has fewer than two records.
    """
    rng = np.random.default_rng(seed)
    t_now = to_years(as_of)
    k = t_now - RECENT_YEARS
    eligible = np.ones(C.shape[1], bool) if n_items is None else n_items >= MIN_ITEMS
    cand = np.flatnonzero(eligible)
    rec = cand[records(model_dates[cand], C[:, cand].mean(0))]
    now_idx = rec
    k = _break(model_dates[rec], k)
    early = rec[model_dates[rec] < k]
    # the earlier segment reaches back WINDOW_YEARS, or further to hold two records
    start = min(t_now - WINDOW_YEARS, model_dates[early[-2]]) if early.size >= 2 else t_now - WINDOW_YEARS
    rec = rec[model_dates[rec] >= start]
    t = model_dates[rec]
    if (t < k).sum() < 2 or (t >= k).sum() < 2:
        raise NotEnoughData(
            f"the frontier trend needs two record models in each of the two {RECENT_YEARS:g}-year"
            f" segments before {as_of}; it has {(t < k).sum()} and {(t >= k).sum()}"
        )
    x = np.column_stack([np.ones_like(t), t - k, np.maximum(t - k, 0.0)])
    xtx_inv = np.linalg.inv(x.T @ x)
    dof = max(len(t) - 3, 1)
    gap = (k + t_now) / 2 - (t[t < k].min() + k) / 2
    pick = rng.choice(C.shape[0], size=min(draws, C.shape[0]), replace=False)
    beta, s, tau, now = [], [], [], []
    for d in pick:
        f = C[d, rec]
        b_hat = xtx_inv @ x.T @ f
        s2 = float(np.sum((f - x @ b_hat) ** 2)) / dof
        s2_draw = dof * s2 / rng.chisquare(dof)
        b = rng.multivariate_normal(b_hat, s2_draw * xtx_inv)
        beta.append(b)
        s.append(np.sqrt(s2_draw))
        tau.append(abs(b[2]) / np.sqrt(gap))
        now.append(C[d, now_idx[-1]])  # today's record holder (a max over draws would be biased up)
    return FrontierTrend(np.array(beta), np.array(s), np.array(tau), np.array(now), k, t_now, len(rec), float(start))
