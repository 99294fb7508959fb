"""Simulated traders: strategies behind one small interface.

A bot sees a :class:`MarketView` (prices and their history) and its own :class:`Holdings`, and
returns :class:`BotOrder` intents; the engine prices and executes them. Randomness is an
argument (``rng: np.random.Generator``). Strategies: :class:`NoiseTrader` (zero intelligence),
:class:`InformedTrader` (noisy private signal), :class:`KellyTrader` (full or fractional Kelly),
:class:`ForecastTrader` (Kelly on a benchcast forecast), :class:`MomentumTrader`.

Dependency rule: numpy and the rest of `markets` only; `forecast` is imported lazily by
:func:`forecast_belief`.
"""

from markets.bots.base import Bot, BotOrder, Holdings, MarketView
from markets.bots.errors import BotError
from markets.bots.forecasts import forecast_belief, lazy_forecast_belief, parse_benchmark_question
from markets.bots.kelly import (kelly_equilibrium, kelly_fraction, kelly_order, reservation_price,
                               wealth_weighted_belief)
from markets.bots.population import STRATEGIES, BotParams, make_bot, make_population, parse_population
from markets.bots.signals import noisy_belief
from markets.bots.strategies import ForecastTrader, InformedTrader, KellyTrader, MomentumTrader, NoiseTrader

__all__ = [
    "STRATEGIES",
    "Bot",
    "BotError",
    "BotOrder",
    "BotParams",
    "ForecastTrader",
    "Holdings",
    "InformedTrader",
    "KellyTrader",
    "MarketView",
    "MomentumTrader",
    "NoiseTrader",
    "forecast_belief",
    "kelly_equilibrium",
    "kelly_fraction",
    "kelly_order",
    "lazy_forecast_belief",
    "make_bot",
    "make_population",
    "noisy_belief",
    "parse_benchmark_question",
    "parse_population",
    "reservation_price",
    "wealth_weighted_belief",
]
