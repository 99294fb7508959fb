"""Past frontier gains: the training pairs of the reference-class model.

For every benchmark known at the cut-off ``T``, its primary series' records give the
frontier ``F(s)`` (normalised, clipped to [EPS, 1 - EPS]). At monthly starts ``s`` with
``s + h <= T`` and for each horizon ``h`` in `HORIZONS`, one pair records::

    level      logit F(s)
    age        s - released                      (years)
    date       s - 2023                          (years)
    staleness  s - the last primary result <= s   (years)
    gain       logit F(s + h) - logit F(s)        (>= 0: the frontier never falls)

Pairs from one benchmark overlap (monthly starts, horizons of up to two years), so each
carries the weight ``1 / (12 h)``: one independent pair per horizon length.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.series import EPS, prepare, to_years
from priors.history import BenchmarkInfo

#: Horizons (years) the gains are learned at.
HORIZONS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
STEP = 1.0 / 12.0
#: Calendar pivot of the date feature (2023-01-01, years since 2020).
DATE_PIVOT = 3.0


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


@dataclass(frozen=True)
class History:
    """One benchmark's primary frontier: record times/levels and every result's time."""

    name: str
    released: float
    t: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    result_t: np.ndarray = field(repr=False)

    def frontier(self, s: np.ndarray) -> np.ndarray:
        """F(s), nan before the first record."""
        s = np.atleast_1d(np.asarray(s, dtype=float))
        if self.t.size == 0:
            return np.full(s.shape, np.nan)
        order = np.argsort(self.t, kind="stable")
        run = np.maximum.accumulate(self.y[order])
        idx = np.searchsorted(self.t[order], s, side="right") - 1
        return np.where(idx >= 0, run[np.maximum(idx, 0)], np.nan)

    def scaled(self, c: float) -> History:
        """The same history as shares of the way to a ceiling c (``y / c``)."""
        return History(self.name, self.released, self.t, np.minimum(self.y / c, 1.0), self.result_t)

    def staleness(self, s: np.ndarray) -> np.ndarray:
        rt = np.sort(self.result_t)
        idx = np.searchsorted(rt, s, side="right") - 1
        return np.where(idx >= 0, s - rt[np.maximum(idx, 0)], 0.0)


def histories(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of) -> list[History]:
    """The primary frontier of every benchmark in `results` known at `as_of`."""
    out = []
    for name in sorted(results["benchmark"].unique()):
        info = meta.get(name) or BenchmarkInfo(name, 0.0, None)
        if info.released is not None and info.released > as_of:
            continue
        d = prepare(results, info, as_of)
        prim = d.series == 0
        if prim.sum() == 0:
            continue
        out.append(History(name, d.released, d.t[prim], d.y[prim], d.primary_t))
    return out


@dataclass(frozen=True)
class GainPairs:
    """Training pairs (see the module docstring); `group` indexes `names`."""

    names: tuple[str, ...]
    group: np.ndarray = field(repr=False)
    h: np.ndarray = field(repr=False)
    level: np.ndarray = field(repr=False)
    age: np.ndarray = field(repr=False)
    date: np.ndarray = field(repr=False)
    staleness: np.ndarray = field(repr=False)
    gain: np.ndarray = field(repr=False)

    @property
    def weight(self) -> np.ndarray:
        return 1.0 / (12.0 * self.h)

    @property
    def size(self) -> int:
        return int(self.gain.size)


def gain_pairs(hists: list[History], cutoff: float, horizons: tuple[float, ...] = HORIZONS) -> GainPairs:
    cols: dict[str, list] = {k: [] for k in ("group", "h", "level", "age", "date", "staleness", "gain")}
    for j, hist in enumerate(hists):
        if hist.t.size == 0:
            continue
        for h in horizons:
            s = np.arange(hist.t.min(), cutoff - h + 1e-9, STEP)
            if s.size == 0:
                continue
            a, b = hist.frontier(s), hist.frontier(s + h)
            cols["group"].append(np.full(s.size, j))
            cols["h"].append(np.full(s.size, h))
            cols["level"].append(logit(a))
            cols["age"].append(np.maximum(s - hist.released, 0.0))
            cols["date"].append(s - DATE_PIVOT)
            cols["staleness"].append(hist.staleness(s))
            cols["gain"].append(np.maximum(logit(b) - logit(a), 0.0))
    arrays = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in cols.items()}
    arrays["group"] = arrays["group"].astype(int)
    return GainPairs(tuple(h.name for h in hists), **arrays)


def to_years_array(dates) -> np.ndarray:
    return np.array([to_years(d) for d in dates], dtype=float)
