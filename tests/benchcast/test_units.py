"""The unit boundary: conversions and the words people see for engine errors."""

from __future__ import annotations

from datetime import datetime

import pytest

import markets as M
from benchcast import units
from markets import MICRO


def test_conversions_round_trip_and_refuse_non_numbers():
    assert units.to_micro(12.5) == 12_500_000 and units.to_micro(None) is None
    assert units.to_micro(0.1234567) == 123_457  # rounded to the nearest micro-unit
    assert units.to_units(1_500 * MICRO) == 1500.0 and units.to_units(None) is None
    with pytest.raises(M.InvalidAmount):
        units.to_micro(True)
    assert units.money(1_500 * MICRO) == "1,500.00" and units.money(1_000) == "0.001"
    assert units.shares(812_400_000) == "812.40 shares" and units.shares(MICRO) == "1.00 share"


@pytest.mark.parametrize(("error", "words"), [
    (M.InsufficientFunds("x", needed=1_500 * MICRO, available=1_000 * MICRO),
     "this order costs 1,500.00 but you have 1,000.00 available"),
    (M.InsufficientShares("x", outcome="NO", needed=50 * MICRO, available=0),
     "you have 0.00 shares of NO to sell, not 50.00 shares"),
    (M.InsufficientShares("x", outcome="YES", needed=5 * MICRO, available=2 * MICRO, locked=3 * MICRO),
     "you have 2.00 shares of YES to sell, not 5.00 shares (3.00 shares more are promised to your resting sell orders)"),
    (M.PriceOutOfBounds("x", outcome="YES", side="buy", largest=812_400_000, low=0.001, high=0.999),
     "this order would push the price of YES up past 99.9%: at most 812.40 fills at this price"),
    (M.PriceOutOfBounds("x", outcome="YES", side="sell", largest=0, low=0.001, high=0.999),
     "the price of YES is already at its 0.1% limit: no sell can fill now"),
    (M.LimitPriceNotMet("x", outcome="YES", side="buy", average=0.5612, limit=0.55, largest=20_100_000),
     "this order would pay 56.1% a share on average, more than your limit of 55.0%: at most 20.10 fills at this price"),
    (M.InvalidAmount("x", what="subsidy", reason="not_positive", value=-50 * MICRO), "subsidy must be more than 0"),
    (M.InvalidAmount("x", what="amount", reason="dust", value=5, limit=1_000), "amount is too small: the least is 0.001"),
    (M.UnknownOutcome("x", outcome="MAYBE", choices=("YES", "NO")), "outcome MAYBE is not one of YES, NO"),
    (M.MarketClosed("x", closes_at=datetime(2020, 1, 1)), "trading on this question closed at 2020-01-01 00:00 UTC"),
    (M.MarketResolved("x", status="cancelled"), "this question is already cancelled"),
])
def test_engine_errors_in_words(error, words):
    assert units.describe(error) == words


def test_every_order_refusal_of_the_engine_is_worded_without_internals():
    """Real refusals from the engine, with a numeric trader id (90817): no id, micro or repr reaches the words."""
    market = M.create_market(M.binary_question("Will it?"), "lmsr", 100 * MICRO)
    orders = [
        (M.Order("90817", "YES", "buy", amount=1_500 * MICRO), 1_000 * MICRO, False),
        (M.Order("90817", "NO", "sell", shares=50 * MICRO), 0, False),
        (M.Order("90817", "YES", "buy", amount=10**6 * MICRO), 10**15, False),
        (M.Order("90817", "YES", "buy", amount=50 * MICRO, limit_price=0.55), 10**15, False),
        (M.Order("90817", "YES", "buy", amount=5), 10**15, False),
        (M.Order("90817", "MAYBE", "buy", amount=MICRO), 10**15, False),
        (M.Order("90817", "YES", "buy"), 10**15, False),
        (M.Order("90817", "YES", "buy", amount=MICRO), 10**15, True),
        (M.Order("90817", "YES", "buy", amount=5 * MICRO, limit_price=0.3), MICRO, True),
    ]
    for order, cash, resting in orders:
        with pytest.raises(M.MarketError) as e:
            M.execute(market, order, cash=cash, is_resting=resting)
        words = units.describe(e.value)
        assert "micro" not in words and "90817" not in words and "None" not in words and "'" not in words, words


def test_a_quote_checks_the_balance_and_says_what_would_fill(client, host_headers):
    q = client.post("/api/questions", json={"title": "Will it?", "subsidy": 100}, headers=host_headers).json()
    ann = {"Authorization": f"Bearer {client.post('/api/join', json={'name': 'ann'}).json()['token']}"}
    path = f"/api/questions/{q['id']}"
    r = client.post(f"{path}/quote", json={"outcome": "YES", "side": "buy", "amount": 1500}, headers=ann)
    assert (r.status_code, r.json()) == (409, {"detail": "this order costs 1,500.00 but you have 1,000.00 available"})
    r = client.post(f"{path}/quote", json={"outcome": "YES", "side": "buy", "amount": 900}, headers=ann)
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert detail.startswith("this order would push the price of YES up past 99.9%: at most ") and detail.endswith(" fills at this price")
    largest = float(detail.split("at most ")[1].split(" ")[0].replace(",", ""))
    ok = client.post(f"{path}/orders", json={"outcome": "YES", "side": "buy", "amount": largest}, headers=ann)
    assert ok.status_code == 200, ok.text
    assert ok.json()["prices_after"][0] <= 0.999
    r = client.post(f"{path}/orders", json={"outcome": "NO", "side": "sell", "shares": 50}, headers=ann)
    assert (r.status_code, r.json()) == (409, {"detail": "you have 0.00 shares of NO to sell, not 50.00 shares"})
