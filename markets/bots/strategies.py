"""Trading strategies: noise, informed, Kelly (and forecast-driven Kelly), momentum.

Every strategy is a frozen dataclass with the parameters

budget
    Money the bot starts with.
aggressiveness
    Largest share of its budget one order may use, in (0, 1].
noise
    For bots with a private signal: standard deviation of the signal's log-odds error
    (see :mod:`markets.bots.signals`). It is used when the bot is built from the truth.
kelly_fraction
    For Kelly bettors: 1 is full Kelly, 0.5 half Kelly, ...

and a ``decide(view, holdings, rng)`` method returning a tuple of
:class:`~markets.bots.base.BotOrder`. Bots never price an order: the engine does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from markets.bots.base import BotOrder, Holdings, MarketView
from markets.bots.errors import BotError
from markets.bots.kelly import kelly_order
from markets.bots.signals import as_distribution, trend

#: Orders smaller than this share of the budget are not placed (the engine rejects dust anyway).
MIN_ORDER_SHARE = 1e-4

NONE: tuple[BotOrder, ...] = ()


def _check(budget: float, aggressiveness: float) -> None:
    if not (np.isfinite(budget) and budget > 0):
        raise BotError(f"budget {budget} must be a positive number")
    if not 0 < aggressiveness <= 1:
        raise BotError(f"aggressiveness {aggressiveness} must be in (0, 1]")


@dataclass(frozen=True)
class NoiseTrader:
    """Zero intelligence, budget constrained (Gode and Sunder 1993).

    Each turn, with probability `activity`, it picks an outcome at random and either sells a
    random part of what it holds of it or buys it for a random amount up to
    ``aggressiveness * budget``.
    """

    name: str = "noise"
    budget: float = 100.0
    aggressiveness: float = 0.1
    activity: float = 1.0

    def __post_init__(self) -> None:
        _check(self.budget, self.aggressiveness)

    def decide(self, view: MarketView, holdings: Holdings, rng: np.random.Generator) -> tuple[BotOrder, ...]:
        u = rng.random(3)
        if u[0] >= self.activity:
            return NONE
        i = int(u[1] * view.prices.shape[0])
        held = float(holdings.shares[i])
        if held > 0 and u[2] < 0.5:
            size = held * rng.random()
            if size * view.prices[i] < MIN_ORDER_SHARE * self.budget:
                return NONE
            return (BotOrder(outcome=i, side="sell", shares=size),)
        amount = min(holdings.cash, self.aggressiveness * self.budget * rng.random())
        if amount < MIN_ORDER_SHARE * self.budget:
            return NONE
        return (BotOrder(outcome=i, side="buy", amount=amount),)


@dataclass(frozen=True)
class InformedTrader:
    """Risk-neutral trader with a private belief (typically a noisy signal of the truth).

    It buys the outcome it finds most underpriced when its edge ``belief - price`` exceeds
    `margin`, for ``aggressiveness * budget`` scaled by the edge (full size at an edge of
    `full_edge`), never moving the price past its belief (with the view's `depth`; else its belief
    is the limit price); and it sells holdings priced above its belief by more than `margin`.
    """

    belief: np.ndarray = field(default_factory=lambda: np.array([0.5, 0.5]))
    name: str = "informed"
    budget: float = 100.0
    aggressiveness: float = 0.1
    margin: float = 0.02
    full_edge: float = 0.2
    noise: float = 0.5

    def __post_init__(self) -> None:
        _check(self.budget, self.aggressiveness)
        object.__setattr__(self, "belief", as_distribution(self.belief))
        object.__setattr__(self, "_belief", self.belief.tolist())  # plain floats for the hot path

    def decide(self, view: MarketView, holdings: Holdings, rng: np.random.Generator) -> tuple[BotOrder, ...]:
        q = view.prices.tolist()
        p = self._belief
        edge = [pi - qi for pi, qi in zip(p, q)]
        smallest = min(range(len(q)), key=edge.__getitem__)
        floor = MIN_ORDER_SHARE * self.budget
        held = float(holdings.shares[smallest])
        if edge[smallest] < -self.margin and held > 0:
            share = min(1.0, -edge[smallest] / self.full_edge)
            size = min(held, share * self.aggressiveness * self.budget / q[smallest])
            if view.depth is not None:
                size = min(size, view.depth(smallest, "sell", p[smallest]))
            if size * q[smallest] >= floor:
                return (BotOrder(outcome=smallest, side="sell", shares=size),)
        i = max(range(len(q)), key=edge.__getitem__)
        if edge[i] <= self.margin:
            return NONE
        amount = min(holdings.cash, min(1.0, edge[i] / self.full_edge) * self.aggressiveness * self.budget)
        if view.depth is not None:
            amount = min(amount, view.depth(i, "buy", p[i]))
        if amount < floor:
            return NONE
        limit = None if view.depth is not None else p[i]
        return (BotOrder(outcome=i, side="buy", amount=amount, limit_price=limit),)


@dataclass(frozen=True)
class KellyTrader:
    """Log-utility (Kelly) or fractional-Kelly bettor with a fixed belief.

    Each turn it places the one order that best moves its state wealth toward the Kelly target
    (:func:`markets.bots.kelly.kelly_order`), at most ``aggressiveness * budget`` in money.
    """

    belief: np.ndarray = field(default_factory=lambda: np.array([0.5, 0.5]))
    name: str = "kelly"
    budget: float = 100.0
    aggressiveness: float = 0.1
    kelly_fraction: float = 1.0
    noise: float = 0.5

    def __post_init__(self) -> None:
        _check(self.budget, self.aggressiveness)
        if not 0 < self.kelly_fraction <= 1:
            raise BotError(f"Kelly fraction {self.kelly_fraction} must be in (0, 1]")
        object.__setattr__(self, "belief", as_distribution(self.belief))

    def decide(self, view: MarketView, holdings: Holdings, rng: np.random.Generator) -> tuple[BotOrder, ...]:
        return _kelly_decide(self, self.belief, view, holdings)


@dataclass(frozen=True)
class ForecastTrader:
    """A fractional-Kelly bettor whose belief comes from a benchcast forecast.

    `belief` is a probability (binary P(yes)), a vector, or a callable returning either; a
    callable is called once, at the first decision, so building the bot never runs a model.
    Use :func:`markets.bots.forecasts.forecast_belief` to make that callable.
    """

    belief: float | np.ndarray | Callable[[], float | np.ndarray] = 0.5
    name: str = "forecast"
    budget: float = 100.0
    aggressiveness: float = 0.1
    kelly_fraction: float = 0.5
    _resolved: list[np.ndarray] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check(self.budget, self.aggressiveness)
        if not 0 < self.kelly_fraction <= 1:
            raise BotError(f"Kelly fraction {self.kelly_fraction} must be in (0, 1]")

    def resolved_belief(self, n: int) -> np.ndarray:
        """The belief as a probability vector over `n` outcomes (computed once)."""
        if not self._resolved:
            raw = self.belief() if callable(self.belief) else self.belief
            self._resolved.append(as_distribution(raw, n))
        return self._resolved[0]

    def decide(self, view: MarketView, holdings: Holdings, rng: np.random.Generator) -> tuple[BotOrder, ...]:
        return _kelly_decide(self, self.resolved_belief(view.prices.shape[0]), view, holdings)


@dataclass(frozen=True)
class MomentumTrader:
    """Trend follower: buys what rose over the last `lookback` steps, sells what fell.

    It buys the outcome with the largest rise above `threshold`, for up to
    ``aggressiveness * budget`` scaled by the rise (full size at `full_move`), and sells half of
    its holding of an outcome that fell by more than `threshold`.
    """

    name: str = "momentum"
    budget: float = 100.0
    aggressiveness: float = 0.1
    lookback: int = 20
    threshold: float = 0.01
    full_move: float = 0.1

    def __post_init__(self) -> None:
        _check(self.budget, self.aggressiveness)
        if self.lookback < 1:
            raise BotError(f"lookback {self.lookback} must be at least 1 step")

    def decide(self, view: MarketView, holdings: Holdings, rng: np.random.Generator) -> tuple[BotOrder, ...]:
        move = trend(view.history, view.prices, self.lookback)
        j = int(np.argmin(move))
        if move[j] < -self.threshold and holdings.shares[j] > 0:
            size = 0.5 * float(holdings.shares[j])
            if size * view.prices[j] >= MIN_ORDER_SHARE * self.budget:
                return (BotOrder(outcome=j, side="sell", shares=size),)
        i = int(np.argmax(move))
        if move[i] <= self.threshold:
            return NONE
        amount = min(holdings.cash, min(1.0, move[i] / self.full_move) * self.aggressiveness * self.budget)
        if amount < MIN_ORDER_SHARE * self.budget:
            return NONE
        return (BotOrder(outcome=i, side="buy", amount=amount),)


def _kelly_decide(bot, belief: np.ndarray, view: MarketView, holdings: Holdings) -> tuple[BotOrder, ...]:
    """The fractional-Kelly order of a bot with `kelly_fraction`, `aggressiveness`, `budget`."""
    order = kelly_order(
        belief,
        view.prices,
        holdings.cash,
        holdings.shares,
        fraction=bot.kelly_fraction,
        max_amount=bot.aggressiveness * bot.budget,
        min_amount=MIN_ORDER_SHARE * bot.budget,
        depth=view.depth,
    )
    return NONE if order is None else (order,)
