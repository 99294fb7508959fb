"""Simple forecasters to beat, each giving samples of the frontier h months ahead.

All work on the normalised scale with one benchmark's primary-series frontier history
``F(s)`` (the best score dated on or before ``s``), and all learn only from pairs
``(F(s), F(s + h))`` with ``s + h`` on or before the cut-off:

persistence
    ``F(C + h) = F(C)``, spread by adding past gains over h of every benchmark
    (its own past errors: persistence is never too high).
logit trend
    A line through ``logit F`` over the last 12 months, extrapolated from today's frontier,
    spread by the logit errors the same rule made at earlier months of every benchmark.
reference class
    ``logit F(C + h) = logit F(C) + g`` with g drawn from the past gains over h of all
    benchmarks that stood at a similar level (within 0.1, widened until 20 pairs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forecast.series import EPS

MONTH = 1.0 / 12.0


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class History:
    """One benchmark's primary-series results known at a cut-off (normalised, years)."""

    t: np.ndarray
    y: np.ndarray

    def frontier(self, s: np.ndarray | float) -> np.ndarray:
        """Best result dated on or before each s (nan before the first)."""
        s = np.atleast_1d(np.asarray(s, dtype=float))
        order = np.argsort(self.t, kind="stable")
        t, run = self.t[order], np.maximum.accumulate(self.y[order])
        idx = np.searchsorted(t, s, side="right") - 1
        return np.where(idx >= 0, run[np.maximum(idx, 0)], np.nan)

    def rising(self, s: float, months: int = 12) -> bool:
        """Whether the frontier rose within the last `months` months before s (the trend rule
        then draws a line; otherwise its point is the frontier at s)."""
        f = self.frontier(s - np.arange(months, -1, -1) * MONTH)
        f = f[~np.isnan(f)]
        return bool(f.size >= 2 and np.ptp(f) > 0)

    def trend_point(self, s: float, h: float, months: int = 12) -> float:
        """The logit-trend rule's point forecast made at s for s + h (a line through the last
        `months` months)."""
        grid = s - np.arange(months, -1, -1) * MONTH
        f = self.frontier(grid)
        ok = ~np.isnan(f)
        now = self.frontier(s)[0]
        if ok.sum() < 2 or np.ptp(f[ok]) == 0:
            return float(now)
        slope = np.polyfit(grid[ok], _logit(f[ok]), 1)[0]
        return float(max(now, _sigmoid(_logit(now) + slope * h)))


@dataclass(frozen=True)
class Pairs:
    """Past (level, gain) pairs over horizon h, and the trend rule's past errors."""

    level: np.ndarray = field(repr=False)
    gain: np.ndarray = field(repr=False)  # F(s + h) - F(s)
    logit_gain: np.ndarray = field(repr=False)
    trend_error: np.ndarray = field(repr=False)  # logit F(s + h) - logit trend_point(s)


def past_pairs(histories: list[History], cutoff: float, h: float, months: int = 12) -> Pairs:
    """Monthly pairs (s, s + h) with s + h <= cutoff from every history (the trend rule's
    errors for a line through the last `months` months)."""
    level, gain, lgain, terr = [], [], [], []
    for hist in histories:
        if hist.t.size == 0:
            continue
        starts = np.arange(hist.t.min(), cutoff - h + 1e-9, MONTH)
        for s in starts:
            a, b = hist.frontier(np.array([s, s + h]))
            if np.isnan(a):
                continue
            level.append(a)
            gain.append(b - a)
            lgain.append(_logit(b) - _logit(a))
            terr.append(_logit(b) - _logit(hist.trend_point(s, h, months)))
    arr = lambda v: np.asarray(v, dtype=float)  # noqa: E731
    return Pairs(arr(level), arr(gain), arr(lgain), arr(terr))


def _resample(values: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if values.size == 0:
        return np.zeros(n)
    return values[rng.integers(0, values.size, n)]


def persistence(now: float, pairs: Pairs, n: int, rng: np.random.Generator) -> np.ndarray:
    return np.clip(now + _resample(pairs.gain, n, rng), now, 1.0)


def logit_trend(hist: History, cutoff: float, h: float, pairs: Pairs, n: int,
                rng: np.random.Generator) -> np.ndarray:
    now = float(hist.frontier(cutoff)[0])
    point = hist.trend_point(cutoff, h)
    return np.maximum(now, _sigmoid(_logit(point) + _resample(pairs.trend_error, n, rng)))


def reference_class(now: float, pairs: Pairs, n: int, rng: np.random.Generator,
                    width: float = 0.1, min_pairs: int = 20) -> np.ndarray:
    if pairs.level.size == 0:
        return np.full(n, now)
    w = width
    while True:
        sel = np.abs(pairs.level - now) <= w
        if sel.sum() >= min(min_pairs, pairs.level.size) or w >= 1.0:
            break
        w *= 1.5
    return np.maximum(now, _sigmoid(_logit(now) + _resample(pairs.logit_gain[sel], n, rng)))
