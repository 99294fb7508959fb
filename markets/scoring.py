"""Profit per trader and the scoring of forecasts: Brier, log score, calibration.

Profit (micro-units), with the average-cost basis of the shares still held::

    total      = sold + payout + value - invested
    realised   = sales' proceeds minus the basis of the shares sold (+ payout - basis at the end)
    unrealised = value of the shares held at current prices - their basis

``value`` marks each share at the current price (`portfolio_value`), rounded down.

Scores of a probability vector p against the truth o (one-hot for an outcome, the resolution
probabilities otherwise)::

    brier(p, o)     = 1/2 * sum_i (p_i - o_i)^2      in [0, 1]; (p_yes - o_yes)^2 when binary
    log_score(p, o) = sum_i o_i * ln p_i             <= 0, higher is better

Given a price history (one row per snapshot) they are averaged, weighted by `weights` (e.g.
the time each price stood) or equally. A trader is scored on the prices their own trades left.
Calibration groups forecasts around the centres 1, 3, 5, 10, 20, ..., 90, 95, 97, 99 percent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from markets.errors import MarketError
from markets.execution import Fill
from markets.market import Market, account, prices

CALIBRATION_CENTERS = (0.01, 0.03, 0.05, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90,
                       0.95, 0.97, 0.99)


@dataclass(frozen=True, slots=True)
class Profit:
    """A trader's profit in micro-units: realised + unrealised = total."""

    realised: int
    unrealised: int
    total: int


@dataclass(frozen=True, slots=True)
class TraderScore:
    """Mean Brier and log score of the prices a trader's fills left, over `count` fills."""

    brier: float
    log_score: float
    count: int


@dataclass(frozen=True, slots=True)
class CalibrationBucket:
    """Forecasts in [lower, upper) around `center`: how often they came true."""

    center: float
    lower: float
    upper: float
    count: int
    mean_forecast: float | None
    frequency: float | None


def portfolio_value(market: Market, trader: str) -> int:
    """Shares held marked at current prices (0 once resolved: they have been paid out)."""
    if market.status != "open":
        return 0
    shares = account(market, trader).shares
    return sum(math.floor(s * p) for s, p in zip(shares, prices(market)))


def profit(market: Market, trader: str) -> Profit:
    """Realised, unrealised (marked to market) and total profit of `trader`."""
    acct = account(market, trader)
    res = market.resolution
    if res is None:
        unrealised = portfolio_value(market, trader) - sum(acct.basis)
        return Profit(acct.realised, unrealised, acct.realised + unrealised)
    payout = res.payouts.get(trader, 0) - res.released.get(trader, 0)
    realised = acct.sold + payout - acct.invested
    return Profit(realised, 0, realised)


def leaderboard(market: Market) -> list[tuple[str, Profit]]:
    """Traders by total profit, best first (ties by name)."""
    rows = [(t, profit(market, t)) for t in market.accounts]
    return sorted(rows, key=lambda r: (-r[1].total, r[0]))


def truth(market: Market) -> tuple[float, ...]:
    """What one share of each outcome paid: the vector scores compare against."""
    res = market.resolution
    if res is None or res.probabilities is None:
        raise MarketError(f"market {market.question.title!r} is {market.status}: no truth to "
                          "score against")
    return res.probabilities


def _rows(probabilities: Sequence, truth_: Sequence[float], weights: Sequence[float] | None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.atleast_2d(np.asarray(probabilities, dtype=float))
    o = np.asarray(truth_, dtype=float)
    if p.shape[1] != o.shape[0]:
        raise MarketError(f"{p.shape[1]} probabilities per row but {o.shape[0]} outcomes")
    w = np.ones(len(p)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(p),) or w.sum() <= 0 or (w < 0).any():
        raise MarketError(f"weights {list(w)} must be {len(p)} non-negative numbers, not all 0")
    return p, o, w / w.sum()


def brier(probabilities: Sequence, truth_: Sequence[float],
          weights: Sequence[float] | None = None) -> float:
    """Brier score (half-sum form, in [0, 1]) of one price vector or a weighted history."""
    p, o, w = _rows(probabilities, truth_, weights)
    return float(w @ (0.5 * ((p - o) ** 2).sum(axis=1)))


def log_score(probabilities: Sequence, truth_: Sequence[float],
              weights: Sequence[float] | None = None) -> float:
    """Log score ``sum_i o_i ln p_i`` of one price vector or a weighted history."""
    p, o, w = _rows(probabilities, truth_, weights)
    logs = np.log(np.clip(p, 1e-300, 1.0))
    return float(w @ (logs * o).sum(axis=1))


def trader_scores(fills: Iterable[Fill], truth_: Sequence[float]) -> dict[str, TraderScore]:
    """Score each trader on the prices their fills (and their triggered resting orders) left."""
    rows: dict[str, list[tuple[float, ...]]] = {}
    for f in fills:
        rows.setdefault(f.trader, []).append(f.prices_after)
        for lf in f.limit_fills:
            rows.setdefault(lf.trader, []).append(lf.prices_after)
    return {t: TraderScore(brier(r, truth_), log_score(r, truth_), len(r))
            for t, r in rows.items()}


def forecast_pairs(markets: Iterable[Market]) -> tuple[list[float], list[float]]:
    """(forecast, outcome) pairs of resolved markets' final prices, for `calibration`.

    A binary market gives its YES price; a multiple-choice or bucket market gives every
    outcome's price against what it paid. Cancelled and open markets are skipped.
    """
    forecasts: list[float] = []
    outcomes: list[float] = []
    for m in markets:
        if m.resolution is None or m.resolution.probabilities is None:
            continue
        p, o = prices(m), m.resolution.probabilities
        k = 1 if len(p) == 2 else len(p)
        forecasts.extend(p[:k])
        outcomes.extend(o[:k])
    return forecasts, outcomes


def calibration(forecasts: Sequence[float], outcomes: Sequence[float]
                ) -> tuple[CalibrationBucket, ...]:
    """How often forecasts near each centre came true (outcomes 1/0, or resolution values)."""
    f = np.asarray(forecasts, dtype=float)
    o = np.asarray(outcomes, dtype=float)
    if f.shape != o.shape or f.ndim != 1:
        raise MarketError(f"{f.shape} forecasts but {o.shape} outcomes")
    if np.isnan(f).any() or (f < 0).any() or (f > 1).any():
        raise MarketError("forecasts must be probabilities in [0, 1]")
    c = np.asarray(CALIBRATION_CENTERS)
    edges = np.concatenate([[0.0], (c[1:] + c[:-1]) / 2, [1.0]])
    which = np.clip(np.searchsorted(edges, f, side="right") - 1, 0, len(c) - 1)
    buckets = []
    for k, center in enumerate(CALIBRATION_CENTERS):
        hit = which == k
        n = int(hit.sum())
        buckets.append(CalibrationBucket(
            center, float(edges[k]), float(edges[k + 1]), n,
            float(f[hit].mean()) if n else None, float(o[hit].mean()) if n else None))
    return tuple(buckets)


__all__ = ["CALIBRATION_CENTERS", "Profit", "TraderScore", "CalibrationBucket",
           "portfolio_value", "profit", "leaderboard", "truth", "brier", "log_score",
           "trader_scores", "forecast_pairs", "calibration"]
