"""An uncertain ceiling: how far below a perfect score benchmarks stop (label noise, ambiguous
items), learned from the training benchmarks' plateaus.

A benchmark's normalised ceiling is ``c = 1 - d`` with the headroom d log-normal::

    log d ~ Normal(mu, s^2)

A training benchmark known at the cut-off T with best (normalised) score M has *plateaued*
when its record is at least `MIN_LEVEL`, is `PLATEAU_YEARS` old at its last result, and
`MIN_TRIES` results arrived after it without beating it: people kept trying and the record
stood, so ``d = 1 - M`` is observed. Any other benchmark only says ``d < 1 - M`` (its ceiling
is above its record: a censored observation). ``(mu, s)`` maximise the censored likelihood
plus a weak prior (`PRIOR_MU`, `PRIOR_LOG_S`), so a cut-off with few plateaus falls back on it.

For a benchmark at frontier F the ceiling is drawn from ``c | c > F`` (the truncated
headroom ``d < 1 - F``); the members then work on the share of the way to it,
``z = logit(F / c)`` (`forecast.reference.member`, `forecast.reference.trend`), so no path
passes its ceiling and a benchmark at 94% moves by what is left of its own headroom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from forecast.series import EPS

#: A plateau: a record of at least this level ...
MIN_LEVEL = 0.7
#: ... standing for this many years up to the benchmark's last result ...
PLATEAU_YEARS = 0.75
#: ... against at least this many later results.
MIN_TRIES = 3
#: Weak prior of (mu, log s): a median headroom of 5% (label-error rates of a few percent,
#: Northcutt et al. 2021, "Pervasive label errors in test sets"), spread over a factor ~e.
PRIOR_MU = (np.log(0.05), 1.0)
PRIOR_LOG_S = (np.log(0.8), 0.5)
#: Smallest headroom drawn (a benchmark at its ceiling keeps a sliver of room for the logit).
MIN_D = 1e-3


@dataclass(frozen=True)
class Ceiling:
    """The fitted headroom distribution (``log d ~ Normal(mu, s^2)``) and what it was fitted on."""

    mu: float
    s: float
    n_plateaus: int = 0
    n_censored: int = 0

    def _bound(self, level: np.ndarray) -> np.ndarray:
        d_max = np.maximum(1.0 - np.asarray(level, dtype=float), MIN_D)
        return stats.norm.cdf((np.log(d_max) - self.mu) / self.s)

    def draw(self, level: float, u: np.ndarray) -> np.ndarray:
        """Ceilings above `level` for uniforms `u` (inverse CDF of ``c | c > level``)."""
        p = np.clip(np.asarray(u, dtype=float) * self._bound(level), 1e-12, 1 - 1e-12)
        d = np.exp(self.mu + self.s * stats.norm.ppf(p))
        return 1.0 - np.clip(d, MIN_D, 1.0)

    def point(self, level: float) -> float:
        """The conditional mean ceiling given a record `level` (used for training histories)."""
        u = (np.arange(64) + 0.5) / 64
        return float(np.mean(self.draw(level, u)))

    def share(self, y: np.ndarray, c: np.ndarray | float) -> np.ndarray:
        """``y / c`` clipped into [EPS, 1 - EPS] (the scale the members' logits work on)."""
        return np.clip(np.asarray(y, dtype=float) / c, EPS, 1 - EPS)

    def as_dict(self) -> dict:
        return {"mu": round(self.mu, 4), "s": round(self.s, 4), "median_headroom": round(float(np.exp(self.mu)), 4),
                "plateaus": self.n_plateaus, "censored": self.n_censored}


def plateau(y: np.ndarray, t: np.ndarray, result_t: np.ndarray, cutoff: float) -> tuple[float, bool]:
    """A history's record M known at `cutoff` and whether it has plateaued (module docstring)."""
    known = t <= cutoff
    if not known.any():
        return 0.0, False
    best = float(np.max(y[known]))
    t_best = float(np.min(t[known][y[known] >= best - 1e-12]))
    later = result_t[(result_t > t_best) & (result_t <= cutoff)]
    is_flat = best >= MIN_LEVEL and later.size >= MIN_TRIES and later.max() - t_best >= PLATEAU_YEARS
    return best, bool(is_flat)


def fit_histories(hists: list, cutoff: float) -> Ceiling:
    """The ceiling learned from training histories (`forecast.reference.pairs.History`) at `cutoff`."""
    return fit_ceiling([plateau(h.y, h.t, h.result_t, cutoff) for h in hists])


def fit_ceiling(records: list[tuple[float, bool]]) -> Ceiling:
    """Censored maximum a posteriori fit of ``(mu, s)`` from (record, plateaued) pairs."""
    best = np.array([m for m, _ in records], dtype=float)
    flat = np.array([f for _, f in records], dtype=bool)
    log_d = np.log(np.maximum(1.0 - best, MIN_D))

    def loss(theta: np.ndarray) -> float:
        mu, log_s = theta
        s = np.exp(log_s)
        out = -np.sum(stats.norm.logpdf(log_d[flat], mu, s))
        out -= np.sum(stats.norm.logcdf((log_d[~flat] - mu) / s))
        out -= stats.norm.logpdf(mu, *PRIOR_MU) + stats.norm.logpdf(log_s, *PRIOR_LOG_S)
        return float(out)

    res = optimize.minimize(loss, np.array([PRIOR_MU[0], PRIOR_LOG_S[0]]), method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 2000})
    return Ceiling(float(res.x[0]), float(np.exp(res.x[1])), int(flat.sum()), int((~flat).sum()))


def ceilings(ceiling: Ceiling | None, ctx, n: int, rng: np.random.Generator) -> np.ndarray:
    """Each path's ceiling: the caller's (``ctx.ceiling``), else drawn above today's frontier
    from `ceiling`, else 1. One uniform per path is drawn either way (paths stay reproducible)."""
    u = rng.uniform(size=n)
    if ctx.ceiling is not None:
        return np.full(n, max(float(ctx.ceiling), ctx.now))
    return ceiling.draw(ctx.now, u) if ceiling is not None else np.ones(n)
