"""Whether anyone will report a new result: benchmarks are abandoned.

A frontier can only move when new results arrive, and old benchmarks stop being reported
(MMLU, HellaSwag ...). From every benchmark's history before the cut-off, at monthly starts
``s`` with ``s + h`` before the cut-off, we record the staleness ``a`` (years since the last
result of the primary series) and whether any result arrived in ``(s, s + h]``, and fit::

    P(new result within h | a) = sigmoid(b0 + b1 * log(1 + a) + b2 * log(h))

by logistic regression (``b2 >= 0.05`` enforced, so waiting longer never makes a result less
likely). A forecast draws one uniform ``u`` per path: the path's first new result comes at the
``h`` where that probability passes ``u``; before it the frontier stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HORIZONS = (0.25, 0.5, 1.0, 1.5, 2.0)
STEP = 1.0 / 12.0
B2_MIN = 0.05
#: Used when there is no history to learn from: results keep coming.
DEFAULT = (3.0, -2.0, 1.0)


@dataclass(frozen=True)
class Activity:
    """The fitted coefficients (b0, b1, b2)."""

    b0: float
    b1: float
    b2: float

    def probability(self, staleness: float, h: np.ndarray | float) -> np.ndarray:
        h = np.maximum(np.asarray(h, dtype=float), 1e-6)
        x = self.b0 + self.b1 * np.log1p(staleness) + self.b2 * np.log(h)
        return 1.0 / (1.0 + np.exp(-x))

    def first_result_after(self, staleness: float, u: np.ndarray) -> np.ndarray:
        """Years until each path's first new result, for uniforms `u`."""
        u = np.clip(u, 1e-9, 1 - 1e-9)
        logit_u = np.log(u) - np.log1p(-u)
        return np.exp((logit_u - self.b0 - self.b1 * np.log1p(staleness)) / self.b2)

    def as_list(self) -> list[float]:
        return [self.b0, self.b1, self.b2]


def activity_pairs(result_times: list[np.ndarray], cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """Features (1, log(1 + staleness), log h) and outcomes from every history."""
    feats, outs = [], []
    for t in result_times:
        t = np.sort(np.asarray(t, dtype=float))
        t = t[t <= cutoff]
        if t.size == 0:
            continue
        for h in HORIZONS:
            for s in np.arange(t[0], cutoff - h + 1e-9, STEP):
                last = t[np.searchsorted(t, s, side="right") - 1]
                feats.append((1.0, np.log1p(s - last), np.log(h)))
                outs.append(bool(np.any((t > s) & (t <= s + h))))
    return np.asarray(feats, dtype=float).reshape(-1, 3), np.asarray(outs, dtype=float)


def fit_activity(result_times: list[np.ndarray], cutoff: float, ridge: float = 1e-2) -> Activity:
    """Logistic regression by Newton's method (a few iterations; 3 coefficients)."""
    x, y = activity_pairs(result_times, cutoff)
    if y.size < 20 or y.min() == y.max():
        return Activity(*DEFAULT)
    beta = np.zeros(3)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-x @ beta))
        grad = x.T @ (y - p) - ridge * beta
        hess = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(3)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return Activity(float(beta[0]), float(beta[1]), float(max(beta[2], B2_MIN)))
