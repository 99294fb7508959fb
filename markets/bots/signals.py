"""Beliefs from noisy private signals, and price trends.

A private signal of a true probability vector ``t`` with noise ``σ`` is

    s = softmax(ln t + ε),    ε_i ~ N(0, σ² / 2) independent,

so for a binary question the signal's log-odds err by ``N(0, σ²)``: ``σ`` is the standard
deviation of the log-odds error, and ``σ = 0`` is the truth itself.
"""

from __future__ import annotations

import numpy as np

from markets.bots.errors import BotError

#: Probabilities are kept this far from 0 and 1 before taking logs.
EPS = 1e-9


def as_distribution(p: float | np.ndarray | list[float], n: int | None = None, *, what: str = "belief") -> np.ndarray:
    """A probability vector from a binary P(yes) or a vector; validated, clipped and renormalized."""
    arr = np.atleast_1d(np.asarray(p, dtype=float))
    if arr.shape[0] == 1:
        arr = np.array([arr[0], 1.0 - arr[0]])
    if n is not None and arr.shape[0] != n:
        raise BotError(f"{what} has {arr.shape[0]} outcomes, the market has {n}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 1):
        raise BotError(f"{what} {arr.tolist()} is not a vector of probabilities in [0, 1]")
    if abs(arr.sum() - 1.0) > 1e-6:
        raise BotError(f"{what} {arr.tolist()} sums to {arr.sum():g}, not 1")
    arr = np.clip(arr, EPS, 1.0)
    return arr / arr.sum()


def noisy_belief(truth: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """A private signal of `truth` whose log-odds err with standard deviation `noise`."""
    if noise < 0 or not np.isfinite(noise):
        raise BotError(f"signal noise {noise} must be a finite number >= 0")
    logits = np.log(np.clip(truth, EPS, 1.0)) + rng.normal(0.0, noise / np.sqrt(2.0), size=truth.shape[0])
    logits -= logits.max()
    e = np.exp(logits)
    return e / e.sum()


def trend(history: np.ndarray, prices: np.ndarray, lookback: int) -> np.ndarray:
    """Price change per outcome over the last `lookback` steps (zero with no history)."""
    if history.shape[0] == 0:
        return np.zeros_like(prices)
    past = history[max(0, history.shape[0] - lookback)]
    return prices - past
