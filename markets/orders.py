"""Market orders: `quote` says what an order would do, `apply_order` does it.

An order trades with the maker at once; then resting limit orders its price move reached are
filled (see `limits`). A rejected order raises and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from markets.errors import InsufficientFunds, LimitPriceNotMet
from markets.execution import Fill, Order, check_cash, check_sellable, trade, validate
from markets.limits import sweep
from markets.market import MAKERS, Market


def apply_order(market: Market, order: Order, *, cash: int | None,
                now: datetime | None = None) -> tuple[Market, Fill]:
    """Execute `order`; return the new market and the fill.

    `cash` is the trader's available balance in micro-units: InsufficientFunds if the order
    costs more (None skips the check, as `quote` does). `now` (a datetime) is checked against
    the question's close time. The caller applies ``fill.balance_changes`` to balances.
    """
    i, amount, shares = validate(market, order, now)
    if cash is not None:
        cash = check_cash(cash)
    if order.side == "sell":
        check_sellable(market, order.trader, i, shares)  # type: ignore[arg-type]
    new, got, cost, before, after = trade(market, order.trader, i, order.side, amount, shares)
    average = abs(cost) / got
    lp = order.limit_price
    if lp is not None and (average > lp if order.side == "buy" else average < lp):
        raise LimitPriceNotMet(f"{order.side} of {order.outcome!r} would average {average:.6f}, "
                               f"worse than the limit price {lp}")
    if cash is not None and cost > cash:
        raise InsufficientFunds(f"{order.trader}'s order costs {cost} micro but the available "
                                f"balance is {cash}")
    limit_fills: tuple = ()
    if new.orders:
        new, limit_fills = sweep(new)
        if limit_fills:
            after = MAKERS[new.mechanism].prices(new.maker)
    return new, Fill(order.trader, order.outcome, order.side, got, cost, average, before, after,
                     limit_fills)


def quote(market: Market, order: Order, *, now: datetime | None = None) -> Fill:
    """What `order` would do now (shares, cost, prices, triggered fills), without doing it."""
    return apply_order(market, order, cash=None, now=now)[1]
