"""Orders and fills, their validation, and the one primitive that trades with the maker.

`trade` moves shares and cash between one trader's account and the market maker and checks
the price band; it knows nothing of funds or limit prices (the callers in `orders` and
`limits` do). Signs: a fill's ``cost`` is what the trader pays, negative for a sale's proceeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from markets.errors import (InvalidAmount, InvalidOrder, InvalidPrice, InsufficientShares,
                            MarketClosed, MarketError, MarketResolved, PriceOutOfBounds)
from markets.market import (MAKERS, PRICE_CEILING, PRICE_EPSILON, PRICE_FLOOR,
                            FrozenDict, Market, account, is_in_band, locked_shares)
from markets.money import MIN_AMOUNT, check_amount
from markets.sizing import largest_in_band

SIDES = ("buy", "sell")


@dataclass(frozen=True, slots=True)
class Order:
    """An order: buy `amount` micro of an outcome (or exactly `shares`), or sell `shares`.

    limit_price : the worst average price accepted (highest for a buy, lowest for a sale);
        for a resting order (`place_limit_order`), the price at which it fills.
    """

    trader: str
    outcome: str
    side: str
    amount: int | None = None
    shares: int | None = None
    limit_price: float | None = None


@dataclass(frozen=True, slots=True)
class LimitFill:
    """A resting order's fill, triggered by some trade; it belongs to the order's trader.

    cost : paid from the order's reserved cash (buy), or minus the proceeds (sale)
    balance_delta : cash the caller must add to the trader's balance now: a sale's proceeds,
        or a finished buy order's unused reserve
    is_done : the order is finished and no longer rests
    """

    order_id: int
    trader: str
    outcome: str
    side: str
    shares: int
    cost: int
    balance_delta: int
    is_done: bool
    prices_after: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Fill:
    """What an order did.

    shares : micro-shares bought or sold
    cost : micro-units the trader paid; negative for a sale (minus its proceeds)
    average_price : |cost| / shares
    prices_before, prices_after : all prices before the order and after it and every resting
        order it triggered
    limit_fills : fills of other (or the same) traders' resting orders it triggered
    """

    trader: str
    outcome: str
    side: str
    shares: int
    cost: int
    average_price: float
    prices_before: tuple[float, ...]
    prices_after: tuple[float, ...]
    limit_fills: tuple[LimitFill, ...] = ()

    @property
    def balance_changes(self) -> dict[str, int]:
        """Every trader's cash change the caller must apply: this trader's and triggered ones."""
        changes = {self.trader: -self.cost}
        for lf in self.limit_fills:
            if lf.balance_delta:
                changes[lf.trader] = changes.get(lf.trader, 0) + lf.balance_delta
        return changes


@dataclass(frozen=True, slots=True)
class OrderResult:
    """What one order did, with the market after it: the one value a shell persists.

    market : the new market state (orders rest in it; every fill is applied)
    order : the order as given
    status : "filled" (a market order, or a resting order that filled in full at once) or
        "resting" (it rests, perhaps partly filled)
    shares, cost : what the order itself bought or sold now (micro-units; cost is negative
        for a sale's proceeds)
    average_price : |cost| / shares, None when nothing filled yet
    prices_before, prices_after : every price before the order, and after it and every
        resting order it triggered
    order_id : the engine's id of a resting order (None for a market order)
    reserved : cash moved from the trader's balance into the order's reserve (a resting buy)
    fills : the order's own fills as a resting order (empty for a market order)
    triggered : other resting orders' fills that this order triggered
    """

    market: Market
    order: Order
    status: str
    shares: int
    cost: int
    average_price: float | None
    prices_before: tuple[float, ...]
    prices_after: tuple[float, ...]
    order_id: int | None = None
    reserved: int = 0
    fills: tuple[LimitFill, ...] = ()
    triggered: tuple[LimitFill, ...] = ()

    @property
    def is_resting(self) -> bool:
        return self.order_id is not None

    @property
    def balance_changes(self) -> dict[str, int]:
        """Every trader's cash change the caller must apply (this trader's and triggered ones)."""
        trader = self.order.trader
        changes = {trader: -self.reserved if self.is_resting else -self.cost}
        for lf in self.fills + self.triggered:
            if lf.balance_delta:
                changes[lf.trader] = changes.get(lf.trader, 0) + lf.balance_delta
        return changes


def check_tradable(market: Market, now: datetime | None) -> None:
    """Raise MarketResolved or MarketClosed if the market takes no orders at `now`."""
    if market.status != "open":
        raise MarketResolved(f"market {market.question.title!r} is {market.status}",
                             status=market.status)
    closes = market.question.closes_at
    if now is not None and closes is not None:
        try:
            is_closed = now >= closes
        except TypeError:
            raise MarketError(f"cannot compare now={now!r} with closes_at={closes!r}: "
                              "use both timezone-aware or both naive") from None
        if is_closed:
            raise MarketClosed(f"market {market.question.title!r} closed at {closes.isoformat()}",
                               closes_at=closes)


def validate(market: Market, order: Order, now: datetime | None
             ) -> tuple[int, int | None, int | None]:
    """Check the order's form against the market; return (outcome index, amount, shares)."""
    check_tradable(market, now)
    if not isinstance(order, Order):
        raise InvalidOrder(f"{order!r} is not an Order", reason="type")
    if not isinstance(order.trader, str) or not order.trader:
        raise InvalidOrder(f"trader {order.trader!r} must be a non-empty string", reason="trader")
    if order.side not in SIDES:
        raise InvalidOrder(f"side {order.side!r} must be 'buy' or 'sell'", reason="side")
    i = market.question.index(order.outcome)
    amount = shares = None
    if order.side == "buy":
        if (order.amount is None) == (order.shares is None):
            raise InvalidOrder("a buy gives exactly one of amount (money) or shares, "
                               f"got amount={order.amount!r}, shares={order.shares!r}",
                               reason="amount_or_shares")
        if order.amount is not None:
            amount = check_amount(order.amount, "amount")
        else:
            shares = check_amount(order.shares, "shares")
    else:
        if order.amount is not None or order.shares is None:
            raise InvalidOrder(f"a sale gives shares (not amount), got amount={order.amount!r}, "
                               f"shares={order.shares!r}", reason="sale_shares")
        shares = check_amount(order.shares, "shares", minimum=1)
    lp = order.limit_price
    if lp is not None:
        if isinstance(lp, bool) or not isinstance(lp, (int, float)) or not math.isfinite(lp):
            raise InvalidPrice(f"limit price {lp!r} is not a finite number", value=lp)
        if not 0.0 < lp < 1.0:
            raise InvalidPrice(f"limit price {lp} must be strictly between 0 and 1", value=lp,
                               low=0.0, high=1.0)
    return i, amount, shares


def check_cash(cash: object) -> int:
    """The trader's available cash as an int of micro-units (it may be 0 or negative)."""
    if isinstance(cash, bool) or not isinstance(cash, (int, float)) or (
            isinstance(cash, float) and not (math.isfinite(cash) and cash.is_integer())):
        raise InvalidAmount(f"cash {cash!r} must be an int of micro-units", what="cash",
                            reason="type", value=cash)
    return int(cash)


def check_sellable(market: Market, trader: str, i: int, shares: int) -> None:
    """Raise InsufficientShares (or dust) unless `trader` can sell `shares` of outcome i."""
    outcome = market.question.outcomes[i]
    held = account(market, trader).shares[i]
    free = held - locked_shares(market, trader, outcome) if market.orders else held
    if shares < MIN_AMOUNT and shares != held:
        raise InvalidAmount(f"shares {shares} micro is dust: sell at least {MIN_AMOUNT} "
                            f"or all {held} held", what="shares", reason="dust", value=shares,
                            limit=MIN_AMOUNT)
    if shares > free:
        raise InsufficientShares(f"{trader} sells {shares} micro-shares of {outcome!r} but holds "
                                 f"{held}, of which {held - free} are locked in resting orders",
                                 outcome=outcome, needed=shares, available=max(0, free),
                                 locked=held - free)


def trade(market: Market, trader: str, i: int, side: str, amount: int | None,
          shares: int | None) -> tuple[Market, int, int, tuple[float, ...], tuple[float, ...]]:
    """Trade with the maker; return (market, shares, signed cost, prices before, after)."""
    mk = MAKERS[market.mechanism]
    before = mk.prices(market.maker)
    if side == "buy":
        if amount is not None:
            got, maker = mk.buy_amount(market.maker, before, i, amount)
            cost = amount
            if got <= 0:
                raise InvalidAmount(f"amount {amount} micro buys no share of "
                                    f"{market.question.outcomes[i]!r}", reason="buys_nothing",
                                    value=amount)
        else:
            got = shares  # type: ignore[assignment]
            cost, maker = mk.buy_shares(market.maker, before, i, got)
    else:
        got = shares  # type: ignore[assignment]
        proceeds, maker = mk.sell_shares(market.maker, before, i, got)
        cost = -proceeds
    after = mk.prices(maker)
    if not is_in_band(after, i):
        what = f"{side}ing {market.question.outcomes[i]!r}"
        is_shares = side == "sell" or amount is None
        raise PriceOutOfBounds(f"{what} would move prices to {[float(f'{p:.6g}') for p in after]}: "
                               f"the traded price must stay in [{PRICE_FLOOR}, {PRICE_CEILING}] "
                               f"and every price in [{PRICE_EPSILON}, {1 - PRICE_EPSILON}]",
                               outcome=market.question.outcomes[i], side=side,
                               largest=largest_in_band(market, i, side, is_shares=is_shares),
                               is_shares=is_shares, low=PRICE_FLOOR, high=PRICE_CEILING)
    acct = market.accounts.get(trader) or account(market, trader)
    held, basis = acct.shares[i], acct.basis[i]
    if side == "buy":
        new_acct = replace(acct, shares=acct.shares[:i] + (held + got,) + acct.shares[i + 1:],
                           basis=acct.basis[:i] + (basis + cost,) + acct.basis[i + 1:],
                           invested=acct.invested + cost)
    else:
        if got > held:
            raise InsufficientShares(f"{trader} sells {got} micro-shares but holds {held}",
                                     outcome=market.question.outcomes[i], needed=got,
                                     available=held)
        removed = basis if got == held else basis * got // held
        new_acct = replace(acct, shares=acct.shares[:i] + (held - got,) + acct.shares[i + 1:],
                           basis=acct.basis[:i] + (basis - removed,) + acct.basis[i + 1:],
                           sold=acct.sold - cost, realised=acct.realised - cost - removed)
    accounts = dict(market.accounts)
    accounts[trader] = new_acct
    new = replace(market, maker=maker, accounts=FrozenDict(accounts),
                  collected=market.collected + cost)
    return new, got, cost, before, after
