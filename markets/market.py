"""The market value: a question, its market maker, traders' accounts and resting orders.

A `Market` is frozen; every operation returns a new one. Money bookkeeping, all in micro-units:

- ``reserve``: what the sponsor puts at risk, the maker's loss bound (the subsidy for CPMM and
  for LMSR from uniform prices; ``-b ln min p0`` for LMSR from a forecast).
- ``collected``: net cash traders have paid the maker (buys minus sales).
- resting buy orders hold their reserved cash in ``LimitOrder.remaining``.

``pool(market) = reserve + collected`` is the maker's cash. Outside the engine, traders'
balances move by exactly the opposite amounts (the `Fill` says which), so
``sum(balances) + pool + reserved cash`` never changes. Resolution pays out of the pool.

The price band: an order may move the price of the outcome it trades only within
``[PRICE_FLOOR, PRICE_CEILING]`` = [0.1%, 99.9%], and no price of any outcome outside
``[PRICE_EPSILON, 1 - PRICE_EPSILON]``; an order that would is refused (PriceOutOfBounds).
So prices stay strictly inside (0, 1), and an unlikely bucket of a multiple-choice question
near 0.1% does not stop trading in the others (they push it lower, down to PRICE_EPSILON).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from markets import cpmm, lmsr
from markets.errors import InvalidOrder, InvalidPrice, UnsupportedMechanism
from markets.money import check_amount
from markets.questions import Question

MECHANISMS = ("lmsr", "cpmm")
PRICE_FLOOR = 0.001
PRICE_CEILING = 0.999
PRICE_EPSILON = 1e-6
BAND_EPS = 1e-9  # stay a hair inside the price band when trading up to it
MAKERS = {"lmsr": lmsr, "cpmm": cpmm}


class FrozenDict(dict):
    """A dict that refuses changes: a read-only mapping that still pickles, copies and dumps."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("market values are immutable: build a new one instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (FrozenDict, (dict(self),))

    def __copy__(self) -> "FrozenDict":
        return self

    def __deepcopy__(self, memo: dict) -> "FrozenDict":
        return self


EMPTY: Mapping = FrozenDict()


@dataclass(frozen=True, slots=True)
class Account:
    """One trader's holdings in one market (micro-units).

    shares : shares held per outcome
    basis : cost basis of the shares held, per outcome (average-cost method)
    invested : cash paid for all buys
    sold : cash received from all sales
    realised : proceeds of sales minus the basis of the shares sold
    """

    shares: tuple[int, ...]
    basis: tuple[int, ...]
    invested: int = 0
    sold: int = 0
    realised: int = 0

    @property
    def net(self) -> int:
        """Net cash put in: what a cancel gives back."""
        return self.invested - self.sold


@dataclass(frozen=True, slots=True)
class LimitOrder:
    """A resting order. `remaining` is reserved cash for a buy, shares left for a sell."""

    order_id: int
    trader: str
    outcome: str
    side: str
    limit_price: float
    remaining: int


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a market ended.

    kind : "outcome", "probability" or "cancel"
    outcome : the winning outcome (kind "outcome")
    probabilities : what one share of each outcome paid (kinds "outcome" and "probability")
    payouts : cash paid to each trader, including reserved cash released from resting orders;
        negative under a cancel when a trader took out more than they put in (a clawback)
    released : reserved cash of resting buy orders returned to each trader (part of payouts)
    maker_profit : what the maker keeps beyond its reserve (>= -reserve)
    """

    kind: str
    outcome: str | None
    probabilities: tuple[float, ...] | None
    payouts: Mapping[str, int]
    released: Mapping[str, int]
    maker_profit: int


@dataclass(frozen=True, slots=True)
class Market:
    """A market: see the module docstring for the money bookkeeping."""

    question: Question
    mechanism: str
    maker: lmsr.LmsrState | cpmm.CpmmState
    subsidy: int
    reserve: int
    accounts: Mapping[str, Account]
    orders: tuple[LimitOrder, ...] = ()
    collected: int = 0
    next_order_id: int = 1
    status: str = "open"
    resolution: Resolution | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def _start_prices(n: int, initial: Sequence[float] | None) -> tuple[float, ...]:
    if initial is None:
        return (1.0 / n,) * n
    start = tuple(initial)
    if len(start) != n:
        raise InvalidPrice(f"{len(start)} initial prices for {n} outcomes")
    for p in start:
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p):
            raise InvalidPrice(f"initial price {p!r} is not a finite number")
        if not PRICE_FLOOR <= p <= PRICE_CEILING:
            raise InvalidPrice(f"initial price {p} is outside [{PRICE_FLOOR}, {PRICE_CEILING}]", value=p,
                               low=PRICE_FLOOR, high=PRICE_CEILING)
    total = math.fsum(start)
    if abs(total - 1.0) > 1e-6:
        raise InvalidPrice(f"initial prices {', '.join(f'{p:g}' for p in start)} sum to {total:g}, not 1")
    return tuple(float(p) / total for p in start)


def create_market(question: Question, mechanism: str, subsidy: int,
                  initial_prices: Sequence[float] | None = None) -> Market:
    """A new open market on `question`, funded by `subsidy` micro-units.

    LMSR serves every kind with ``b = subsidy / ln n``; CPMM serves binary questions with both
    pools at the subsidy and weight = the start YES price. `initial_prices` (one per outcome,
    summing to 1, each in [PRICE_FLOOR, PRICE_CEILING]) defaults to uniform.
    """
    if mechanism not in MAKERS:
        raise UnsupportedMechanism(f"mechanism {mechanism!r} is not one of {list(MECHANISMS)}")
    if not isinstance(question, Question):
        raise UnsupportedMechanism(f"{question!r} is not a Question")
    subsidy = check_amount(subsidy, "subsidy")
    start = _start_prices(len(question.outcomes), initial_prices)
    if mechanism == "cpmm":
        if question.kind != "binary":
            raise UnsupportedMechanism(f"CPMM serves binary questions only, not {question.kind}")
        maker = cpmm.create(subsidy, start[0])
        return Market(question=question, mechanism=mechanism, maker=maker, subsidy=subsidy,
                      reserve=subsidy, accounts=EMPTY)
    maker = lmsr.create(subsidy, start)
    return Market(question=question, mechanism=mechanism, maker=maker, subsidy=subsidy,
                  reserve=lmsr.reserve(maker, subsidy), accounts=EMPTY)


def prices(market: Market) -> tuple[float, ...]:
    """Current price of each outcome, in the question's order: each in (0, 1), summing to 1."""
    return MAKERS[market.mechanism].prices(market.maker)


def price(market: Market, outcome: str) -> float:
    """Current price of one outcome."""
    return prices(market)[market.question.index(outcome)]


def pool(market: Market) -> int:
    """The maker's cash: its reserve plus what traders have paid it, net."""
    return market.reserve + market.collected


def reserved_cash(market: Market, trader: str | None = None) -> int:
    """Cash reserved by resting buy orders (of one trader, or of all)."""
    return sum(o.remaining for o in market.orders
               if o.side == "buy" and (trader is None or o.trader == trader))


def locked_shares(market: Market, trader: str, outcome: str) -> int:
    """Shares of `outcome` that `trader` has promised to resting sell orders."""
    return sum(o.remaining for o in market.orders
               if o.side == "sell" and o.trader == trader and o.outcome == outcome)


def account(market: Market, trader: str) -> Account:
    """The trader's account (an empty one if they never traded)."""
    acct = market.accounts.get(trader)
    if acct is None:
        zeros = (0,) * len(market.question.outcomes)
        return Account(zeros, zeros)
    return acct


def positions(market: Market, trader: str) -> dict[str, int]:
    """Shares held per outcome (micro-shares)."""
    return dict(zip(market.question.outcomes, account(market, trader).shares))


def loss_bound(market: Market) -> int:
    """The most the maker can lose (micro-units): its reserve."""
    return market.reserve


def price_band(p: tuple[float, ...], i: int, side: str) -> float:
    """The furthest price outcome i can reach by a buy (upper) or sale (lower) within the band.

    Trading i scales every other price by the same factor ``(1 - p_i') / (1 - p_i)`` (LMSR and
    binary CPMM alike), so the binding other price is the smallest (buy) or largest (sale).
    """
    pi = p[i]
    others = [v for j, v in enumerate(p) if j != i]
    if side == "buy":
        return min(PRICE_CEILING, 1.0 - PRICE_EPSILON * (1.0 - pi) / min(others))
    return max(PRICE_FLOOR, 1.0 - (1.0 - PRICE_EPSILON) * (1.0 - pi) / max(others))


def is_in_band(p: tuple[float, ...], i: int) -> bool:
    """Whether prices `p` after trading outcome i respect the price band."""
    return (PRICE_FLOOR <= p[i] <= PRICE_CEILING and min(p) >= PRICE_EPSILON
            and max(p) <= 1.0 - PRICE_EPSILON)


def depth_at(mechanism: str, maker: lmsr.LmsrState | cpmm.CpmmState, p: tuple[float, ...],
             i: int, side: str, target: float) -> int:
    """`depth` on a bare maker state with its prices `p` already computed (the fast path)."""
    mk = MAKERS[mechanism]
    if side == "buy":
        goal = min(target, price_band(p, i, "buy") - BAND_EPS)
        return max(0, math.floor(mk.amount_to_price(maker, p, i, goal)))
    goal = max(target, price_band(p, i, "sell") + BAND_EPS)
    return max(0, math.floor(mk.shares_to_price(maker, p, i, goal)))


def depth(market: Market, outcome: str, side: str, target: float) -> int:
    """Micro-units of money (buy) or shares (sell) that move `outcome`'s price to `target`.

    Clipped to the price band, rounded down, 0 if the price is already there: a buy of this
    amount (a sale of these shares) leaves the price at most (at least) `target`. With
    ``target=1.0`` (``0.0``) it is the largest buy (sale) the band allows.
    """
    i = market.question.index(outcome)
    if side not in ("buy", "sell"):
        raise InvalidOrder(f"side {side!r} must be 'buy' or 'sell'")
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not (
            0.0 <= target <= 1.0):
        raise InvalidPrice(f"target price {target!r} must be a number in [0, 1]")
    return depth_at(market.mechanism, market.maker, prices(market), i, side, float(target))
