"""Resolution to an outcome, to a probability, and cancel; payouts and the maker's result."""

from __future__ import annotations

import pytest

import markets as M
from tests.markets.helpers import unpack
from markets import MICRO


def traded(mechanism: str = "lmsr") -> M.Market:
    m = M.create_market(M.binary_question("Will it?"), mechanism, 100 * MICRO)
    m, _ = M.apply_order(m, M.Order("ann", "YES", "buy", amount=30 * MICRO), cash=10**9)
    m, _ = M.apply_order(m, M.Order("bob", "NO", "buy", amount=10 * MICRO), cash=10**9)
    m, fill = M.apply_order(m, M.Order("cat", "YES", "buy", amount=20 * MICRO), cash=10**9)
    m, _ = M.apply_order(m, M.Order("cat", "YES", "sell", shares=fill.shares), cash=0)
    return m


@pytest.mark.parametrize("mechanism", ["lmsr", "cpmm"])
def test_outcome_pays_each_winning_share_one(mechanism):
    m = traded(mechanism)
    resolved, payouts = M.resolve(m, "YES")
    assert payouts == {t: a.shares[0] for t, a in m.accounts.items()}
    assert resolved.status == "resolved" and resolved.resolution.outcome == "YES"
    assert resolved.resolution.probabilities == (1.0, 0.0)
    assert resolved.resolution.maker_profit == m.collected - sum(payouts.values())
    assert resolved.resolution.maker_profit >= -M.loss_bound(m)


def test_probability_pays_the_weighted_shares_rounded_down():
    m = traded()
    resolved, payouts = M.resolve(m, probability=0.3)
    for t, a in m.accounts.items():
        exact = 0.3 * a.shares[0] + 0.7 * a.shares[1]
        assert exact - 1 <= payouts[t] <= exact + 1e-6
    assert resolved.resolution.kind == "probability"
    assert resolved.resolution.probabilities == (0.3, 0.7)


def test_probability_per_outcome_for_multiple_choice():
    q = M.multiple_choice_question("Which?", ["a", "b", "c"])
    m = M.create_market(q, "lmsr", 10 * MICRO)
    m, fill = M.apply_order(m, M.Order("ann", "b", "buy", shares=10 * MICRO), cash=10**9)
    _, payouts = M.resolve(m, probability={"b": 0.25, "c": 0.75})
    assert payouts == {"ann": 2_500_000}
    _, payouts = M.resolve(m, probability=[0.1, 0.2, 0.7])
    assert payouts == {"ann": 2_000_000}
    with pytest.raises(M.InvalidPrice, match="binary questions only"):
        M.resolve(m, probability=0.5)
    with pytest.raises(M.InvalidPrice, match="sum to"):
        M.resolve(m, probability=[0.5, 0.5, 0.5])
    with pytest.raises(M.InvalidPrice, match="outside"):
        M.resolve(m, probability=[1.5, -0.5, 0.0])
    with pytest.raises(M.UnknownOutcome):
        M.resolve(m, probability={"z": 1.0})


def test_cancel_gives_back_net_what_each_put_in():
    m = traded()
    resolved, payouts = M.resolve(m, cancel=True)
    assert payouts == {t: a.invested - a.sold for t, a in m.accounts.items()}
    assert payouts["ann"] == 30 * MICRO and payouts["bob"] == 10 * MICRO
    assert 0 <= payouts["cat"] <= 5  # bought and sold at once: only rounding (micro) kept
    assert resolved.status == "cancelled" and resolved.resolution.maker_profit == 0


def test_a_profitable_seller_owes_the_profit_back_on_cancel():
    m = M.create_market(M.binary_question("Will it?"), "lmsr", 50 * MICRO)
    m, buy = M.apply_order(m, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    m, _ = M.apply_order(m, M.Order("bob", "YES", "buy", amount=40 * MICRO), cash=10**9)
    m, sale = M.apply_order(m, M.Order("ann", "YES", "sell", shares=buy.shares), cash=0)
    assert -sale.cost > 10 * MICRO
    _, payouts = M.resolve(m, cancel=True)
    assert payouts["ann"] == 10 * MICRO + sale.cost < 0  # a clawback restores her balance


def test_resolve_once_with_exactly_one_way():
    m = traded()
    with pytest.raises(M.InvalidOrder, match="exactly one"):
        M.resolve(m)
    with pytest.raises(M.InvalidOrder, match="exactly one"):
        M.resolve(m, "YES", cancel=True)
    with pytest.raises(M.UnknownOutcome):
        M.resolve(m, "PERHAPS")
    resolved, _ = M.resolve(m, "NO")
    with pytest.raises(M.MarketResolved, match="already resolved"):
        M.resolve(resolved, "YES")
    assert M.resolve(m, "YES")[0].resolution.outcome == "YES"  # the old value is still open


@pytest.mark.parametrize("how", [{"outcome": "NO"}, {"probability": 0.8}, {"cancel": True}])
def test_a_resolution_can_be_undone(how):
    m = traded()
    m, _, reserved, _ = unpack(M.place_limit_order(
        m, M.Order("dan", "YES", "buy", amount=3 * MICRO, limit_price=0.05), cash=3 * MICRO))
    resolved, payouts = M.resolve(m, **how)
    reopened, changes = M.unresolve(resolved)
    assert reopened.is_open and reopened.resolution is None and reopened.orders == ()
    assert reopened.accounts == m.accounts and reopened.maker == m.maker
    # net effect for each trader: only the released reservation
    net = {t: payouts.get(t, 0) + changes.get(t, 0) for t in set(payouts) | set(changes)}
    assert {t: v for t, v in net.items() if v} == {"dan": reserved}
    assert M.pool(reopened) == M.pool(m)
    again, payouts2 = M.resolve(reopened, **how)
    assert payouts2 == {t: v for t, v in payouts.items() if t != "dan"}
    with pytest.raises(M.MarketResolved, match="no resolution"):
        M.unresolve(m)
