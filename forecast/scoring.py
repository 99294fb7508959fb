"""Scores of probabilistic forecasts given as samples (all on the normalised 0-1 scale).

CRPS (Gneiting and Raftery 2007), for samples ``x_1..x_n`` of X and an outcome y::

    CRPS = E|X - y| - 1/2 E|X - X'|,   E|X - X'| = 2 / n^2 * sum_i (2i - n - 1) x_(i)

PIT: ``P(X < y) + U * P(X = y)`` with U uniform, so point masses (a frontier that does not
move) still give a uniform PIT when calibrated. Coverage of the central interval of level a:
the probability that the randomised PIT lies in ``[(1-a)/2, (1+a)/2]`` (`coverage`): with
``lo = P(X < y)`` and ``hi = P(X <= y)`` it is the share of ``[lo, hi]`` inside the band (1 or 0
without an atom at y), i.e. the randomised PIT's coverage averaged over its tie-break.
Counting "inside the sample quantiles" (`covered`) is biased upwards for forecasts with an
atom: an outcome equal to a frontier that did not move is "inside" every interval whose lower
end is that frontier, so a forecast with a 40% "no change" mass would cover it at every level. Brier score
``(p - o)^2`` and log score ``-ln p(o)`` (lower is better; p clipped to [0.001, 0.999]).
"""

from __future__ import annotations

import numpy as np

LEVELS = (0.5, 0.8, 0.9)
P_CLIP = 1e-3


def crps(samples: np.ndarray, y: float) -> float:
    """CRPS of one sample-based forecast against outcome `y`."""
    x = np.sort(np.asarray(samples, dtype=float))
    n = x.size
    spread = 2.0 / n**2 * np.sum((2 * np.arange(1, n + 1) - n - 1) * x)
    return float(np.mean(np.abs(x - y)) - 0.5 * spread)


def covered(samples: np.ndarray, y: float, level: float) -> bool:
    """Is `y` inside the central `level` interval of the samples?"""
    lo, hi = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2])
    return bool(lo - 1e-12 <= y <= hi + 1e-12)


def coverage(samples: np.ndarray, y: float, level: float) -> float:
    """Probability that the randomised PIT of `y` is inside the central `level` band."""
    x = np.asarray(samples, dtype=float)
    lo, hi = float(np.mean(x < y - 1e-12)), float(np.mean(x <= y + 1e-12))
    a, b = (1 - level) / 2, (1 + level) / 2
    if hi - lo < 1e-12:
        return float(a <= lo <= b)
    return max(0.0, min(hi, b) - max(lo, a)) / (hi - lo)


def covered_pit(pit_value: float, level: float) -> bool:
    """Is the randomised PIT inside the central `level` band (the honest coverage with atoms)?"""
    return bool((1 - level) / 2 <= pit_value <= (1 + level) / 2)


def pit(samples: np.ndarray, y: float, rng: np.random.Generator) -> float:
    """Randomised probability integral transform."""
    x = np.asarray(samples)
    below = np.mean(x < y - 1e-12)
    at = np.mean(np.abs(x - y) <= 1e-12)
    return float(below + rng.uniform() * at)


def brier(p: float, outcome: bool) -> float:
    return float((p - float(outcome)) ** 2)


def log_score(p: float, outcome: bool) -> float:
    p = min(max(p, P_CLIP), 1 - P_CLIP)
    return float(-np.log(p if outcome else 1 - p))
