"""Recalibration of predictive distributions (Kuleshov, Fenner and Ermon 2018).

From held-out forecasts with PIT values ``p_i = F_i(y_i)``, the calibration map is the
empirical CDF of the PITs, ``R(p) = P(PIT <= p)`` (smoothed towards the identity by
`PRIOR` pseudo-points). A forecast CDF F becomes ``R(F(y))``: to sample it, a path at rank
quantile ``u`` in the forecast's own samples moves to the sample quantile ``R^{-1}(u)``. Ranks
are kept, so the paths stay coherent across dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GRID = np.linspace(0.0, 1.0, 201)
#: Pseudo-observations of a perfectly calibrated forecast mixed into the map.
PRIOR = 20


@dataclass(frozen=True)
class Recalibration:
    """A monotone map R on [0, 1], tabulated on `GRID`."""

    cdf: np.ndarray = field(repr=False)  # R(GRID)

    @classmethod
    def identity(cls) -> Recalibration:
        return cls(GRID.copy())

    @classmethod
    def fit(cls, pits: np.ndarray) -> Recalibration:
        pits = np.sort(np.clip(np.asarray(pits, dtype=float), 0.0, 1.0))
        emp = np.searchsorted(pits, GRID, side="right") / max(pits.size, 1)
        cdf = (pits.size * emp + PRIOR * GRID) / (pits.size + PRIOR)
        cdf[0], cdf[-1] = 0.0, 1.0
        return cls(np.maximum.accumulate(cdf))

    def inverse(self, u: np.ndarray) -> np.ndarray:
        """R^{-1}(u): the forecast quantile level that the calibrated level u maps to."""
        return np.interp(u, self.cdf, GRID)

    def apply(self, samples: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
        """Recalibrate each column of `samples` (n, K), keeping each path's rank (ties by `tiebreak`).

        Column by column this is ``out[lexsort((tiebreak, col)), k] = np.quantile(col, R^{-1}(u))``
        (linear interpolation), computed for all columns at once: the levels are the same for
        every column, so one sort per column and one interpolation replace K quantile calls.
        """
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
