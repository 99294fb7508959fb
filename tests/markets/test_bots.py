"""The strategies as pure functions of prices, holdings and a seeded generator (no engine, no MCMC)."""

from __future__ import annotations

import numpy as np
import pytest

from markets.bots import (
    BotError,
    BotParams,
    ForecastTrader,
    Holdings,
    InformedTrader,
    KellyTrader,
    MarketView,
    MomentumTrader,
    NoiseTrader,
    kelly_equilibrium,
    kelly_fraction,
    kelly_order,
    make_population,
    noisy_belief,
    parse_population,
    wealth_weighted_belief,
)
from markets.bots.kelly import target_state_wealth
from markets.errors import MarketError


def view(p: float, history: list[float] | None = None) -> MarketView:
    hist = np.array([[h, 1 - h] for h in (history or [])]).reshape(-1, 2)
    return MarketView(prices=np.array([p, 1 - p]), history=hist, step=len(hist))


def fresh(budget: float = 100.0, shares: tuple[float, float] = (0.0, 0.0)) -> Holdings:
    return Holdings(cash=budget, shares=np.array(shares), budget=budget)


def test_kelly_fraction_matches_the_textbook_formula() -> None:
    # Even-odds coin at 60%: stake 20% of wealth. At price 0.25 with belief 0.5: (0.5-0.25)/0.75 = 1/3.
    assert kelly_fraction(0.6, 0.5) == pytest.approx(0.2)
    assert kelly_fraction(0.5, 0.25) == pytest.approx(1 / 3)
    assert kelly_fraction(0.3, 0.5) == 0.0
    with pytest.raises(BotError, match="outside"):
        kelly_fraction(0.5, 1.0)


def test_binary_kelly_order_is_the_kelly_stake() -> None:
    # From cash only, the one Kelly buy is f* W: the state wealth then is exactly W p / q.
    p, q, w = np.array([0.6, 0.4]), np.array([0.5, 0.5]), 100.0
    order = kelly_order(p, q, w, np.zeros(2))
    assert order.side == "buy" and order.outcome == 0
    assert order.amount == pytest.approx(kelly_fraction(0.6, 0.5) * w)
    after = np.array([w - order.amount + order.amount / 0.5, w - order.amount])
    assert after == pytest.approx(target_state_wealth(p, q, w))


def test_kelly_at_its_belief_does_nothing_and_sells_when_price_passes_belief() -> None:
    p = np.array([0.6, 0.4])
    assert kelly_order(p, p.copy(), 100.0, np.zeros(2)) is None
    # Holding YES bought cheap, the price is now above belief: it sells YES rather than buying NO.
    order = kelly_order(p, np.array([0.8, 0.2]), 50.0, np.array([100.0, 0.0]))
    assert order.side == "sell" and order.outcome == 0 and 0 < order.shares <= 100


def test_fractional_kelly_stakes_the_fraction() -> None:
    p, q = np.array([0.7, 0.3]), np.array([0.5, 0.5])
    full = kelly_order(p, q, 100.0, np.zeros(2)).amount
    half = kelly_order(p, q, 100.0, np.zeros(2), fraction=0.5).amount
    assert half == pytest.approx(full / 2)


def test_kelly_order_respects_cash_and_cap() -> None:
    order = kelly_order(np.array([0.99, 0.01]), np.array([0.1, 0.9]), 10.0, np.zeros(2), max_amount=3.0)
    assert order.amount == pytest.approx(3.0)
    assert kelly_order(np.array([0.99, 0.01]), np.array([0.1, 0.9]), 0.0, np.zeros(2)) is None


def test_equilibrium_tends_to_the_wealth_weighted_belief() -> None:
    beliefs, wealth = np.array([[0.2, 0.8], [0.7, 0.3], [0.5, 0.5]]), np.array([100.0, 300.0, 50.0])
    pbar = wealth_weighted_belief(beliefs, wealth)
    assert pbar == pytest.approx([(20 + 210 + 25) / 450, 1 - (20 + 210 + 25) / 450])
    assert kelly_equilibrium(beliefs, wealth, b=0.01) == pytest.approx(pbar, abs=1e-4)
    # A deep maker pulls the equilibrium toward its own (uniform) start.
    deep = kelly_equilibrium(beliefs, wealth, b=10_000.0)
    assert abs(deep[0] - 0.5) < abs(pbar[0] - 0.5)


def test_noisy_belief_is_the_truth_without_noise_and_unbiased_in_log_odds(rng: np.random.Generator) -> None:
    truth = np.array([0.8, 0.2])
    assert noisy_belief(truth, 0.0, rng) == pytest.approx(truth)
    draws = np.array([noisy_belief(truth, 1.0, rng)[0] for _ in range(4000)])
    logits = np.log(draws / (1 - draws))
    assert logits.mean() == pytest.approx(np.log(4), abs=0.06)
    assert logits.std() == pytest.approx(1.0, abs=0.05)
    with pytest.raises(BotError):
        noisy_belief(truth, -1.0, rng)


def test_noise_trader_is_random_but_stays_in_budget(rng: np.random.Generator) -> None:
    bot = NoiseTrader(budget=100.0, aggressiveness=0.2)
    orders = [o for _ in range(500) for o in bot.decide(view(0.5), fresh(5.0, (3.0, 0.0)), rng)]
    buys = [o for o in orders if o.side == "buy"]
    sells = [o for o in orders if o.side == "sell"]
    assert buys and sells
    assert all(0 < o.amount <= 5.0 for o in buys)
    assert all(o.outcome == 0 and 0 < o.shares <= 3.0 for o in sells)
    assert {o.outcome for o in buys} == {0, 1}


def test_informed_trader_buys_what_it_finds_cheap_and_sells_what_is_dear(rng: np.random.Generator) -> None:
    bot = InformedTrader(belief=[0.7, 0.3], aggressiveness=0.1, budget=100.0)
    (buy,) = bot.decide(view(0.5), fresh(), rng)
    assert buy.side == "buy" and buy.outcome == 0 and buy.amount == pytest.approx(10.0) and buy.limit_price == pytest.approx(0.7)
    assert bot.decide(view(0.69), fresh(), rng) == ()
    (sell,) = bot.decide(view(0.9), fresh(shares=(20.0, 0.0)), rng)
    assert sell.side == "sell" and sell.outcome == 0


def test_momentum_trader_follows_the_trend(rng: np.random.Generator) -> None:
    bot = MomentumTrader(lookback=3, threshold=0.01)
    assert bot.decide(view(0.5), fresh(), rng) == ()  # no history, no trend
    (up,) = bot.decide(view(0.6, [0.5, 0.52, 0.55]), fresh(), rng)
    assert up.side == "buy" and up.outcome == 0
    (down,) = bot.decide(view(0.4, [0.5, 0.48, 0.45]), fresh(shares=(10.0, 0.0)), rng)
    assert down.side == "sell" and down.outcome == 0 and down.shares == pytest.approx(5.0)


def test_forecast_trader_asks_its_forecast_once_and_lazily(rng: np.random.Generator) -> None:
    calls: list[int] = []

    def belief() -> float:
        calls.append(1)
        return 0.8

    bot = ForecastTrader(belief=belief, kelly_fraction=1.0, aggressiveness=1.0)
    assert calls == []
    (o,) = bot.decide(view(0.5), fresh(), rng)
    bot.decide(view(0.5), fresh(), rng)
    assert calls == [1]
    assert o.side == "buy" and o.outcome == 0 and o.amount == pytest.approx(kelly_fraction(0.8, 0.5) * 100)


def test_kelly_trader_with_a_number_belief(rng: np.random.Generator) -> None:
    bot = KellyTrader(belief=0.3, kelly_fraction=1.0, aggressiveness=1.0)
    (o,) = bot.decide(view(0.5), fresh(), rng)
    assert o.outcome == 1 and o.amount == pytest.approx(kelly_fraction(0.7, 0.5) * 100)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: NoiseTrader(budget=0.0), "budget"),
        (lambda: NoiseTrader(budget=float("nan")), "budget"),
        (lambda: InformedTrader(aggressiveness=1.5), "aggressiveness"),
        (lambda: KellyTrader(kelly_fraction=0.0), "Kelly fraction"),
        (lambda: KellyTrader(belief=[0.5, 0.6]), "sums to"),
        (lambda: KellyTrader(belief=[float("nan"), 0.5]), "probabilities"),
        (lambda: MomentumTrader(lookback=0), "lookback"),
    ],
)
def test_bad_parameters_are_market_errors(make, match: str) -> None:
    with pytest.raises(MarketError, match=match):
        make()


def test_population_spec(rng: np.random.Generator) -> None:
    counts = parse_population("informed:2, noise:3,zi:1,kelly:1,half-kelly:1,momentum")
    assert counts == {"informed": 2, "noise": 4, "kelly": 1, "half-kelly": 1, "momentum": 1}
    bots = make_population(counts, np.array([0.7, 0.3]), rng, BotParams(budget=50.0, kelly_fraction=0.8))
    assert [b.name for b in bots][:3] == ["informed-0", "informed-1", "noise-0"]
    assert all(b.budget == 50.0 for b in bots)
    kelly = [b for b in bots if isinstance(b, KellyTrader)]
    assert sorted(b.kelly_fraction for b in kelly) == pytest.approx([0.4, 0.8])
    for bad, match in [("wizard:3", "unknown strategy"), ("noise:x", "whole number"), ("noise:0", "no bots"), ("noise:-1", ">= 0")]:
        with pytest.raises(BotError, match=match):
            parse_population(bad)
    with pytest.raises(BotError, match="forecast bots need a belief"):
        make_population({"forecast": 1}, np.array([0.7, 0.3]), rng)
    (fb,) = make_population({"forecast": 1}, np.array([0.7, 0.3]), rng, forecast_belief=0.25)
    assert fb.resolved_belief(2) == pytest.approx([0.25, 0.75])


def test_same_seed_same_bots() -> None:
    a = make_population({"informed": 5, "kelly": 5}, np.array([0.6, 0.4]), np.random.default_rng(7))
    b = make_population({"informed": 5, "kelly": 5}, np.array([0.6, 0.4]), np.random.default_rng(7))
    assert all(np.array_equal(x.belief, y.belief) for x, y in zip(a, b, strict=True))


def test_forecast_belief_asks_the_forecast_engine_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    import forecast

    from markets.bots import lazy_forecast_belief
    from markets.bots.forecasts import parse_benchmark_question

    asked: list[tuple] = []

    class Fake:
        def probability(self, threshold: float, by: str) -> float:
            asked.append((threshold, by))
            return 0.42

    def fake_forecast(data=None, benchmark=None, *, seed=0, **_kw):
        asked.append((benchmark, seed))
        return Fake()

    monkeypatch.setattr(forecast, "forecast_benchmark", fake_forecast)
    parsed = parse_benchmark_question("FrontierMath v2 >= 95 by 2027-12-31")
    assert parsed == ("FrontierMath v2", 95.0, "2027-12-31")
    belief = lazy_forecast_belief(*parsed, seed=3)
    assert asked == []
    bot = ForecastTrader(belief=belief)
    assert bot.resolved_belief(2) == pytest.approx([0.42, 0.58])
    assert asked == [("FrontierMath v2", 3), (95.0, "2027-12-31")]
    assert parse_benchmark_question("Will it rain?") is None


def test_public_api() -> None:
    import markets.bots

    assert sorted(markets.bots.__all__) == sorted(
        ["STRATEGIES", "Bot", "BotError", "BotOrder", "BotParams", "ForecastTrader", "Holdings", "InformedTrader",
         "KellyTrader", "MarketView", "MomentumTrader", "NoiseTrader", "forecast_belief", "kelly_equilibrium",
         "kelly_fraction", "kelly_order", "lazy_forecast_belief", "make_bot", "make_population", "noisy_belief",
         "parse_benchmark_question", "parse_population", "reservation_price", "wealth_weighted_belief"])
    assert all(hasattr(markets.bots, name) for name in markets.bots.__all__)


def test_reservation_price() -> None:
    from markets.bots import reservation_price

    q = np.array([0.5, 0.5])
    assert reservation_price(0.7, 0, q, 100.0, np.zeros(2)) == pytest.approx(0.7)  # cash only: the belief
    assert reservation_price(0.7, 0, q, 100.0, np.array([50.0, 0.0])) < 0.7  # long YES: wants less
    assert reservation_price(0.7, 0, q, 100.0, np.array([0.0, 50.0])) > 0.7  # long NO: YES is a hedge
