"""Stacking predictive distributions (Yao, Vehtari, Simpson and Gelman 2018) by CRPS.

For held-out forecasts ``i`` (samples ``X_ik`` of each member k, outcome ``y_i``), the CRPS of the
mixture with weights w on the simplex is, exactly::

    CRPS_i(w) = sum_k w_k E|X_ik - y_i| - 1/2 sum_kl w_k w_l E|X_ik - X_il|

a convex quadratic in w (``E|X - X'|`` is a negative-definite kernel on distributions), so the
weights minimising the mean held-out CRPS are found by a small constrained solve (SLSQP).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

#: Samples per member used for the pairwise terms (their error is far below the spread of scores).
SUBSAMPLE = 400
#: Strength of the pull of the weights towards `toward` (equal weights by default), in CRPS
#: units: with a few dozen benchmarks the held-out optimum swings from fold to fold (one fold
#: gave 1.0 / 0.0, another 0.29 / 0.71), and out of fold the pulled weights score better.
SHRINK = 0.05


def mean_abs_diff(x: np.ndarray, y: np.ndarray) -> float:
    """E|X - Y| for independent X, Y given by samples: the integral of
    ``F_X (1 - F_Y) + F_Y (1 - F_X)`` over the merged sample points."""
    xs, ys = np.sort(x), np.sort(y)
    z = np.sort(np.concatenate([xs, ys]))
    fx = np.searchsorted(xs, z[:-1], side="right") / xs.size
    fy = np.searchsorted(ys, z[:-1], side="right") / ys.size
    return float(np.sum((fx * (1 - fy) + fy * (1 - fx)) * np.diff(z)))


@dataclass(frozen=True)
class StackingTerms:
    """Per forecast: ``a[i, k] = E|X_ik - y_i|`` and ``b[i, k, l] = E|X_ik - X_il|``."""

    a: np.ndarray
    b: np.ndarray

    def crps(self, w: np.ndarray) -> np.ndarray:
        """The mixture's CRPS for each forecast."""
        return self.a @ w - 0.5 * np.einsum("ikl,k,l->i", self.b, w, w)

    def subset(self, mask: np.ndarray) -> StackingTerms:
        """The terms of the forecasts in `mask`."""
        return StackingTerms(self.a[mask], self.b[mask])

    def members(self, index: np.ndarray) -> StackingTerms:
        """The terms of the members at `index` only."""
        return StackingTerms(self.a[:, index], self.b[:, index][:, :, index])


def stacking_terms(samples: list[list[np.ndarray]], truths: np.ndarray, rng: np.random.Generator,
                   members: int | None = None) -> StackingTerms:
    """`samples[i][k]`: member k's samples for forecast i (`members`: k when there is none)."""
    n = len(samples)
    k = len(samples[0]) if samples else int(members or 0)
    a, b = np.zeros((n, k)), np.zeros((n, k, k))
    for i, members in enumerate(samples):
        sub = [m if m.size <= SUBSAMPLE else m[rng.choice(m.size, SUBSAMPLE, replace=False)] for m in members]
        for p in range(k):
            a[i, p] = float(np.mean(np.abs(members[p] - truths[i])))
            for q in range(p, k):
                b[i, p, q] = b[i, q, p] = mean_abs_diff(sub[p], sub[q])
    return StackingTerms(a, b)


def stack(terms: StackingTerms, shrink: float = 0.0, toward: np.ndarray | None = None) -> np.ndarray:
    """Weights on the simplex minimising the mean mixture CRPS plus
    ``shrink * |w - toward|^2`` (a Gaussian prior on the weights; 0: plain stacking)."""
    k = terms.a.shape[1]
    w0 = np.full(k, 1.0 / k) if toward is None else np.asarray(toward, dtype=float)
    if terms.a.shape[0] == 0:  # no forecast to learn from: the prior's weights
        return w0 / w0.sum()
    a, b = terms.a.mean(axis=0), terms.b.mean(axis=0)
    fun = lambda w: float(a @ w - 0.5 * w @ b @ w + shrink * np.sum((w - w0) ** 2))  # noqa: E731
    jac = lambda w: a - b @ w + 2 * shrink * (w - w0)  # noqa: E731
    res = minimize(fun, np.full(k, 1.0 / k), jac=jac, method="SLSQP", bounds=[(0.0, 1.0)] * k,
                   constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones(k)}],
                   options={"ftol": 1e-12, "maxiter": 200})
    w = np.clip(res.x, 0.0, None)
    return w / w.sum()
