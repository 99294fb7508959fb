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
from scipy.special import log_ndtr, ndtr, ndtri  # not scipy.stats: a fresh default forecast imports neither it nor scipy.optimize

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
        return ndtr((np.log(d_max) - self.mu) / self.s)

    def draw(self, level: float, u: np.ndarray) -> np.ndarray:
        """Ceilings above `level` for uniforms `u` (inverse CDF of ``c | c > level``)."""
        p = np.clip(np.asarray(u, dtype=float) * self._bound(level), 1e-12, 1 - 1e-12)
        d = np.exp(self.mu + self.s * ndtri(p))
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


def _norm_logpdf(x: np.ndarray, mu: np.ndarray, s: np.ndarray) -> np.ndarray:
    return -0.5 * ((x - mu) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)


def fit_ceiling(records: list[tuple[float, bool]]) -> Ceiling:
    """Censored maximum a posteriori fit of ``(mu, s)`` from (record, plateaued) pairs: the
    log posterior on a grid of (mu, log s), refined three times around its best cell."""
    best = np.array([m for m, _ in records], dtype=float)
    flat = np.array([f for _, f in records], dtype=bool)
    log_d = np.log(np.maximum(1.0 - best, MIN_D))

    def log_post(mu: np.ndarray, log_s: np.ndarray) -> np.ndarray:  # grids of equal shape
        s = np.exp(log_s)[..., None]
        m = mu[..., None]
        out = _norm_logpdf(log_d[flat], m, s).sum(axis=-1) + log_ndtr((log_d[~flat] - m) / s).sum(axis=-1)
        return out + _norm_logpdf(mu, *PRIOR_MU) + _norm_logpdf(log_s, *PRIOR_LOG_S)

    center, half = np.array([PRIOR_MU[0], PRIOR_LOG_S[0]]), np.array([4.0 * PRIOR_MU[1], 4.0 * PRIOR_LOG_S[1]])
    for _ in range(4):
        mu, log_s = np.meshgrid(*(np.linspace(c - h, c + h, 41) for c, h in zip(center, half)), indexing="ij")
        lp = log_post(mu, log_s)
        i = np.unravel_index(np.argmax(lp), lp.shape)
        center, half = np.array([mu[i], log_s[i]]), half / 8.0
    return Ceiling(float(center[0]), float(np.exp(center[1])), int(flat.sum()), int((~flat).sum()))


def ceilings(ceiling: Ceiling | None, ctx, n: int, rng: np.random.Generator) -> np.ndarray:
    """Each path's ceiling: the caller's (``ctx.ceiling``), else drawn above today's frontier
    from `ceiling`, else 1. One uniform per path is drawn either way (paths stay reproducible)."""
    u = rng.uniform(size=n)
    if ctx.ceiling is not None:
        return np.full(n, max(float(ctx.ceiling), ctx.now))
    return ceiling.draw(ctx.now, u) if ceiling is not None else np.ones(n)
