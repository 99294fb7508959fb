"""Recalibration of predictive distributions: a monotone map R of [0, 1] applied to a forecast's
CDF, ``G(y) = R(F(y))``. Two kinds, both learned from held-out forecasts:

* the empirical PIT map (Kuleshov, Fenner and Ermon 2018): from PIT values ``p_i = F_i(y_i)``,
  ``R(p) = P(PIT <= p)``, smoothed towards the identity by `PRIOR` pseudo-points;
* the beta transform (the beta-transformed linear pool of Gneiting and Ranjan 2013, applied
  to the stacked mixture): ``R = Beta_{a,b}`` CDF, with ``(a, b)`` minimising the mean CRPS
  of the transformed forecasts (`fit_beta`). A linear pool of calibrated members is
  over-dispersed by construction; ``a, b > 1`` pull its tails in.

To sample ``G``: a path at rank quantile ``u`` in the forecast's own samples moves to the
sample quantile ``R^{-1}(u)``. Ranks are kept, so the paths stay coherent across dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import betainc, betaincinv  # not scipy.stats: forecasts stay light

GRID = np.linspace(0.0, 1.0, 201)
#: Pseudo-observations of a perfectly calibrated forecast mixed into the empirical map.
PRIOR = 20
#: Quantile levels the beta fit scores a transformed forecast at.
FIT_LEVELS = (np.arange(200) + 0.5) / 200
#: Bounds of log a and log b (a, b in [1/20, 20]).
LOG_AB_MAX = np.log(20.0)


@dataclass(frozen=True)
class Recalibration:
    """A monotone map R on [0, 1], tabulated on `GRID` (exact for the beta transform)."""

    cdf: np.ndarray = field(repr=False)  # R(GRID)
    beta: tuple[float, float] | None = None

    @classmethod
    def identity(cls) -> Recalibration:
        return cls(GRID.copy())

    @classmethod
    def fit(cls, pits: np.ndarray) -> Recalibration:
        """The empirical PIT map."""
        pits = np.sort(np.clip(np.asarray(pits, dtype=float), 0.0, 1.0))
        emp = np.searchsorted(pits, GRID, side="right") / max(pits.size, 1)
        cdf = (pits.size * emp + PRIOR * GRID) / (pits.size + PRIOR)
        cdf[0], cdf[-1] = 0.0, 1.0
        return cls(np.maximum.accumulate(cdf))

    @classmethod
    def from_beta(cls, a: float, b: float) -> Recalibration:
        """The beta transform ``R = Beta_{a,b}`` CDF."""
        return cls(betainc(a, b, GRID), (float(a), float(b)))

    @property
    def is_identity(self) -> bool:
        return bool(np.abs(self.cdf - GRID).max() < 1e-9) if self.cdf.size == GRID.size else False

    @property
    def kind(self) -> str:
        return "none" if self.is_identity else ("beta" if self.beta is not None else "pit")

    def inverse(self, u: np.ndarray) -> np.ndarray:
        """R^{-1}(u): the forecast quantile level that the calibrated level u maps to."""
        if self.beta is not None:
            return betaincinv(*self.beta, np.asarray(u, dtype=float))
        return np.interp(u, self.cdf, np.linspace(0.0, 1.0, self.cdf.size))

    def apply(self, samples: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
        """Recalibrate each column of `samples` (n, K), keeping each path's rank (ties by `tiebreak`).

        Column by column this is ``out[lexsort((tiebreak, col)), k] = np.quantile(col, R^{-1}(u))``
        (linear interpolation), computed for all columns at once: the levels are the same for
        every column, so one sort per column and one interpolation replace K quantile calls.
        """
        if self.is_identity:
            return samples
        samples = np.asarray(samples, dtype=float)
        n = samples.shape[0]
        q = self.inverse((np.arange(n) + 0.5) / n)
        # numpy's "linear" quantile: virtual index q (n - 1), lerp between its neighbours.
        virtual = q * (n - 1)
        lo = np.clip(np.floor(virtual).astype(int), 0, n - 1)
        hi = np.minimum(lo + 1, n - 1)
        frac = (virtual - lo)[:, None]
        ranked = np.sort(samples, axis=0)
        below, above = ranked[lo], ranked[hi]
        diff = above - below
        values = np.where(frac >= 0.5, above - diff * (1 - frac), below + diff * frac)
        # Rank of each path within its column, ties broken by `tiebreak` (lexsort's order).
        by_tie = np.argsort(tiebreak, kind="stable")
        order = by_tie[np.argsort(samples[by_tie], axis=0, kind="stable")]
        out = np.empty_like(samples)
        np.put_along_axis(out, order, values, axis=0)
        return out

    def as_list(self) -> list[float]:
        return [round(float(v), 5) for v in self.cdf]


def transformed_crps(sorted_samples: np.ndarray, truths: np.ndarray, a: float, b: float) -> np.ndarray:
    """CRPS of each forecast (rows of `sorted_samples`, ascending) after the beta transform."""
    n = sorted_samples.shape[1]
    pos = betaincinv(a, b, FIT_LEVELS) * (n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    y = sorted_samples[:, lo] * (1 - frac) + sorted_samples[:, hi] * frac  # (N, m), ascending
    m = y.shape[1]
    spread = 2.0 / m**2 * y @ (2 * np.arange(1, m + 1) - m - 1)
    return np.mean(np.abs(y - truths[:, None]), axis=1) - 0.5 * spread


def fit_beta(samples: list[np.ndarray], truths: np.ndarray) -> Recalibration:
    """The beta transform minimising the mean CRPS of the transformed forecasts (`samples[i]`:
    the pooled forecast's draws for outcome ``truths[i]``, equal sizes)."""
    from scipy import optimize

    if not len(samples):  # nothing to learn from
        return Recalibration.identity()
    x = np.sort(np.stack([np.asarray(s, dtype=float) for s in samples]), axis=1)
    y = np.asarray(truths, dtype=float)

    def loss(theta: np.ndarray) -> float:
        a, b = np.exp(np.clip(theta, -LOG_AB_MAX, LOG_AB_MAX))
        return float(np.mean(transformed_crps(x, y, a, b)))

    res = optimize.minimize(loss, np.zeros(2), method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-8})
    a, b = np.exp(np.clip(res.x, -LOG_AB_MAX, LOG_AB_MAX))
    return Recalibration.from_beta(a, b)
