"""The offline market simulator: bots trade with a market maker, the market resolves, we score.

Pure and seeded: :func:`run_market` takes a config and a generator and returns a value; the
same seed gives the same result. Each step one bot, drawn at random, looks at the prices and
its holdings and may place orders; the engine (:mod:`markets`) prices and executes every order,
refuses the impossible ones (which are counted, not fatal), resolves the market and computes
payouts, profits, scores and the maker's loss. The simulator only keeps the path and counts.

Two resolutions of the same final market are reported: to an outcome drawn from the truth
(what would happen), and to the truth as a probability (the expected payout, which separates
skill from luck with far fewer runs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from markets.bots.base import Bot, Holdings, MarketView
from markets.bots.errors import BotError
from markets.bots.population import BotParams, make_population, parse_population
from markets.bots.signals import as_distribution
from markets.errors import MarketError
from markets.execution import Order
from markets.market import MECHANISMS, create_market, depth_at, loss_bound, prices
from markets.money import MICRO
from markets.orders import apply_order
from markets.questions import binary_question, multiple_choice_question
from markets.resolution import resolve
from markets.scoring import brier, log_score, profit, truth as resolved_truth

#: Bots aim this far inside the engine's price band, so rounding never pushes a price out of it.


@dataclass(frozen=True)
class SimulationConfig:
    """Everything a simulated session needs except the seed.

    truth : true probability of each outcome (P(YES) first for a binary question)
    population : bots per strategy, e.g. ``{"informed": 10, "noise": 20}``
    steps : trading opportunities (one random bot each)
    max_orders : stop early once this many orders were sent to the engine (for benchmarks)
    """

    truth: tuple[float, ...] = (0.7, 0.3)
    mechanism: str = "lmsr"
    subsidy: float = 100.0
    population: dict[str, int] = field(default_factory=lambda: {"informed": 10, "noise": 20, "kelly": 5})
    steps: int = 2000
    params: BotParams = BotParams()
    initial_prices: tuple[float, ...] | None = None
    forecast_belief: float | None = None
    question: str = "Simulated question"
    max_orders: int | None = None

    @property
    def n_outcomes(self) -> int:
        return len(self.truth)

    def outcomes(self) -> tuple[str, ...]:
        n = self.n_outcomes
        return ("YES", "NO") if n == 2 else tuple(f"O{i + 1}" for i in range(n))


def parse_config(
    *,
    truth: str | None = None,
    outcomes: int | None = None,
    bots: str = "informed:10,noise:20,kelly:5",
    start: str | None = None,
    **kwargs: object,
) -> SimulationConfig:
    """A config from command-line style strings: ``truth="0.7"`` or ``"0.5,0.3,0.2"``.

    `start` gives the maker's starting prices the same way (default uniform).
    """
    n = outcomes
    if truth is None or not truth.strip():
        n = n or 2
        vec = np.array([0.7, 0.3]) if n == 2 else np.arange(n, 0, -1, dtype=float)
        vec = vec / vec.sum()
    else:
        try:
            values = [float(v) for v in truth.split(",")]
        except ValueError:
            raise BotError(f"truth {truth!r} must be probabilities separated by commas, e.g. 0.7 or 0.5,0.3,0.2") from None
        vec = as_distribution(values if len(values) > 1 else values[0], what="truth")
        if n is not None and vec.shape[0] != n:
            raise BotError(f"truth {truth!r} has {vec.shape[0]} outcomes but --outcomes is {n}")
    if not 2 <= vec.shape[0] <= 20:
        raise BotError(f"{vec.shape[0]} outcomes: a question has 2 to 20")
    initial = None
    if start is not None and start.strip():
        try:
            values = [float(v) for v in start.split(",")]
        except ValueError:
            raise BotError(f"start prices {start!r} must be probabilities separated by commas") from None
        initial = tuple(float(v) for v in as_distribution(values if len(values) > 1 else values[0], what="start prices"))
        if len(initial) != vec.shape[0]:
            raise BotError(f"{len(initial)} start prices for {vec.shape[0]} outcomes")
    config = SimulationConfig(truth=tuple(float(v) for v in vec), population=parse_population(bots),
                              initial_prices=initial, **kwargs)  # type: ignore[arg-type]
    check_config(config)
    return config


def check_config(config: SimulationConfig) -> None:
    """Raise BotError (a MarketError) naming the first unusable setting."""
    if config.mechanism not in MECHANISMS:
        raise BotError(f"mechanism {config.mechanism!r} is not one of {list(MECHANISMS)}")
    if config.mechanism == "cpmm" and config.n_outcomes != 2:
        raise BotError(f"CPMM serves binary questions only, not {config.n_outcomes} outcomes; use --mechanism lmsr")
    if not (math.isfinite(config.subsidy) and 0.01 <= config.subsidy <= 1e8):
        raise BotError(f"subsidy {config.subsidy} must be between 0.01 and 1e8")
    if not 1 <= config.steps <= 10_000_000:
        raise BotError(f"steps {config.steps} must be between 1 and 10,000,000")
    p = config.params
    if not (math.isfinite(p.budget) and 0.01 <= p.budget <= 1e8):
        raise BotError(f"budget {p.budget} must be between 0.01 and 1e8")
    if not (math.isfinite(p.noise) and p.noise >= 0):
        raise BotError(f"signal noise {p.noise} must be a finite number >= 0")


@dataclass(frozen=True)
class RunResult:
    """One simulated session.

    path : prices after each step, shape (steps + 1, n); row 0 is the start
    outcome : index of the outcome the market resolved to (drawn from the truth)
    pnl, pnl_expected : profit of each bot (units) when resolved to `outcome` / to the truth
    pnl_marked : profit of each bot before resolution, its shares marked at the final prices
    """

    path: np.ndarray
    truth: np.ndarray
    outcome: int
    bot_names: tuple[str, ...]
    strategies: tuple[str, ...]
    pnl: np.ndarray
    pnl_expected: np.ndarray
    pnl_marked: np.ndarray
    maker_loss: float
    maker_loss_expected: float
    maker_loss_bound: float
    b: float | None
    brier_final: float
    log_score_final: float
    brier_final_expected: float
    orders: int
    rejected: int

    @property
    def final_prices(self) -> np.ndarray:
        return self.path[-1]

    @property
    def error(self) -> np.ndarray:
        """Distance of the price from the truth after each step: ``1/2 sum_i |p_i - t_i|``."""
        return 0.5 * np.abs(self.path - self.truth).sum(axis=1)


def _to_engine(order, trader: str, outcomes: tuple[str, ...], held: tuple[int, ...]) -> Order | None:
    """A bot's intent in units as an engine order in micro-units (None if it rounds to nothing)."""
    if order.side == "buy":
        amount = int(order.amount * MICRO)
        return Order(trader, outcomes[order.outcome], "buy", amount=amount, limit_price=order.limit_price) if amount > 0 else None
    shares = min(int(order.shares * MICRO), held[order.outcome])
    return Order(trader, outcomes[order.outcome], "sell", shares=shares, limit_price=order.limit_price) if shares > 0 else None


def _depth(mechanism: str, state, p: tuple[float, ...], i: int, side: str, target: float) -> float:
    """Money (buy) or shares (sell) that move outcome i to `target`, kept inside the price band
    (the engine's `depth_at`, in units)."""
    return depth_at(mechanism, state, p, i, side, target) / MICRO


def run_market(config: SimulationConfig, rng: np.random.Generator, bots: list[Bot] | None = None) -> RunResult:
    """Simulate one session with `config`; bots are drawn from `rng` unless given."""
    check_config(config)
    truth = np.asarray(config.truth, dtype=float)
    outcomes = config.outcomes()
    if bots is None:
        bots = make_population(config.population, truth, rng, config.params, forecast_belief=config.forecast_belief)
    if not bots:
        raise BotError("a simulation needs at least one bot")
    question = binary_question(config.question) if len(outcomes) == 2 else multiple_choice_question(config.question, outcomes)
    market = create_market(question, config.mechanism, int(round(config.subsidy * MICRO)), config.initial_prices)
    names = tuple(f"{i}:{b.name}" for i, b in enumerate(bots))  # unique engine trader ids
    cash = [int(round(b.budget * MICRO)) for b in bots]
    budgets = [float(b.budget) for b in bots]

    n, steps = len(outcomes), config.steps
    path = np.empty((steps + 1, n))
    ptuple = prices(market)
    path[0] = current = np.array(ptuple)
    who = rng.integers(len(bots), size=steps).tolist()
    zero = (0,) * n
    orders = rejected = 0
    index = {name: i for i, name in enumerate(names)}
    limit = config.max_orders if config.max_orders is not None else math.inf
    depth = partial(_depth, config.mechanism, market.maker, ptuple)
    # A bot's holdings change only when it trades: build them once per change, not per turn.
    holdings: list[Holdings | None] = [None] * len(bots)
    for t in range(steps):
        if orders >= limit:
            path = path[: t + 1]
            break
        k = who[t]
        mine = holdings[k]
        if mine is None:
            acct = market.accounts.get(names[k])
            mine = holdings[k] = Holdings(cash[k] / MICRO, np.array(acct.shares if acct else zero) / MICRO, budgets[k])
        for intent in bots[k].decide(MarketView(current, path[:t], t, depth), mine, rng):
            acct = market.accounts.get(names[k])
            order = _to_engine(intent, names[k], outcomes, acct.shares if acct else zero)
            if order is None:
                continue
            orders += 1
            try:
                market, fill = apply_order(market, order, cash=cash[k])
            except MarketError:
                rejected += 1
                continue
            for trader, delta in fill.balance_changes.items():
                j = index[trader]
                cash[j] += delta
                holdings[j] = None
            holdings[k] = None
            ptuple = fill.prices_after
            current = np.array(ptuple)
            depth = partial(_depth, config.mechanism, market.maker, ptuple)
        path[t + 1] = current
    return _settle(config, market, path, truth, names, bots, rng, orders, rejected)


def _settle(config, market, path, truth, names, bots, rng, orders, rejected) -> RunResult:
    outcomes = config.outcomes()
    outcome = int(rng.choice(len(outcomes), p=truth))
    drawn, _ = resolve(market, outcomes[outcome])
    expected, _ = resolve(market, probability=[float(v) for v in truth])
    final = path[-1]
    one_hot = resolved_truth(drawn)
    per_outcome = [brier(final, np.eye(len(outcomes))[i]) for i in range(len(outcomes))]
    b = getattr(market.maker, "b", None)
    return RunResult(
        path=path,
        truth=truth,
        outcome=outcome,
        bot_names=tuple(b_.name for b_ in bots),
        strategies=tuple(b_.name.rsplit("-", 1)[0] for b_ in bots),
        pnl=np.array([profit(drawn, t).total for t in names]) / MICRO,
        pnl_expected=np.array([profit(expected, t).total for t in names]) / MICRO,
        pnl_marked=np.array([profit(market, t).total for t in names]) / MICRO,
        maker_loss=-drawn.resolution.maker_profit / MICRO,
        maker_loss_expected=-expected.resolution.maker_profit / MICRO,
        maker_loss_bound=loss_bound(market) / MICRO,
        b=None if b is None else b / MICRO,
        brier_final=brier(final, one_hot),
        log_score_final=log_score(final, one_hot),
        brier_final_expected=float(np.dot(truth, per_outcome)),
        orders=orders,
        rejected=rejected,
    )
