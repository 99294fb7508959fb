"""One typed result per order, and typed errors whose fields say what would have worked."""

from __future__ import annotations

import dataclasses

import pytest

import markets as M
from markets import MICRO


@pytest.fixture(params=["lmsr", "cpmm"])
def market(request) -> M.Market:
    return M.create_market(M.binary_question("Will it?"), request.param, 100 * MICRO)


def test_execute_returns_one_result_for_a_market_order(market):
    r = M.execute(market, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=50 * MICRO)
    assert isinstance(r, M.OrderResult) and r.status == "filled" and r.order_id is None
    assert r.cost == 10 * MICRO and r.shares > 10 * MICRO and r.reserved == 0
    assert r.average_price == pytest.approx(r.cost / r.shares)
    assert r.prices_before == (0.5, 0.5) and r.prices_after == M.prices(r.market)
    assert r.balance_changes == {"ann": -10 * MICRO}
    assert M.positions(r.market, "ann")["YES"] == r.shares


def test_a_resting_order_that_fills_at_once_reports_its_own_fills(market):
    r = M.execute(market, M.Order("ann", "YES", "buy", amount=200 * MICRO, limit_price=0.6),
                  cash=10**9, is_resting=True)
    assert r.order_id == 1 and r.reserved == 200 * MICRO and len(r.fills) == 1
    assert r.status == "resting" and r.shares == r.fills[0].shares and r.cost == r.fills[0].cost
    assert r.prices_after[0] == pytest.approx(0.6, abs=1e-6) and r.triggered == ()
    assert r.balance_changes == {"ann": -200 * MICRO}  # the rest stays reserved
    bob = M.execute(r.market, M.Order("bob", "NO", "buy", amount=30 * MICRO), cash=10**9)
    assert [f.trader for f in bob.triggered] == ["ann"]  # bob's buy of NO let ann's order fill


def test_states_are_rebuilt_by_name():
    """No positional rebuild of Market is left in the engine: a field added later cannot shift."""
    import inspect

    from markets import execution, limits, resolution
    for module in (execution, limits, resolution):
        assert "Market(market." not in inspect.getsource(module)
    assert dataclasses.is_dataclass(M.OrderResult)


def test_insufficient_funds_carries_needed_and_available(market):
    with pytest.raises(M.InsufficientFunds) as e:
        M.execute(market, M.Order("7", "YES", "buy", amount=15 * MICRO), cash=10 * MICRO)
    assert (e.value.needed, e.value.available) == (15 * MICRO, 10 * MICRO)
    with pytest.raises(M.InsufficientFunds) as e:
        M.execute(market, M.Order("7", "YES", "buy", amount=15 * MICRO, limit_price=0.3),
                  cash=10 * MICRO, is_resting=True)
    assert (e.value.needed, e.value.available) == (15 * MICRO, 10 * MICRO)


def test_insufficient_shares_carries_needed_available_and_locked(market):
    m = M.execute(market, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    held = m.shares
    m = M.execute(m.market, M.Order("ann", "YES", "sell", shares=held // 2, limit_price=0.9),
                  cash=0, is_resting=True).market
    with pytest.raises(M.InsufficientShares) as e:
        M.execute(m, M.Order("ann", "YES", "sell", shares=held), cash=0)
    assert (e.value.outcome, e.value.needed, e.value.locked) == ("YES", held, held // 2)
    assert e.value.available == held - held // 2


def test_too_large_for_the_band_says_the_largest_that_fills(market):
    with pytest.raises(M.PriceOutOfBounds) as e:
        M.execute(market, M.Order("ann", "YES", "buy", amount=10**6 * MICRO), cash=None)
    largest = e.value.largest
    assert 0 < largest < 10**6 * MICRO and not e.value.is_shares
    r = M.execute(market, M.Order("ann", "YES", "buy", amount=largest), cash=None)
    assert r.prices_after[0] <= M.PRICE_CEILING
    with pytest.raises(M.PriceOutOfBounds):
        M.execute(market, M.Order("ann", "YES", "buy", amount=largest + MICRO), cash=None)


def test_limit_not_met_says_the_largest_that_fills_at_the_limit(market):
    with pytest.raises(M.LimitPriceNotMet) as e:
        M.execute(market, M.Order("ann", "YES", "buy", amount=50 * MICRO, limit_price=0.55),
                  cash=None)
    err = e.value
    assert (err.limit, err.side, err.outcome) == (0.55, "buy", "YES") and err.average > 0.55
    assert 0 < err.largest < 50 * MICRO
    ok = M.execute(market, M.Order("ann", "YES", "buy", amount=err.largest, limit_price=0.55),
                   cash=None)
    assert ok.average_price <= 0.55
    with pytest.raises(M.LimitPriceNotMet):
        M.execute(market, M.Order("ann", "YES", "buy", amount=err.largest + 1000,
                                  limit_price=0.55), cash=None)


@pytest.mark.parametrize(("value", "reason"), [(True, "type"), (0, "not_positive"), (-5, "not_positive"),
                                                (999, "dust"), (10**16, "too_large"),
                                                (float("nan"), "not_finite"), (1.5, "fraction")])
def test_invalid_amounts_say_why(value, reason):
    with pytest.raises(M.InvalidAmount) as e:
        M.check_amount(value, "subsidy")
    assert (e.value.what, e.value.reason) == ("subsidy", reason)


def test_other_refusals_carry_fields(market):
    with pytest.raises(M.UnknownOutcome) as e:
        M.execute(market, M.Order("ann", "MAYBE", "buy", amount=MICRO), cash=None)
    assert e.value.outcome == "MAYBE" and e.value.choices == ("YES", "NO")
    with pytest.raises(M.InvalidOrder) as e:
        M.execute(market, M.Order("ann", "YES", "buy"), cash=None)
    assert e.value.reason == "amount_or_shares"
    resolved = M.resolve(market, "YES")[0]
    with pytest.raises(M.MarketResolved) as e:
        M.execute(resolved, M.Order("ann", "YES", "buy", amount=MICRO), cash=None)
    assert e.value.status == "resolved"
