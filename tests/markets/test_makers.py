"""Worked examples: the engine against hand calculations of the published formulas."""

from __future__ import annotations

import math

import pytest

import markets as M
from markets import MICRO
from markets.cpmm import CpmmState
from markets.lmsr import cost as lmsr_cost


def textbook_cost(q: list[float], b: float) -> float:
    """Hanson's C(q) = b ln sum exp(q_i / b), written out naively (small numbers only)."""
    return b * math.log(sum(math.exp(x / b) for x in q))


def test_lmsr_liquidity_is_subsidy_over_ln_n():
    for n in (2, 3, 10, 20):
        q = M.multiple_choice_question("Which?", [f"o{k}" for k in range(n)])
        m = M.create_market(q, "lmsr", 100 * MICRO)
        assert m.maker.b == pytest.approx(100 * MICRO / math.log(n), rel=1e-15)
        assert M.prices(m) == pytest.approx([1 / n] * n)
        assert M.loss_bound(m) == 100 * MICRO


def test_lmsr_cost_of_ten_shares_with_b_100():
    # b = 100 units: buying 10 YES shares costs 100 ln((e^0.1 + 1) / 2) = 5.124947 units
    subsidy = round(100 * math.log(2) * MICRO)  # b = subsidy / ln 2 = 100 units (to 1e-8)
    m = M.create_market(M.binary_question("Will it?"), "lmsr", subsidy)
    m2, fill = M.apply_order(m, M.Order("ann", "YES", "buy", shares=10 * MICRO), cash=10**9)
    hand = 100 * math.log((math.exp(0.1) + 1) / 2)
    assert hand == pytest.approx(5.124947, abs=1e-6)
    assert fill.cost / MICRO == pytest.approx(hand, abs=3e-6)
    assert fill.cost / MICRO >= hand - 1e-6  # rounded up, never below the exact cost
    assert M.prices(m2)[0] == pytest.approx(math.exp(0.1) / (math.exp(0.1) + 1), abs=1e-9)
    assert M.prices(m2)[0] == pytest.approx(0.524979, abs=1e-6)


def test_lmsr_shares_for_a_budget_have_the_closed_form():
    # b = 100 / ln 2 units, budget 10: s = b ln(2 e^(10/b) - 1) = 19.351556 units
    m = M.create_market(M.binary_question("Will it?"), "lmsr", 100 * MICRO)
    b = 100 / math.log(2)
    hand = b * math.log(2 * math.exp(10 / b) - 1)
    assert hand == pytest.approx(19.351556, abs=1e-6)
    m2, fill = M.apply_order(m, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    assert fill.cost == 10 * MICRO
    assert fill.shares / MICRO == pytest.approx(hand, abs=3e-6)
    assert fill.shares / MICRO <= hand  # shares handed out are rounded down
    # and those shares cost exactly the budget by the textbook cost function
    assert textbook_cost([hand, 0], b) - textbook_cost([0, 0], b) == pytest.approx(10, abs=1e-9)


def test_lmsr_three_outcomes_cost_and_prices():
    q = M.multiple_choice_question("Which?", ["a", "b", "c"])
    m = M.create_market(q, "lmsr", 50 * MICRO)
    b = 50 / math.log(3)
    m, f1 = M.apply_order(m, M.Order("ann", "a", "buy", shares=20 * MICRO), cash=10**9)
    m, f2 = M.apply_order(m, M.Order("bob", "c", "buy", shares=5 * MICRO), cash=10**9)
    assert f1.cost / MICRO == pytest.approx(textbook_cost([20, 0, 0], b)
                                            - textbook_cost([0, 0, 0], b), abs=3e-6)
    assert f2.cost / MICRO == pytest.approx(textbook_cost([20, 0, 5], b)
                                            - textbook_cost([20, 0, 0], b), abs=3e-6)
    z = [math.exp(x / b) for x in (20, 0, 5)]
    assert M.prices(m) == pytest.approx([v / sum(z) for v in z], abs=1e-12)
    assert lmsr_cost(m.maker) / MICRO == pytest.approx(
        textbook_cost([20, 0, 5], b) - textbook_cost([0, 0, 0], b), abs=1e-6)


def test_lmsr_sale_returns_the_cost_difference_rounded_down():
    m = M.create_market(M.binary_question("Will it?"), "lmsr", 100 * MICRO)
    b = 100 / math.log(2)
    m, buy = M.apply_order(m, M.Order("ann", "NO", "buy", shares=30 * MICRO), cash=10**9)
    m, sale = M.apply_order(m, M.Order("ann", "NO", "sell", shares=12 * MICRO), cash=0)
    hand = textbook_cost([0, 30], b) - textbook_cost([0, 18], b)
    assert -sale.cost / MICRO == pytest.approx(hand, abs=3e-6)
    assert -sale.cost / MICRO <= hand


def test_lmsr_from_a_forecast_starts_there_and_bounds_its_loss():
    m = M.create_market(M.binary_question("Will it?"), "lmsr", 100 * MICRO, (0.9, 0.1))
    b = 100 * MICRO / math.log(2)
    assert M.prices(m) == pytest.approx((0.9, 0.1))
    assert M.loss_bound(m) == math.ceil(-b * math.log(0.1))  # 332.19 units
    assert M.loss_bound(m) / MICRO == pytest.approx(332.1928, abs=1e-3)
    # push NO as far as the price band allows; if NO wins, the maker's loss stays in bound
    while True:
        try:
            m, _ = M.apply_order(m, M.Order("ann", "NO", "buy", amount=20 * MICRO), cash=10**12)
        except M.PriceOutOfBounds:
            break
    loss = M.account(m, "ann").shares[1] - m.collected
    assert 0 < loss <= M.loss_bound(m)
    assert loss > 0.9 * M.loss_bound(m)  # and the bound is nearly reached: it is tight


def test_cpmm_purchase_follows_the_maniswap_formula():
    # pools y = n = 100, p = 0.5, buy YES with 10: y + M - (k (n+M)^(p-1))^(1/p) = 19.0909
    m = M.create_market(M.binary_question("Will it?"), "cpmm", 100 * MICRO)
    m2, fill = M.apply_order(m, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    y, n, p, amount = 100, 100, 0.5, 10
    k = y**p * n ** (1 - p)
    hand = y + amount - (k * (n + amount) ** (p - 1)) ** (1 / p)
    assert hand == pytest.approx(110 - 10000 / 110)
    assert fill.shares / MICRO == pytest.approx(hand, abs=3e-6)
    assert fill.shares / MICRO <= hand
    yy, nn = 110 - hand, 110
    assert M.prices(m2)[0] == pytest.approx(p * nn / ((1 - p) * yy + p * nn), abs=1e-8)


def test_cpmm_with_a_weight_and_a_no_purchase():
    m = M.create_market(M.binary_question("Will it?"), "cpmm", 100 * MICRO, (0.7, 0.3))
    assert M.prices(m) == pytest.approx((0.7, 0.3))
    y, n, p, amount = 100, 100, 0.7, 25
    k = y**p * n ** (1 - p)
    m2, fill = M.apply_order(m, M.Order("ann", "NO", "buy", amount=amount * MICRO), cash=10**9)
    hand = n + amount - (k * (y + amount) ** (-p)) ** (1 / (1 - p))  # NO mirrors YES
    assert fill.shares / MICRO == pytest.approx(hand, abs=3e-6)
    s: CpmmState = m2.maker
    assert s.y == (y + amount) * MICRO
    assert s.n == (n + amount) * MICRO - fill.shares
    assert s.y**p * s.n ** (1 - p) >= (k * MICRO) * (1 - 1e-14)  # k never drops


def test_cpmm_sale_solves_the_invariant_p_half():
    # selling s YES returns M with (y + s - M)(n - M) = y n: the smaller quadratic root
    m = M.create_market(M.binary_question("Will it?"), "cpmm", 100 * MICRO)
    m, buy = M.apply_order(m, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    y, n = m.maker.y / MICRO, m.maker.n / MICRO
    s = 8.0
    a = y + s + n
    hand = (a - math.sqrt(a * a - 4 * s * n)) / 2
    m2, sale = M.apply_order(m, M.Order("ann", "YES", "sell", shares=8 * MICRO), cash=0)
    assert -sale.cost / MICRO == pytest.approx(hand, abs=3e-6)
    assert -sale.cost / MICRO <= hand


def test_cpmm_buy_by_shares_inverts_buy_by_amount():
    m = M.create_market(M.binary_question("Will it?"), "cpmm", 100 * MICRO, (0.4, 0.6))
    _, by_amount = M.apply_order(m, M.Order("ann", "YES", "buy", amount=15 * MICRO), cash=10**9)
    _, by_shares = M.apply_order(m, M.Order("ann", "YES", "buy", shares=by_amount.shares),
                                 cash=10**9)
    assert by_amount.cost - 3 <= by_shares.cost <= by_amount.cost + 3


def test_cpmm_serves_binary_questions_only():
    q = M.multiple_choice_question("Which?", ["a", "b", "c"])
    with pytest.raises(M.UnsupportedMechanism, match="binary"):
        M.create_market(q, "cpmm", 10 * MICRO)
    with pytest.raises(M.UnsupportedMechanism, match="'amm'"):
        M.create_market(M.binary_question("Will it?"), "amm", 10 * MICRO)


@pytest.mark.parametrize("start", [(0.5,), (0.6, 0.6), (0.0005, 0.9995), (float("nan"), 0.5)])
def test_bad_start_prices_are_refused(start):
    with pytest.raises(M.InvalidPrice):
        M.create_market(M.binary_question("Will it?"), "lmsr", 10 * MICRO, start)
