"""Resting limit orders, filled against the market maker when its price reaches them.

A resting buy of outcome i at limit L fills whenever the maker's price of i is below L: it buys
until the price reaches L (or its reserved cash runs out), so every fill's average price is at
most L. A resting sale fills whenever the price is above L, selling until it falls to L.
Money is reserved at placement (cash for a buy, shares locked for a sale), so a resting order
can never overdraw. After any trade, resting orders are swept by price priority (the highest
buy limits, then the lowest sale limits; older first) until none can fill.
"""

from __future__ import annotations

from datetime import datetime

from markets.errors import (InsufficientFunds, InvalidOrder, InvalidPrice, MarketError,
                            MarketResolved, UnknownOrder)
from markets.execution import LimitFill, Order, check_cash, check_sellable, trade, validate
from markets.market import MAKERS, PRICE_CEILING, PRICE_FLOOR, LimitOrder, Market, depth_at
from markets.money import MIN_AMOUNT

MAX_SWEEPS = 50


def _with_orders(market: Market, orders: tuple[LimitOrder, ...], next_id: int) -> Market:
    return Market(market.question, market.mechanism, market.maker, market.subsidy,
                  market.reserve, market.accounts, orders, market.collected, next_id,
                  market.status, market.resolution)


def _priority(o: LimitOrder) -> tuple[int, float, int]:
    return (0, -o.limit_price, o.order_id) if o.side == "buy" else (1, o.limit_price, o.order_id)


def _fill_one(market: Market, order: LimitOrder) -> tuple[Market, LimitFill | None]:
    p = MAKERS[market.mechanism].prices(market.maker)
    i = market.question.index(order.outcome)
    if order.side == "buy":
        if p[i] >= order.limit_price:
            return market, None
        size = min(order.remaining,
                   depth_at(market.mechanism, market.maker, p, i, "buy", order.limit_price))
        if size < MIN_AMOUNT:
            return market, None
        amount, shares = size, None
    else:
        if p[i] <= order.limit_price:
            return market, None
        size = min(order.remaining,
                   depth_at(market.mechanism, market.maker, p, i, "sell", order.limit_price))
        if size <= 0 or (size < MIN_AMOUNT and size != order.remaining):
            return market, None
        amount, shares = None, size
    try:
        market, got, cost, _, after = trade(market, order.trader, i, order.side, amount, shares)
    except MarketError:  # e.g. the band: a resting order never blocks someone else's trade
        return market, None
    left = order.remaining - size
    if order.side == "buy":
        is_done = left < MIN_AMOUNT
        delta = left if is_done else 0
    else:
        is_done = left == 0
        delta = -cost
    rest = tuple(o for o in market.orders if o.order_id != order.order_id)
    if not is_done:
        rest = tuple(sorted(rest + (LimitOrder(order.order_id, order.trader, order.outcome,
                                               order.side, order.limit_price, left),),
                            key=lambda o: o.order_id))
    market = _with_orders(market, rest, market.next_order_id)
    return market, LimitFill(order.order_id, order.trader, order.outcome, order.side, got,
                             cost, delta, is_done, after)


def sweep(market: Market) -> tuple[Market, tuple[LimitFill, ...]]:
    """Fill every resting order the maker's prices have reached; return the fills."""
    if not market.orders:
        return market, ()
    fills: list[LimitFill] = []
    for _ in range(MAX_SWEEPS):
        progressed = False
        for order_id in [o.order_id for o in sorted(market.orders, key=_priority)]:
            order = next((o for o in market.orders if o.order_id == order_id), None)
            if order is None:
                continue
            market, fill = _fill_one(market, order)
            if fill is not None:
                fills.append(fill)
                progressed = True
        if not progressed:
            break
    return market, tuple(fills)


def place_limit_order(market: Market, order: Order, *, cash: int, now: datetime | None = None
                      ) -> tuple[Market, int, int, tuple[LimitFill, ...]]:
    """Rest an order until the maker's price reaches its limit; fill now as far as it can.

    A buy gives `amount` (reserved from `cash` now); a sale gives `shares` (locked now).
    Returns ``(market, order_id, reserved_cash, fills)``: the caller takes `reserved_cash` from
    the trader's balance and applies each fill's ``balance_delta`` (the new order's own
    immediate fills, and any other resting orders they triggered, are among `fills`).
    """
    i, amount, shares = validate(market, order, now)
    cash = check_cash(cash)
    lp = order.limit_price
    if lp is None:
        raise InvalidOrder("a resting order needs a limit_price")
    if not PRICE_FLOOR <= lp <= PRICE_CEILING:
        raise InvalidPrice(f"limit price {lp} of a resting order must be within "
                           f"[{PRICE_FLOOR}, {PRICE_CEILING}]")
    if order.side == "buy":
        if amount is None:
            raise InvalidOrder("a resting buy gives an amount of money, not shares")
        if amount > cash:
            raise InsufficientFunds(f"{order.trader} reserves {amount} micro for a resting "
                                    f"order but has {cash}")
        reserved, size = amount, amount
    else:
        check_sellable(market, order.trader, i, shares)  # type: ignore[arg-type]
        reserved, size = 0, shares
    order_id = market.next_order_id
    resting = LimitOrder(order_id, order.trader, order.outcome, order.side, float(lp), size)
    market = _with_orders(market, market.orders + (resting,), order_id + 1)
    market, fills = sweep(market)
    return market, order_id, reserved, fills


def cancel_limit_order(market: Market, order_id: int, trader: str) -> tuple[Market, int]:
    """Withdraw a resting order; return the market and the reserved cash released to `trader`."""
    if market.status != "open":
        raise MarketResolved(f"market {market.question.title!r} is {market.status}: "
                             "its resting orders were released at resolution")
    order = next((o for o in market.orders if o.order_id == order_id), None)
    if order is None or order.trader != trader:
        raise UnknownOrder(f"no resting order {order_id!r} of trader {trader!r}")
    rest = tuple(o for o in market.orders if o.order_id != order_id)
    released = order.remaining if order.side == "buy" else 0
    return _with_orders(market, rest, market.next_order_id), released


def resting_orders(market: Market, trader: str | None = None) -> tuple[LimitOrder, ...]:
    """Resting orders (of one trader, or all)."""
    return tuple(o for o in market.orders if trader is None or o.trader == trader)
