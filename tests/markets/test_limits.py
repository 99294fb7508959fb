"""Resting limit orders: reservation, filling at the maker's price, cancelling, release."""

from __future__ import annotations

import pytest

import markets as M
from tests.markets.helpers import unpack
from markets import MICRO


@pytest.fixture(params=["lmsr", "cpmm"])
def market(request) -> M.Market:
    return M.create_market(M.binary_question("Will it?"), request.param, 100 * MICRO)


def test_a_resting_buy_waits_then_fills_up_to_its_price(market):
    m, oid, reserved, fills = unpack(M.place_limit_order(
        market, M.Order("ann", "YES", "buy", amount=30 * MICRO, limit_price=0.4), cash=30 * MICRO))
    assert (oid, reserved, fills) == (1, 30 * MICRO, ())
    assert M.reserved_cash(m, "ann") == 30 * MICRO and M.prices(m) == M.prices(market)
    # bob pushes YES down past 0.4: ann's order buys YES until the price is back at 0.4
    m, fill = M.apply_order(m, M.Order("bob", "NO", "buy", amount=60 * MICRO), cash=60 * MICRO)
    (lf,) = fill.limit_fills
    assert (lf.order_id, lf.trader, lf.outcome, lf.side) == (1, "ann", "YES", "buy")
    assert lf.cost / lf.shares <= 0.4  # never worse than the limit
    assert M.prices(m)[0] == pytest.approx(0.4, abs=1e-6)
    assert fill.prices_after == M.prices(m)
    assert M.positions(m, "ann")["YES"] == lf.shares
    (order,) = M.resting_orders(m, "ann")
    assert order.remaining == 30 * MICRO - lf.cost and not lf.is_done
    assert fill.balance_changes == {"bob": -60 * MICRO}  # ann's cash came from her reserve


def test_a_resting_sale_locks_shares_and_fills_when_the_price_rises(market):
    m, buy = M.apply_order(market, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    m, oid, reserved, fills = unpack(M.place_limit_order(
        m, M.Order("ann", "YES", "sell", shares=buy.shares, limit_price=0.6), cash=0))
    assert reserved == 0 and fills == ()
    with pytest.raises(M.InsufficientShares, match="locked in resting orders"):
        M.apply_order(m, M.Order("ann", "YES", "sell", shares=MICRO), cash=0)
    m, fill = M.apply_order(m, M.Order("bob", "YES", "buy", amount=60 * MICRO), cash=10**9)
    (lf,) = fill.limit_fills
    assert lf.side == "sell" and -lf.cost / lf.shares >= 0.6
    assert lf.balance_delta == -lf.cost
    assert fill.balance_changes == {"bob": -60 * MICRO, "ann": -lf.cost}


def test_a_marketable_limit_order_fills_at_once_and_refunds_its_rest(market):
    m, oid, reserved, fills = unpack(M.place_limit_order(
        market, M.Order("ann", "YES", "buy", amount=200 * MICRO, limit_price=0.6), cash=10**9))
    (lf,) = fills
    assert M.prices(m)[0] == pytest.approx(0.6, abs=1e-6)
    assert M.resting_orders(m) != ()  # the rest waits for the price to come back
    m2, released = M.cancel_limit_order(m, oid, "ann")
    assert released == reserved - lf.cost and M.resting_orders(m2) == ()
    small = M.Order("bob", "YES", "buy", amount=2 * MICRO, limit_price=0.7)
    m3, _, reserved3, (lf3,) = unpack(M.place_limit_order(market, small, cash=2 * MICRO))
    assert lf3.is_done and lf3.balance_delta == reserved3 - lf3.cost  # unused dust refunded


def test_reservation_and_ownership_are_enforced(market):
    with pytest.raises(M.InsufficientFunds, match="reserves 5000000 micro"):
        M.place_limit_order(market, M.Order("ann", "YES", "buy", amount=5 * MICRO,
                                            limit_price=0.3), cash=4 * MICRO)
    with pytest.raises(M.InvalidOrder, match="limit_price"):
        M.place_limit_order(market, M.Order("ann", "YES", "buy", amount=MICRO), cash=MICRO)
    with pytest.raises(M.InvalidPrice, match="within"):
        M.place_limit_order(market, M.Order("ann", "YES", "buy", amount=MICRO,
                                            limit_price=0.9999), cash=MICRO)
    with pytest.raises(M.InsufficientShares):
        M.place_limit_order(market, M.Order("ann", "YES", "sell", shares=MICRO,
                                            limit_price=0.3), cash=0)
    m, oid, _, _ = unpack(M.place_limit_order(
        market, M.Order("ann", "YES", "buy", amount=MICRO, limit_price=0.3), cash=MICRO))
    with pytest.raises(M.UnknownOrder, match="no resting order 1 of trader 'bob'"):
        M.cancel_limit_order(m, oid, "bob")
    with pytest.raises(M.UnknownOrder):
        M.cancel_limit_order(m, 99, "ann")


def test_a_trader_filling_their_own_order_never_overdraws(market):
    # ann rests a buy with all her cash, then sells into it herself
    cash = 50 * MICRO
    m, buy = M.apply_order(market, M.Order("ann", "NO", "buy", amount=20 * MICRO), cash=cash)
    cash -= 20 * MICRO
    m, _, reserved, _ = unpack(M.place_limit_order(
        m, M.Order("ann", "YES", "buy", amount=cash, limit_price=0.45), cash=cash))
    cash -= reserved
    assert cash == 0
    with pytest.raises(M.InsufficientFunds):
        M.apply_order(m, M.Order("ann", "NO", "buy", amount=MICRO), cash=cash)
    m, fill = M.apply_order(m, M.Order("ann", "NO", "sell", shares=buy.shares), cash=cash)
    cash += fill.balance_changes["ann"]
    assert cash >= 0


def test_resolution_releases_reserved_cash(market):
    m, _, reserved, _ = unpack(M.place_limit_order(
        market, M.Order("ann", "YES", "buy", amount=5 * MICRO, limit_price=0.2), cash=5 * MICRO))
    for how in ({"outcome": "YES"}, {"probability": 0.5}, {"cancel": True}):
        resolved, payouts = M.resolve(m, **how)
        assert payouts == {"ann": reserved}
        assert resolved.orders == () and resolved.resolution.released == {"ann": reserved}
    with pytest.raises(M.MarketResolved):
        M.cancel_limit_order(resolved, 1, "ann")


def test_resting_orders_on_many_outcomes_settle_and_stop():
    q = M.multiple_choice_question("Which?", ["a", "b", "c"])
    m = M.create_market(q, "lmsr", 30 * MICRO)
    # ann and bob both want a and b cheap; their limits sum past 1, so they compete
    for trader, outcome, lp in (("ann", "a", 0.55), ("bob", "b", 0.55), ("cat", "c", 0.2)):
        m, _, _, _ = unpack(M.place_limit_order(
            m, M.Order(trader, outcome, "buy", amount=40 * MICRO, limit_price=lp), cash=10**9))
    p = M.prices(m)
    assert sum(p) == pytest.approx(1.0)
    assert all(0.001 <= v <= 0.999 for v in p)
    assert M.pool(m) >= max(sum(a.shares[k] for a in m.accounts.values()) for k in range(3))
