"""Money, questions, storage and the public API."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

import markets as M
from tests.markets.helpers import unpack
from markets import MICRO


def test_micro_units_convert_exactly():
    assert M.to_micro(1) == MICRO and M.to_micro("12.5") == 12_500_000
    assert M.to_micro(0.1) == 100_000 and M.from_micro(2_500_000) == 2.5
    for bad, match in ((float("nan"), "finite"), ("1e-7", "finer"), ("abc", "not a number"),
                       (True, "boolean")):
        with pytest.raises(M.InvalidAmount, match=match):
            M.to_micro(bad)
    assert M.check_amount(5e6) == 5_000_000


def test_questions_of_every_kind():
    b = M.binary_question("Will it?", criteria="per the leaderboard", source="https://x.org")
    assert b.outcomes == ("YES", "NO") and b.kind == "binary"
    mc = M.multiple_choice_question("Which lab?", ["A", "B", "C"])
    assert mc.index("C") == 2
    years = M.bucket_question("Year FrontierMath v2 reaches 95%",
                              [date(2027, 1, 1), "2028-01-01", date(2029, 1, 1)], kind="date",
                              labels=["2026", "2027", "2028", "later"])
    assert years.edges == ("2027-01-01", "2028-01-01", "2029-01-01")
    assert M.bucket_for(years, date(2027, 6, 1)) == "2027"
    assert M.bucket_for(years, "2029-01-01") == "later"
    assert M.bucket_for(years, datetime(2026, 3, 1, tzinfo=timezone.utc)) == "2026"
    score = M.bucket_question("Best score by 2027", [80, 90, 95])
    assert score.outcomes == ("< 80", "80 to 90", "90 to 95", ">= 95")
    assert M.bucket_for(score, 90) == "90 to 95" and M.bucket_for(score, 12.5) == "< 80"


@pytest.mark.parametrize("make,match", [
    (lambda: M.multiple_choice_question("Q", ["only"]), "2 to 20"),
    (lambda: M.multiple_choice_question("Q", [f"o{k}" for k in range(21)]), "2 to 20"),
    (lambda: M.multiple_choice_question("Q", ["a", "a"]), "unique"),
    (lambda: M.multiple_choice_question(" ", ["a", "b"]), "title"),
    (lambda: M.Question("Q", "binary", ("Y", "N")), "YES"),
    (lambda: M.Question("Q", "poll", ("a", "b")), "kind 'poll'"),
    (lambda: M.bucket_question("Q", [3, 2]), "strictly increasing"),
    (lambda: M.bucket_question("Q", [float("nan")]), "finite"),
    (lambda: M.bucket_question("Q", ["2027-13-01"], kind="date"), "ISO date"),
    (lambda: M.binary_question("Q", closes_at="tomorrow"), "datetime"),
])
def test_malformed_questions(make, match):
    with pytest.raises(M.InvalidQuestion, match=match):
        make()


@pytest.mark.parametrize("mechanism", ["lmsr", "cpmm"])
def test_storage_round_trip_is_exact(mechanism):
    q = M.binary_question("Will it?", closes_at=datetime(2027, 1, 1, tzinfo=timezone.utc),
                          source="https://example.org")
    m = M.create_market(q, mechanism, 100 * MICRO, (0.3, 0.7))
    m, _ = M.apply_order(m, M.Order("ann", "YES", "buy", amount=10 * MICRO), cash=10**9)
    m, _, _, _ = unpack(M.place_limit_order(m, M.Order("bob", "NO", "buy", amount=MICRO,
                                                limit_price=0.1), cash=10**9))
    for state in (m, M.resolve(m, probability=0.37)[0], M.resolve(m, cancel=True)[0]):
        back = M.from_dict(json.loads(json.dumps(M.to_dict(state))))
        assert back == state and M.prices(back) == M.prices(state)
    with pytest.raises(M.InvalidState):
        M.from_dict({"version": 1})
    broken = M.to_dict(m)
    broken["question"]["outcomes"] = ["YES"]
    with pytest.raises(M.InvalidState, match="2 to 20"):
        M.from_dict(broken)


def test_public_api():
    import inspect

    assert sorted(M.__all__) == sorted(set(M.__all__))
    public = {n for n in dir(M) if not n.startswith("_") and not inspect.ismodule(getattr(M, n))}
    assert public == set(M.__all__)  # nothing exported by accident, nothing missing
    for name in ("create_market", "prices", "quote", "apply_order", "place_limit_order",
                 "cancel_limit_order", "resolve", "to_dict", "from_dict", "portfolio_value",
                 "profit", "brier", "log_score", "calibration", "Order", "Fill", "Market",
                 "Question", "MarketError"):
        assert name in M.__all__


def test_values_are_frozen():
    m = M.create_market(M.binary_question("Will it?"), "lmsr", 10 * MICRO)
    with pytest.raises(AttributeError):
        m.collected = 5  # type: ignore[misc]
    m, _ = M.apply_order(m, M.Order("ann", "YES", "buy", amount=MICRO), cash=MICRO)
    with pytest.raises(TypeError):
        m.accounts["ann"] = None  # type: ignore[index]


def test_markets_pickle_and_copy():
    import copy
    import pickle

    m = M.create_market(M.binary_question("Will it?"), "cpmm", 10 * MICRO)
    m, _ = M.apply_order(m, M.Order("ann", "YES", "buy", amount=MICRO), cash=MICRO)
    m, _ = M.resolve(m, "YES")
    assert pickle.loads(pickle.dumps(m)) == m
    assert copy.deepcopy(m) == m
    with pytest.raises(TypeError):
        pickle.loads(pickle.dumps(m)).accounts.pop("ann")


def test_bucket_edges_are_checked_when_built_by_hand():
    with pytest.raises(M.InvalidQuestion, match="finite"):
        M.Question("Q", "numeric", ("lo", "hi"), edges=("x",))
    with pytest.raises(M.InvalidQuestion, match="increasing"):
        M.Question("Q", "date", ("a", "b", "c"), edges=("2028-01-01", "2027-01-01"))
    with pytest.raises(M.InvalidQuestion, match="need 2"):
        M.Question("Q", "numeric", ("a", "b", "c"), edges=(1.0,))
