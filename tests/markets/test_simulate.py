"""The offline simulator reproduces what the literature says markets do (DOMAIN.md section 2)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from markets.bots import BotError, BotParams, KellyTrader, kelly_equilibrium, wealth_weighted_belief
from markets.errors import MarketError
from markets.simulate import SimulationConfig, parse_config, run_market
from markets.simulate_summary import simulate, sweep_subsidy

BELIEFS = np.array([[0.2, 0.8], [0.6, 0.4], [0.8, 0.2]])
BUDGETS = np.array([100.0, 300.0, 200.0])


def kelly_bots() -> list[KellyTrader]:
    return [KellyTrader(belief=b, budget=w, aggressiveness=0.5, name=f"kelly-{i}")
            for i, (b, w) in enumerate(zip(BELIEFS, BUDGETS, strict=True))]


@pytest.mark.parametrize("subsidy", [5.0, 100.0])
def test_kelly_bettors_drive_the_price_to_the_wealth_weighted_belief(subsidy: float) -> None:
    # Full-Kelly traders stop where each one's marginal condition holds: the fixed point of
    # kelly_equilibrium with their final (marked) wealth and the maker's liquidity b.
    r = run_market(SimulationConfig(subsidy=subsidy, steps=3000), np.random.default_rng(0), bots=kelly_bots())
    wealth = BUDGETS + r.pnl_marked
    assert r.final_prices == pytest.approx(kelly_equilibrium(BELIEFS, wealth, r.b), abs=2e-3)
    assert np.ptp(r.path[-200:, 0]) < 1e-3  # it has settled
    if subsidy == 5.0:  # liquidity small against wealth: the wealth-weighted mean belief itself
        assert r.final_prices == pytest.approx(wealth_weighted_belief(BELIEFS, wealth), abs=5e-3)


def test_the_makers_start_price_pulls_the_limit_price_by_its_depth() -> None:
    # Sethi and Wortman Vaughan: the limiting price mixes in the maker's own prior, weighted by
    # its liquidity. Starting at P(YES) = 0.1, a deep maker stays near 0.1, a thin one follows the traders.
    finals = []
    for subsidy in (20.0, 1000.0):
        config = SimulationConfig(subsidy=subsidy, steps=3000, initial_prices=(0.1, 0.9))
        r = run_market(config, np.random.default_rng(0), bots=kelly_bots())
        start = np.array([0.1, 0.9])
        assert r.final_prices == pytest.approx(kelly_equilibrium(BELIEFS, BUDGETS + r.pnl_marked, r.b, start), abs=2e-3)
        finals.append(r.final_prices[0])
    assert 0.1 < finals[1] < finals[0] < 0.6


def test_kelly_equilibrium_moves_to_the_mean_belief_as_liquidity_shrinks() -> None:
    errors = []
    for subsidy in (1000.0, 100.0, 5.0):
        r = run_market(SimulationConfig(subsidy=subsidy, steps=2000), np.random.default_rng(1), bots=kelly_bots())
        errors.append(abs(r.final_prices[0] - wealth_weighted_belief(BELIEFS, BUDGETS + r.pnl_marked)[0]))
    assert errors[0] > errors[1] > errors[2]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    mechanism=st.sampled_from(["lmsr", "cpmm"]),
    n=st.integers(2, 5),
    subsidy=st.sampled_from([1.0, 10.0, 100.0]),
    noise=st.sampled_from([0.0, 0.5, 2.0]),
    p=st.floats(0.01, 0.99),
)
def test_the_maker_never_loses_more_than_its_bound(seed, mechanism, n, subsidy, noise, p) -> None:
    truth = [p, 1 - p] if n == 2 else list(np.random.default_rng(seed).dirichlet(np.ones(n)))
    if mechanism == "cpmm" and n != 2:
        mechanism = "lmsr"
    config = SimulationConfig(truth=tuple(truth), mechanism=mechanism, subsidy=subsidy, steps=150,
                              population={"informed": 4, "kelly": 2, "noise": 2, "momentum": 1},
                              params=BotParams(budget=100.0, noise=noise, aggressiveness=0.5))
    r = run_market(config, np.random.default_rng(seed))
    bound = r.maker_loss_bound
    assert r.maker_loss <= bound + 1e-9 and r.maker_loss_expected <= bound + 1e-9
    if mechanism == "lmsr":
        assert bound == pytest.approx(r.b * np.log(n), rel=1e-6)  # b ln n from uniform prices
    assert np.all((r.path > 0) & (r.path < 1)) and r.path.sum(axis=1) == pytest.approx(1.0)


def test_perfectly_informed_traders_take_nearly_all_the_maker_can_lose() -> None:
    # Perfectly informed, aggressive traders against a thin maker take nearly all it can lose.
    config = SimulationConfig(truth=(0.95, 0.05), subsidy=10.0, steps=300, population={"informed": 5},
                              params=BotParams(noise=0.0, aggressiveness=1.0))
    r = run_market(config, np.random.default_rng(3))
    bound = r.maker_loss_bound
    assert 0.5 * bound < r.maker_loss_expected <= bound


def test_informed_traders_beat_noise_traders_on_average() -> None:
    s = simulate(SimulationConfig(steps=600, population={"informed": 10, "noise": 10}), runs=12, seed=3)
    pnl = {p.strategy: p for p in s.pnl_by_strategy()}
    assert pnl["informed"].expected_mean > 0 > pnl["noise"].expected_mean
    assert pnl["informed"].mean > pnl["noise"].mean
    # Over runs, informed bots do better in (nearly) every run, not just on average.
    first = s.results[0]
    informed = np.array([s_ == "informed" for s_ in first.strategies])
    wins = sum(r.pnl_expected[informed].mean() > r.pnl_expected[~informed].mean() for r in s.results)
    assert wins >= 11


def test_more_subsidy_means_slower_moving_prices_and_a_larger_bound() -> None:
    rows = sweep_subsidy(SimulationConfig(steps=400), [10.0, 100.0, 1000.0], runs=2, seed=5)
    moves = [r.mean_move for r in rows]
    assert moves[0] > moves[1] > moves[2]
    assert [r.maker_loss_bound for r in rows] == pytest.approx([10.0, 100.0, 1000.0])
    # The deepest market is still far from the truth when the thin ones got there.
    assert rows[2].steps_to_tolerance is None or rows[2].steps_to_tolerance > rows[1].steps_to_tolerance


def test_same_seed_same_results_and_another_seed_differs() -> None:
    config = SimulationConfig(steps=300, population={"informed": 3, "noise": 3, "kelly": 2, "momentum": 2})
    a, b = simulate(config, runs=2, seed=11), simulate(config, runs=2, seed=11)
    assert a.to_dict() == b.to_dict()
    assert all(np.array_equal(x.path, y.path) for x, y in zip(a.results, b.results, strict=True))
    assert simulate(config, runs=2, seed=12).to_dict()["final_prices"] != a.to_dict()["final_prices"]


def test_multi_outcome_cpmm_and_forecast_bots() -> None:
    multi = run_market(SimulationConfig(truth=(0.6, 0.25, 0.1, 0.05), steps=500), np.random.default_rng(0))
    assert multi.path.shape == (501, 4) and multi.final_prices.argmax() == 0
    cpmm = run_market(SimulationConfig(mechanism="cpmm", steps=500), np.random.default_rng(0))
    assert cpmm.b is None and abs(cpmm.final_prices[0] - 0.7) < 0.15
    # Forecast bots believe the injected forecast (no model is run): alone, they move the price there.
    config = SimulationConfig(truth=(0.5, 0.5), steps=500, population={"forecast": 3}, forecast_belief=0.9,
                              params=BotParams(budget=1000.0, kelly_fraction=1.0, aggressiveness=0.5), subsidy=10.0)
    assert run_market(config, np.random.default_rng(0)).final_prices[0] == pytest.approx(0.9, abs=0.02)


def test_max_orders_stops_early() -> None:
    r = run_market(replace(SimulationConfig(steps=5000), max_orders=100), np.random.default_rng(0))
    assert r.orders == 100 and r.path.shape[0] < 5001


def test_summary_json_has_the_required_keys() -> None:
    d = simulate(SimulationConfig(steps=100), runs=2, seed=0).to_dict()
    for key in ("final_prices", "truth", "brier_final", "pnl_by_strategy", "maker_loss", "maker_loss_bound"):
        assert key in d
    assert d["truth"] == [0.7, 0.3] and len(d["final_prices"]) == 2
    assert set(d["pnl_by_strategy"]) == {"informed", "noise", "kelly"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"truth": "0.5,0.3"}, "sums to"),
        ({"truth": "abc"}, "must be probabilities"),
        ({"truth": "0.7", "outcomes": 3}, "--outcomes is 3"),
        ({"bots": "wizard:2"}, "unknown strategy"),
        ({"mechanism": "cpmm", "outcomes": 3}, "binary questions only"),
        ({"mechanism": "book"}, "not one of"),
        ({"subsidy": -5.0}, "subsidy"),
        ({"subsidy": float("nan")}, "subsidy"),
        ({"steps": 0}, "steps"),
        ({"bots": "forecast:2"}, "forecast bots need a belief"),
    ],
)
def test_bad_settings_are_market_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(MarketError, match=match):
        config = parse_config(**kwargs)
        run_market(config, np.random.default_rng(0))


def test_runs_must_be_positive() -> None:
    with pytest.raises(BotError, match="runs"):
        simulate(SimulationConfig(steps=10), runs=0)


def test_the_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "simulate_market.py"
    d = runpy.run_path(str(example))["main"](steps=60, runs=1)
    assert d["maker_loss"] <= d["maker_loss_bound"]
    assert "maker loss" in capsys.readouterr().out
