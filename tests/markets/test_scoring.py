"""Profit, Brier and log scores, calibration."""

from __future__ import annotations

import math

import pytest

import markets as M
from markets import MICRO


def test_brier_and_log_score_of_one_forecast():
    assert M.brier((0.7, 0.3), (1.0, 0.0)) == pytest.approx(0.09)  # (p_yes - 1)^2
    assert M.brier((0.5, 0.5), (0.0, 1.0)) == pytest.approx(0.25)
    assert M.brier((1 / 3,) * 3, (0, 0, 1)) == pytest.approx(0.5 * (2 / 9 + 4 / 9))
    assert M.log_score((0.7, 0.3), (1.0, 0.0)) == pytest.approx(math.log(0.7))
    assert M.log_score((0.7, 0.3), (0.4, 0.6)) == pytest.approx(0.4 * math.log(0.7)
                                                                + 0.6 * math.log(0.3))


def test_scores_of_a_price_history_are_weighted_means():
    history = [(0.5, 0.5), (0.8, 0.2), (0.9, 0.1)]
    truth = (1.0, 0.0)
    assert M.brier(history, truth) == pytest.approx((0.25 + 0.04 + 0.01) / 3)
    assert M.brier(history, truth, weights=[1, 0, 3]) == pytest.approx((0.25 + 0.03) / 4)
    assert M.log_score(history, truth, weights=[0, 0, 1]) == pytest.approx(math.log(0.9))
    with pytest.raises(M.MarketError, match="weights"):
        M.brier(history, truth, weights=[1, 2])


def test_trader_scores_use_the_prices_their_fills_left():
    m = M.create_market(M.binary_question("Will it?"), "lmsr", 100 * MICRO)
    fills = []
    for order in (M.Order("ann", "YES", "buy", amount=20 * MICRO),
                  M.Order("bob", "NO", "buy", amount=5 * MICRO),
                  M.Order("ann", "YES", "buy", amount=5 * MICRO)):
        m, f = M.apply_order(m, order, cash=10**9)
        fills.append(f)
    resolved, _ = M.resolve(m, "YES")
    scores = M.trader_scores(fills, M.truth(resolved))
    assert scores["ann"].count == 2 and scores["bob"].count == 1
    assert scores["ann"].brier < scores["bob"].brier
    assert scores["bob"].log_score == pytest.approx(math.log(fills[1].prices_after[0]))
    with pytest.raises(M.MarketError, match="no truth"):
        M.truth(M.resolve(m, cancel=True)[0])


def test_calibration_buckets():
    assert M.CALIBRATION_CENTERS[:4] == (0.01, 0.03, 0.05, 0.10)
    assert M.CALIBRATION_CENTERS[-3:] == (0.95, 0.97, 0.99)
    forecasts = [0.01, 0.012, 0.5, 0.52, 0.48, 0.985, 0.7]
    outcomes = [0, 0, 1, 0, 1, 1, 1]
    buckets = {b.center: b for b in M.calibration(forecasts, outcomes)}
    assert buckets[0.01].count == 2 and buckets[0.01].frequency == 0.0
    assert buckets[0.5].count == 3 and buckets[0.5].frequency == pytest.approx(2 / 3)
    assert buckets[0.5].mean_forecast == pytest.approx(0.5)
    assert buckets[0.99].count == 1 and buckets[0.7].count == 1
    assert buckets[0.2].count == 0 and buckets[0.2].frequency is None
    assert sum(b.count for b in buckets.values()) == len(forecasts)
    assert buckets[0.5].lower == pytest.approx(0.45) and buckets[0.5].upper == pytest.approx(0.55)
    with pytest.raises(M.MarketError):
        M.calibration([0.5, 1.5], [1, 0])


def test_profit_realised_and_marked_to_market():
    m = M.create_market(M.binary_question("Will it?"), "lmsr", 100 * MICRO)
    m, buy = M.apply_order(m, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    half = buy.shares // 2
    m, sale = M.apply_order(m, M.Order("ann", "YES", "sell", shares=half), cash=0)
    p = M.profit(m, "ann")
    assert p.realised == -sale.cost - buy.cost * half // buy.shares
    value = M.portfolio_value(m, "ann")
    assert value == math.floor((buy.shares - half) * M.prices(m)[0])
    assert p.total == -sale.cost + value - buy.cost  # sold + value - invested
    assert p.realised + p.unrealised == p.total
    resolved, payouts = M.resolve(m, "YES")
    assert M.profit(resolved, "ann").total == -sale.cost + payouts["ann"] - buy.cost
    assert M.portfolio_value(resolved, "ann") == 0
    assert M.profit(M.resolve(m, cancel=True)[0], "ann").total == 0
    m, _ = M.apply_order(m, M.Order("bob", "NO", "buy", amount=MICRO), cash=10**9)
    board = M.leaderboard(M.resolve(m, "YES")[0])
    assert [t for t, _ in board] == ["ann", "bob"]
    assert M.profit(m, "nobody") == M.Profit(0, 0, 0)


def test_calibration_over_resolved_markets():
    made = []
    for k, outcome in enumerate(["YES", "NO", "YES"]):
        m = M.create_market(M.binary_question(f"Q{k}?"), "cpmm", 10 * MICRO, (0.7, 0.3))
        made.append(M.resolve(m, outcome)[0])
    mc = M.create_market(M.multiple_choice_question("Which?", ["a", "b", "c"]), "lmsr",
                         10 * MICRO, (0.5, 0.3, 0.2))
    made.append(M.resolve(mc, "b")[0])
    made.append(M.resolve(mc, cancel=True)[0])  # skipped: nothing to score
    forecasts, outcomes = M.forecast_pairs(made)
    assert forecasts == pytest.approx([0.7, 0.7, 0.7, 0.5, 0.3, 0.2])
    assert outcomes == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    buckets = {b.center: b for b in M.calibration(forecasts, outcomes)}
    assert buckets[0.7].count == 3 and buckets[0.7].frequency == pytest.approx(2 / 3)
