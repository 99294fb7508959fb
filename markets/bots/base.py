"""What every bot sees and returns: a market view, its own holdings, and order intents.

A bot is a value with a ``decide(view, holdings, rng)`` method that returns a tuple of
:class:`BotOrder`. It never changes a market: the simulator (or the live runner) turns each
intent into an engine order and lets the engine price and execute it. Randomness is the
``rng`` argument, so a run is reproducible from its seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

Side = Literal["buy", "sell"]


@dataclass(frozen=True, slots=True)
class MarketView:
    """What a bot may look at: current prices and the price path so far.

    Attributes
    ----------
    prices
        Current prices, one per outcome, in (0, 1), summing to 1.
    history
        Earlier prices, shape (t, n), oldest first, without the current ones (may be empty).
        Momentum traders read it.
    step
        Index of this trading opportunity in the session.
    depth
        ``depth(i, side, target)``: the money a buy of outcome i needs (side "buy") or the
        shares a sale needs (side "sell") to move its price to `target`, as the engine's market
        maker computes it; None where unknown (a live server). Bots use it to avoid pushing a
        price past their own belief in a thin market.
    """

    prices: np.ndarray
    history: np.ndarray
    step: int = 0
    depth: Callable[[int, str, float], float] | None = None

    @property
    def n_outcomes(self) -> int:
        return int(self.prices.shape[0])


@dataclass(frozen=True, slots=True)
class Holdings:
    """A bot's own portfolio: cash and shares per outcome, and its starting budget."""

    cash: float
    shares: np.ndarray
    budget: float

    def value(self, prices: np.ndarray) -> float:
        """Mark-to-market wealth: cash plus shares valued at `prices`."""
        return float(self.cash + float(self.shares @ prices))


@dataclass(frozen=True, slots=True)
class BotOrder:
    """An order a bot wants: buy `outcome` for `amount` money, or sell `shares` of it.

    `limit_price` is the worst average price the bot accepts (None: any).
    """

    outcome: int
    side: Side
    amount: float = 0.0
    shares: float = 0.0
    limit_price: float | None = None


class Bot(Protocol):
    """The strategy interface: look at the market and your holdings, return orders."""

    name: str
    budget: float

    def decide(self, view: MarketView, holdings: Holdings, rng: np.random.Generator) -> tuple[BotOrder, ...]:
        """Orders to place now (possibly none)."""
        ...
