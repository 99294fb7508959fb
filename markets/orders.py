"""Market orders: `quote` says what an order would do, `apply_order` does it, `execute` does
either kind of order (market or resting) and returns one `OrderResult`.

An order trades with the maker at once; then resting limit orders its price move reached are
filled (see `limits`). A rejected order raises and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from markets.errors import InsufficientFunds, LimitPriceNotMet
from markets.execution import (Fill, Order, OrderResult, check_cash, check_sellable, trade,
                               validate)
from markets.limits import place_limit_order, sweep
from markets.market import MAKERS, Market, account, locked_shares
from markets.sizing import largest_at_limit


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
    elif cash is not None and amount is not None and amount > cash:  # known before trading
        raise _no_funds(order, amount, cash)
    new, got, cost, before, after = trade(market, order.trader, i, order.side, amount, shares)
    average = abs(cost) / got
    lp = order.limit_price
    if lp is not None and (average > lp if order.side == "buy" else average < lp):
        raise _limit_not_met(market, order, i, average, lp)
    if cash is not None and cost > cash:
        raise _no_funds(order, cost, cash)
    limit_fills: tuple = ()
    if new.orders:
        new, limit_fills = sweep(new)
        if limit_fills:
            after = MAKERS[new.mechanism].prices(new.maker)
    return new, Fill(order.trader, order.outcome, order.side, got, cost, average, before, after,
                     limit_fills)


def _no_funds(order: Order, cost: int, cash: int) -> InsufficientFunds:
    return InsufficientFunds(f"{order.trader}'s order costs {cost} micro but the available "
                             f"balance is {cash}", needed=cost, available=cash)


def _limit_not_met(market: Market, order: Order, i: int, average: float,
                   lp: float) -> LimitPriceNotMet:
    is_shares = order.amount is None
    cap = None
    if order.side == "sell":
        held = account(market, order.trader).shares[i]
        cap = held - locked_shares(market, order.trader, order.outcome)
    largest = largest_at_limit(market, i, order.side, lp, is_shares=is_shares, cap=cap)
    return LimitPriceNotMet(f"{order.side} of {order.outcome!r} would average {average:.6f}, "
                            f"worse than the limit price {lp}", outcome=order.outcome,
                            side=order.side, average=average, limit=lp, largest=largest,
                            is_shares=is_shares)


def quote(market: Market, order: Order, *, now: datetime | None = None) -> Fill:
    """What `order` would do now (shares, cost, prices, triggered fills), without doing it."""
    return apply_order(market, order, cash=None, now=now)[1]


def execute(market: Market, order: Order, *, cash: int | None, now: datetime | None = None,
            is_resting: bool = False) -> OrderResult:
    """Execute a market order (`apply_order`) or rest a limit order (`place_limit_order`).

    Either way the answer is one `OrderResult`: what the order did and the market after it.
    `cash` None skips the funds check of a market order (a quote); a resting order always
    reserves from `cash`.
    """
    if is_resting:
        return place_limit_order(market, order, cash=cash, now=now)  # type: ignore[arg-type]
    new, fill = apply_order(market, order, cash=cash, now=now)
    return OrderResult(new, order, "filled", fill.shares, fill.cost, fill.average_price,
                       fill.prices_before, fill.prices_after, triggered=fill.limit_fills)
