"""Market orders: fills, quotes, and every refusal with its message and an unchanged state."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import markets as M
from markets import MICRO

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


@pytest.fixture(params=["lmsr", "cpmm"])
def market(request) -> M.Market:
    q = M.binary_question("Will it?", closes_at=NOW + timedelta(days=30))
    return M.create_market(q, request.param, 100 * MICRO)


def test_a_fill_reports_everything_the_caller_needs(market):
    m, fill = M.apply_order(market, M.Order("ann", "YES", "buy", amount=10 * MICRO),
                            cash=50 * MICRO, now=NOW)
    assert fill.cost == 10 * MICRO and fill.shares > 10 * MICRO
    assert fill.average_price == pytest.approx(fill.cost / fill.shares)
    assert fill.prices_before == (0.5, 0.5) and fill.prices_after == M.prices(m)
    assert fill.balance_changes == {"ann": -10 * MICRO}
    assert M.positions(m, "ann") == {"YES": fill.shares, "NO": 0}
    assert M.pool(m) == 110 * MICRO and market.collected == 0  # the input is untouched
    m, sale = M.apply_order(m, M.Order("ann", "YES", "sell", shares=fill.shares), cash=0)
    assert sale.cost < 0 and sale.balance_changes == {"ann": -sale.cost}
    assert M.positions(m, "ann")["YES"] == 0


def test_quote_is_apply_without_the_doing(market):
    order = M.Order("ann", "NO", "buy", amount=7 * MICRO)
    assert M.quote(market, order) == M.apply_order(market, order, cash=7 * MICRO)[1]
    assert M.quote(market, order).cost == 7 * MICRO  # a quote needs no cash


def refused(market, order, error, match, **kw):
    before = M.to_dict(market)
    with pytest.raises(error, match=match):
        M.apply_order(market, order, **{"cash": 100 * MICRO, **kw})
    assert M.to_dict(market) == before


def test_unknown_outcome(market):
    refused(market, M.Order("ann", "MAYBE", "buy", amount=MICRO), M.UnknownOutcome,
            r"'MAYBE' is not one of \['YES', 'NO'\]")


def test_insufficient_funds(market):
    refused(market, M.Order("ann", "YES", "buy", amount=20 * MICRO), M.InsufficientFunds,
            "costs 20000000 micro but the available balance is 19999999", cash=20 * MICRO - 1)
    refused(market, M.Order("ann", "YES", "buy", shares=20 * MICRO), M.InsufficientFunds,
            "available balance is 0", cash=0)


def test_selling_shares_not_held(market):
    m, fill = M.apply_order(market, M.Order("ann", "YES", "buy", amount=MICRO), cash=MICRO)
    refused(m, M.Order("ann", "YES", "sell", shares=fill.shares + 1), M.InsufficientShares,
            f"sells {fill.shares + 1} micro-shares of 'YES' but holds {fill.shares}")
    refused(m, M.Order("bob", "NO", "sell", shares=MICRO), M.InsufficientShares, "holds 0")


@pytest.mark.parametrize("bad,match", [
    (float("nan"), "nan is not a finite"), (float("inf"), "inf is not a finite"),
    (0, "0 micro must be positive"), (-MICRO, "must be positive"), (999, "dust"),
    (10**16, "absurdly large"), (0.5, "not a whole number"), ("5", "must be an int"),
    (True, "must be an int"),
])
def test_bad_amounts(market, bad, match):
    refused(market, M.Order("ann", "YES", "buy", amount=bad), M.InvalidAmount, match)
    refused(market, M.Order("ann", "YES", "buy", shares=bad), M.InvalidAmount, match)


def test_dust_sale_is_refused_unless_it_sells_everything(market):
    m, fill = M.apply_order(market, M.Order("ann", "YES", "buy", amount=MICRO), cash=MICRO)
    refused(m, M.Order("ann", "YES", "sell", shares=999), M.InvalidAmount, "dust")
    m, sale = M.apply_order(m, M.Order("ann", "YES", "sell", shares=fill.shares - 500), cash=0)
    m, sale = M.apply_order(m, M.Order("ann", "YES", "sell", shares=500), cash=0)  # the rest
    assert M.positions(m, "ann")["YES"] == 0


@pytest.mark.parametrize("order,error,match", [
    (M.Order("ann", "YES", "hold", amount=MICRO), M.InvalidOrder, "side 'hold'"),
    (M.Order("ann", "YES", "buy"), M.InvalidOrder, "exactly one of amount"),
    (M.Order("ann", "YES", "buy", amount=MICRO, shares=MICRO), M.InvalidOrder, "exactly one"),
    (M.Order("ann", "YES", "sell", amount=MICRO), M.InvalidOrder, "a sale gives shares"),
    (M.Order("", "YES", "buy", amount=MICRO), M.InvalidOrder, "trader ''"),
    (M.Order("ann", "YES", "buy", amount=MICRO, limit_price=float("nan")), M.InvalidPrice,
     "not a finite"),
    (M.Order("ann", "YES", "buy", amount=MICRO, limit_price=1.2), M.InvalidPrice, "between"),
])
def test_malformed_orders(market, order, error, match):
    refused(market, order, error, match)


def test_limit_price_is_the_worst_average_accepted(market):
    refused(market, M.Order("ann", "YES", "buy", amount=10 * MICRO, limit_price=0.51),
            M.LimitPriceNotMet, "worse than the limit price 0.51")
    m, fill = M.apply_order(market, M.Order("ann", "YES", "buy", amount=10 * MICRO,
                                            limit_price=0.53), cash=10 * MICRO)
    assert fill.average_price <= 0.53
    refused(m, M.Order("ann", "YES", "sell", shares=fill.shares,
                       limit_price=fill.average_price + 1e-6),
            M.LimitPriceNotMet, "worse than the limit price")


def test_closed_and_resolved_markets_take_no_orders(market):
    order = M.Order("ann", "YES", "buy", amount=MICRO)
    refused(market, order, M.MarketClosed, "closed at 2026-12-25", now=NOW + timedelta(days=31))
    refused(market, order, M.MarketError, "timezone", now=datetime(2026, 12, 1))
    resolved, _ = M.resolve(market, "NO")
    refused(resolved, order, M.MarketResolved, "is resolved")
    cancelled, _ = M.resolve(market, cancel=True)
    refused(cancelled, order, M.MarketResolved, "is cancelled")


def test_prices_stay_in_band(market):
    refused(market, M.Order("ann", "YES", "buy", amount=10**12), M.PriceOutOfBounds,
            r"the traded price must stay in \[0.001, 0.999\]", cash=10**12)


def test_an_unlikely_bucket_does_not_freeze_the_others():
    q = M.multiple_choice_question("Which?", ["a", "b", "c", "d"])
    m = M.create_market(q, "lmsr", 20 * MICRO, (0.001, 0.001, 0.499, 0.499))
    m, _ = M.apply_order(m, M.Order("ann", "c", "buy", amount=5 * MICRO), cash=10**9)
    m, _ = M.apply_order(m, M.Order("bob", "d", "buy", amount=9 * MICRO), cash=10**9)
    p = M.prices(m)
    assert p[0] < M.PRICE_FLOOR and p[0] >= M.PRICE_EPSILON  # pushed below 0.1% by others
    with pytest.raises(M.PriceOutOfBounds, match="every price"):
        M.apply_order(m, M.Order("bob", "d", "buy", amount=10**12), cash=10**12)
    m, _ = M.apply_order(m, M.Order("cat", "a", "buy", amount=MICRO // 100), cash=10**9)


def test_every_error_is_a_market_error():
    for name in M.__all__:
        obj = getattr(M, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, M.MarketError)
            assert obj.__doc__


def test_depth_says_how_far_an_order_can_go(market):
    amount = M.depth(market, "YES", "buy", 0.6)
    m, fill = M.apply_order(market, M.Order("ann", "YES", "buy", amount=amount), cash=amount)
    assert M.prices(m)[0] == pytest.approx(0.6, abs=1e-6) and M.prices(m)[0] <= 0.6
    shares = M.depth(m, "YES", "sell", 0.55)
    m2, _ = M.apply_order(m, M.Order("ann", "YES", "sell", shares=shares), cash=0)
    assert M.prices(m2)[0] == pytest.approx(0.55, abs=1e-6) and M.prices(m2)[0] >= 0.55
    assert M.depth(m, "YES", "buy", 0.2) == 0  # already above
    most = M.depth(market, "NO", "buy", 1.0)  # the largest buy the price band allows
    m3, _ = M.apply_order(market, M.Order("bob", "NO", "buy", amount=most), cash=most)
    assert M.prices(m3)[1] == pytest.approx(M.PRICE_CEILING, abs=1e-6)
    with pytest.raises(M.PriceOutOfBounds):
        M.apply_order(m3, M.Order("bob", "NO", "buy", amount=M.MIN_AMOUNT * 100), cash=10**9)
    with pytest.raises(M.InvalidPrice):
        M.depth(market, "YES", "buy", float("nan"))


@pytest.mark.parametrize("cash", [float("nan"), float("inf"), "100", 1.5])
def test_cash_must_be_a_number_of_micro_units(market, cash):
    refused(market, M.Order("ann", "YES", "buy", amount=MICRO), M.InvalidAmount,
            "cash .* must be an int", cash=cash)
    with pytest.raises(M.InvalidAmount):
        M.place_limit_order(market, M.Order("ann", "YES", "buy", amount=MICRO, limit_price=0.3),
                            cash=cash)
