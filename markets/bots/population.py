"""Building a population of bots from a spec such as ``"informed:10,noise:20,kelly:5"``.

Strategy names: ``noise`` (alias ``zi``), ``informed``, ``kelly``, ``half-kelly``
(Kelly with fraction 0.5), ``forecast``, ``momentum``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from markets.bots.base import Bot
from markets.bots.errors import BotError
from markets.bots.signals import as_distribution, noisy_belief
from markets.bots.strategies import ForecastTrader, InformedTrader, KellyTrader, MomentumTrader, NoiseTrader

STRATEGIES: tuple[str, ...] = ("noise", "informed", "kelly", "half-kelly", "forecast", "momentum")
ALIASES = {"zi": "noise", "zero-intelligence": "noise", "fractional-kelly": "half-kelly"}


@dataclass(frozen=True, slots=True)
class BotParams:
    """Parameters shared by a population: budget, signal noise, Kelly fraction, aggressiveness."""

    budget: float = 100.0
    noise: float = 0.5
    kelly_fraction: float = 1.0
    aggressiveness: float = 0.1


def parse_population(spec: str) -> dict[str, int]:
    """``"informed:10,noise:20"`` -> ``{"informed": 10, "noise": 20}`` (order kept)."""
    counts: dict[str, int] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, count = part.partition(":")
        name = ALIASES.get(name.strip().lower(), name.strip().lower())
        if name not in STRATEGIES:
            raise BotError(f"unknown strategy {name!r} in {spec!r}; known: {', '.join(STRATEGIES)}")
        try:
            n = int(count) if sep else 1
        except ValueError:
            raise BotError(f"bot count {count!r} for {name} in {spec!r} is not a whole number") from None
        if n < 0:
            raise BotError(f"bot count {n} for {name} must be >= 0")
        counts[name] = counts.get(name, 0) + n
    if sum(counts.values()) == 0:
        raise BotError(f"bot spec {spec!r} asks for no bots; write e.g. informed:10,noise:20")
    return counts


def make_bot(
    strategy: str,
    index: int,
    truth: np.ndarray,
    rng: np.random.Generator,
    params: BotParams = BotParams(),
    *,
    forecast_belief: float | np.ndarray | None = None,
) -> Bot:
    """One bot of `strategy`; informed and Kelly bots draw a private signal of `truth` from `rng`."""
    strategy = ALIASES.get(strategy, strategy)
    name = f"{strategy}-{index}"
    common = dict(name=name, budget=params.budget, aggressiveness=params.aggressiveness)
    if strategy == "noise":
        return NoiseTrader(**common)
    if strategy == "informed":
        return InformedTrader(belief=noisy_belief(truth, params.noise, rng), noise=params.noise, **common)
    if strategy in ("kelly", "half-kelly"):
        fraction = params.kelly_fraction * (0.5 if strategy == "half-kelly" else 1.0)
        belief = noisy_belief(truth, params.noise, rng)
        return KellyTrader(belief=belief, kelly_fraction=fraction, noise=params.noise, **common)
    if strategy == "forecast":
        if forecast_belief is None:
            raise BotError("forecast bots need a belief: pass a forecast probability (e.g. --forecast-belief 0.3)")
        belief = as_distribution(forecast_belief, truth.shape[0])
        return ForecastTrader(belief=belief, kelly_fraction=params.kelly_fraction, **common)
    if strategy == "momentum":
        return MomentumTrader(**common)
    raise BotError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")


def make_population(
    counts: dict[str, int],
    truth: np.ndarray,
    rng: np.random.Generator,
    params: BotParams = BotParams(),
    *,
    forecast_belief: float | np.ndarray | None = None,
) -> list[Bot]:
    """Bots in the order of `counts`, named ``strategy-i``."""
    return [
        make_bot(strategy, i, truth, rng, params, forecast_belief=forecast_belief)
        for strategy, count in counts.items()
        for i in range(count)
    ]
