"""Hypothesis properties: the invariants of DOMAIN.md section 2, on both market makers.

Random sequences of orders by several traders (market buys by amount and by shares, sales,
resting limit orders, cancels, and bad orders) run through a harness that keeps traders'
balances the way a server would; after every step and after every kind of resolution the
invariants are checked.
"""

from __future__ import annotations

import math
import os
from itertools import permutations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import markets as M
from tests.markets.helpers import unpack
from markets import MICRO, MarketError
from markets.lmsr import cost as lmsr_cost

TRADERS = ("ann", "bob", "cat")
START = 200 * MICRO
# MARKETS_EXAMPLES=2000 pytest tests/markets/test_properties.py for a long run
SETTINGS = settings(max_examples=int(os.environ.get("MARKETS_EXAMPLES", "100")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

BAD_AMOUNTS = [float("nan"), float("inf"), -float("inf"), 0, -5 * MICRO, 999, 1, 10**16,
               1.5, True, "10", None]


def _market(kind: str, mechanism: str, n: int, subsidy: int, start: tuple | None) -> M.Market:
    if kind == "binary":
        q = M.binary_question("Will it?")
    else:
        q = M.multiple_choice_question("Which?", [f"o{k}" for k in range(n)])
    return M.create_market(q, mechanism, subsidy, start)


@st.composite
def markets(draw: st.DrawFn) -> M.Market:
    mechanism = draw(st.sampled_from(["lmsr", "cpmm"]))
    n = 2 if mechanism == "cpmm" else draw(st.sampled_from([2, 3, 5, 10]))
    kind = "binary" if n == 2 and draw(st.booleans()) else "multiple_choice"
    if mechanism == "cpmm":
        kind = "binary"
    subsidy = draw(st.integers(5 * MICRO, 500 * MICRO))
    start = None
    if draw(st.booleans()):
        raw = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
        start = tuple(r / sum(raw) for r in raw)
    return _market(kind, mechanism, n, subsidy, start)


action = st.one_of(
    st.tuples(st.just("buy"), st.integers(0, 2), st.integers(0, 9),
              st.integers(M.MIN_AMOUNT, 80 * MICRO)),
    st.tuples(st.just("buy_shares"), st.integers(0, 2), st.integers(0, 9),
              st.integers(M.MIN_AMOUNT, 60 * MICRO)),
    st.tuples(st.just("sell"), st.integers(0, 2), st.integers(0, 9), st.floats(0.0, 1.0)),
    st.tuples(st.just("limit_buy"), st.integers(0, 2), st.integers(0, 9),
              st.integers(M.MIN_AMOUNT, 40 * MICRO), st.floats(0.01, 0.99)),
    st.tuples(st.just("limit_sell"), st.integers(0, 2), st.integers(0, 9), st.floats(0.0, 1.0),
              st.floats(0.01, 0.99)),
    st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 5)),
    st.tuples(st.just("bad"), st.integers(0, 2), st.integers(0, 9),
              st.sampled_from(BAD_AMOUNTS), st.sampled_from(["buy", "sell"])),
)


class Harness:
    """Keeps balances like a server: applies every balance change the engine reports."""

    def __init__(self, market: M.Market) -> None:
        self.market = market
        self.balances = {t: START for t in TRADERS}
        self.total = self.money()

    def money(self) -> int:
        m = self.market
        return sum(self.balances.values()) + M.pool(m) + M.reserved_cash(m)

    def step(self, act: tuple) -> None:
        m = self.market
        trader = TRADERS[act[1]]
        kind = act[0]
        outcomes = m.question.outcomes
        before = M.to_dict(m)
        try:
            if kind == "cancel":
                mine = M.resting_orders(m, trader)
                if not mine:
                    return
                order = mine[act[2] % len(mine)]
                m2, released = M.cancel_limit_order(m, order.order_id, trader)
                self.balances[trader] += released
                self.market = m2
                return
            outcome = outcomes[act[2] % len(outcomes)]
            free = [M.account(m, trader).shares[k] - M.locked_shares(m, trader, o)
                    for k, o in enumerate(outcomes)]
            if kind in ("sell", "limit_sell") and free[outcomes.index(outcome)] == 0:
                outcome = outcomes[max(range(len(outcomes)), key=free.__getitem__)]
            held = free[outcomes.index(outcome)]
            cash = self.balances[trader]
            if kind == "buy":
                order = M.Order(trader, outcome, "buy", amount=act[3])
            elif kind == "buy_shares":
                order = M.Order(trader, outcome, "buy", shares=act[3])
            elif kind == "sell":
                order = M.Order(trader, outcome, "sell", shares=max(1, math.floor(held * act[3])))
            elif kind == "limit_buy":
                order = M.Order(trader, outcome, "buy", amount=act[3], limit_price=act[4])
            elif kind == "limit_sell":
                order = M.Order(trader, outcome, "sell", shares=max(1, math.floor(held * act[3])),
                                limit_price=act[4])
            else:  # bad amount: must be refused as InvalidAmount
                field = "amount" if act[4] == "buy" else "shares"
                order = M.Order(trader, outcome, act[4], **{field: act[3]})
                with pytest.raises((M.InvalidAmount, M.InvalidOrder)):
                    M.apply_order(m, order, cash=cash)
                assert M.to_dict(m) == before
                return
            if kind.startswith("limit"):
                m2, _, reserved, fills = unpack(M.place_limit_order(m, order, cash=cash))
                self.balances[trader] -= reserved
                deltas = [(f.trader, f.balance_delta) for f in fills]
            else:
                m2, fill = M.apply_order(m, order, cash=cash)
                deltas = list(fill.balance_changes.items())
                check_fair_price(m, m2, fill)
            for t, d in deltas:
                self.balances[t] += d
            self.market = m2
        except MarketError:
            assert M.to_dict(m) == before  # a rejected order changes nothing
            assert self.market is m

    def check(self) -> None:
        m = self.market
        assert self.money() == self.total, "money created or destroyed"
        p = M.prices(m)
        assert all(M.PRICE_EPSILON <= v <= 1 - M.PRICE_EPSILON for v in p)
        assert math.isclose(math.fsum(p), 1.0, abs_tol=1e-12)
        assert all(b >= 0 for b in self.balances.values()), self.balances
        for acct in m.accounts.values():
            assert all(s >= 0 for s in acct.shares)
        assert all(o.remaining > 0 for o in m.orders)
        if m.mechanism == "cpmm":
            assert m.maker.y > 0 and m.maker.n > 0
        else:
            assert m.maker.q == tuple(sum(a.shares[k] for a in m.accounts.values())
                                      for k in range(len(p)))
        # loss bound: whatever wins, the pool pays every winning share
        for k in range(len(p)):
            owed = sum(a.shares[k] for a in m.accounts.values())
            assert owed <= M.pool(m), "maker would lose more than its bound"


def check_fair_price(before: M.Market, after: M.Market, fill: M.Fill) -> None:
    """The trader never pays less (or receives more) than the exact cost."""
    if before.mechanism == "lmsr":
        exact = lmsr_cost(after.maker) - lmsr_cost(before.maker)
        # exact cost of the maker's own move; resting fills move it further, so only plain ones
        if not fill.limit_fills:
            assert fill.cost >= exact - 1e-6 * (1 + abs(exact)) * 1e-3
    else:
        a, b = before.maker, after.maker
        k0 = a.p * math.log(a.y) + (1 - a.p) * math.log(a.n)
        k1 = b.p * math.log(b.y) + (1 - b.p) * math.log(b.n)
        assert k1 >= k0 - 1e-15 * abs(k0)  # the invariant never drops


def resolutions(market: M.Market) -> list[dict]:
    n = len(market.question.outcomes)
    opts = [{"outcome": o} for o in market.question.outcomes]
    opts.append({"probability": [1 / n] * n})
    if n == 2:
        opts.append({"probability": 0.3})
    opts.append({"cancel": True})
    return opts


@SETTINGS
@given(markets(), st.lists(action, min_size=1, max_size=25))
def test_invariants_hold_at_every_step_and_after_every_resolution(market, actions):
    h = Harness(market)
    for act in actions:
        h.step(act)
        h.check()
    m = h.market
    for how in resolutions(m):
        resolved, payouts = M.resolve(m, **how)
        res = resolved.resolution
        balances = dict(h.balances)
        for t, pay in payouts.items():
            balances[t] += pay
        assert sum(balances.values()) + resolved.reserve + res.maker_profit == h.total
        assert res.maker_profit >= -resolved.reserve  # loss bound
        if "cancel" in how:
            assert balances == {t: START for t in TRADERS}  # cancel restores balances exactly
        else:
            assert all(v >= 0 for v in payouts.values())
            assert all(v >= 0 for v in balances.values())
        assert resolved.orders == ()
        reopened, changes = M.unresolve(resolved)  # undoing it conserves money too
        for t, change in changes.items():
            balances[t] += change
        assert sum(balances.values()) + M.pool(reopened) == h.total


@SETTINGS
@given(markets(), st.lists(action, max_size=10), st.integers(0, 9),
       st.integers(M.MIN_AMOUNT, 100 * MICRO))
def test_buying_then_selling_at_once_never_profits(market, actions, k, amount):
    h = Harness(market)
    for act in actions:
        h.step(act)
    m = h.market
    outcome = m.question.outcomes[k % len(m.question.outcomes)]
    try:
        m2, buy = M.apply_order(m, M.Order("dan", outcome, "buy", amount=amount), cash=amount)
        _, sale = M.apply_order(m2, M.Order("dan", outcome, "sell", shares=buy.shares), cash=0)
    except M.PriceOutOfBounds:
        return
    assert -sale.cost <= buy.cost
    # and by shares
    try:
        m2, buy = M.apply_order(m, M.Order("dan", outcome, "buy", shares=amount), cash=10**15)
        _, sale = M.apply_order(m2, M.Order("dan", outcome, "sell", shares=amount), cash=0)
    except M.PriceOutOfBounds:
        return
    assert -sale.cost <= buy.cost


share_trades = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4),
                                   st.integers(M.MIN_AMOUNT, 30 * MICRO)), min_size=2, max_size=5)


@SETTINGS
@given(st.sampled_from([2, 3, 5]), st.integers(20 * MICRO, 300 * MICRO), share_trades)
def test_lmsr_prices_depend_only_on_the_final_state(n, subsidy, trades):
    base = _market("multiple_choice", "lmsr", n, subsidy, None)
    results = []
    for order in list(permutations(trades))[:6]:
        m, paid = base, 0
        try:
            for t, k, s in order:
                m, fill = M.apply_order(m, M.Order(TRADERS[t], f"o{k % n}", "buy", shares=s),
                                        cash=None)
                paid += fill.cost
        except M.PriceOutOfBounds:
            return
        results.append((m.maker.q, M.prices(m), paid))
    qs, ps, costs = zip(*results)
    assert len(set(qs)) == 1 and len(set(ps)) == 1  # bit-identical prices for the same q
    exact = lmsr_cost(m.maker)  # C(q) - C(0) of the common final state
    for c in costs:
        assert exact <= c <= exact + 3 * len(trades)  # rounding only ever adds, a few micro


@SETTINGS
@given(markets(), st.sampled_from(BAD_AMOUNTS), st.sampled_from(["amount", "shares"]))
def test_bad_amounts_are_rejected_with_state_unchanged(market, bad, field):
    outcome = market.question.outcomes[0]
    before = M.to_dict(market)
    side = "buy" if field == "amount" else "sell"
    with pytest.raises((M.InvalidAmount, M.InvalidOrder)):
        M.apply_order(market, M.Order("ann", outcome, side, **{field: bad}), cash=START)
    with pytest.raises((M.InvalidAmount, M.InvalidOrder)):
        M.place_limit_order(market, M.Order("ann", outcome, side, **{field: bad},
                                            limit_price=0.5), cash=START)
    assert M.to_dict(market) == before


@SETTINGS
@given(markets(), st.lists(action, max_size=15))
def test_round_trip_through_json_is_exact(market, actions):
    import json

    h = Harness(market)
    for act in actions:
        h.step(act)
    m = h.market
    assert M.from_dict(json.loads(json.dumps(M.to_dict(m)))) == m
    resolved, _ = M.resolve(m, cancel=True)
    assert M.from_dict(json.loads(json.dumps(M.to_dict(resolved)))) == resolved
