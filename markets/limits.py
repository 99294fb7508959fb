"""Resting limit orders, filled against the market maker when its price reaches them.

A resting buy of outcome i at limit L fills whenever the maker's price of i is below L: it buys
until the price reaches L (or its reserved cash runs out), so every fill's average price is at
most L. A resting sale fills whenever the price is above L, selling until it falls to L.
Money is reserved at placement (cash for a buy, shares locked for a sale), so a resting order
can never overdraw. After any trade, resting orders are swept by price priority (the highest
buy limits, then the lowest sale limits; older first) until none can fill.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from markets.errors import (InsufficientFunds, InvalidOrder, InvalidPrice, MarketError,
                            MarketResolved, UnknownOrder)
from markets.execution import (LimitFill, Order, OrderResult, check_cash, check_sellable, trade,
                               validate)
from markets.market import (MAKERS, PRICE_CEILING, PRICE_FLOOR, LimitOrder, Market, depth_at,
                            prices)
from markets.money import MIN_AMOUNT

MAX_SWEEPS = 50


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
        rest = tuple(sorted(rest + (replace(order, remaining=left),), key=lambda o: o.order_id))
    market = replace(market, orders=rest)
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
                      ) -> OrderResult:
    """Rest an order until the maker's price reaches its limit; fill now as far as it can.

    A buy gives `amount` (reserved from `cash` now); a sale gives `shares` (locked now).
    The result's ``reserved`` is what the caller takes from the trader's balance; its
    ``fills`` (the order's own immediate fills) and ``triggered`` (other resting orders they
    set off) each carry the ``balance_delta`` the caller applies.
    """
    i, amount, shares = validate(market, order, now)
    cash = check_cash(cash)
    lp = order.limit_price
    if lp is None:
        raise InvalidOrder("a resting order needs a limit_price", reason="needs_limit")
    if not PRICE_FLOOR <= lp <= PRICE_CEILING:
        raise InvalidPrice(f"limit price {lp} of a resting order must be within "
                           f"[{PRICE_FLOOR}, {PRICE_CEILING}]", value=lp, low=PRICE_FLOOR,
                           high=PRICE_CEILING)
    if order.side == "buy":
        if amount is None:
            raise InvalidOrder("a resting buy gives an amount of money, not shares",
                               reason="resting_buy_amount")
        if amount > cash:
            raise InsufficientFunds(f"{order.trader} reserves {amount} micro for a resting "
                                    f"order but has {cash}", needed=amount, available=cash)
        reserved, size = amount, amount
    else:
        check_sellable(market, order.trader, i, shares)  # type: ignore[arg-type]
        reserved, size = 0, shares
    before = prices(market)
    order_id = market.next_order_id
    resting = LimitOrder(order_id, order.trader, order.outcome, order.side, float(lp), size)
    market = replace(market, orders=market.orders + (resting,), next_order_id=order_id + 1)
    market, all_fills = sweep(market)
    own = tuple(f for f in all_fills if f.order_id == order_id)
    got, cost = sum(f.shares for f in own), sum(f.cost for f in own)
    status = "filled" if any(f.is_done for f in own) else "resting"
    return OrderResult(market, order, status, got, cost, abs(cost) / got if got else None,
                       before, prices(market), order_id=order_id, reserved=reserved, fills=own,
                       triggered=tuple(f for f in all_fills if f.order_id != order_id))


def cancel_limit_order(market: Market, order_id: int, trader: str) -> tuple[Market, int]:
    """Withdraw a resting order; return the market and the reserved cash released to `trader`."""
    if market.status != "open":
        raise MarketResolved(f"market {market.question.title!r} is {market.status}: "
                             "its resting orders were released at resolution",
                             status=market.status)
    order = next((o for o in market.orders if o.order_id == order_id), None)
    if order is None or order.trader != trader:
        raise UnknownOrder(f"no resting order {order_id!r} of trader {trader!r}",
                           order_id=order_id)
    rest = tuple(o for o in market.orders if o.order_id != order_id)
    released = order.remaining if order.side == "buy" else 0
    return replace(market, orders=rest), released


def resting_orders(market: Market, trader: str | None = None) -> tuple[LimitOrder, ...]:
    """Resting orders (of one trader, or all)."""
    return tuple(o for o in market.orders if trader is None or o.trader == trader)
