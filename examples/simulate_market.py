"""Simulate a prediction market: informed, noise and Kelly bots trade with an LMSR maker.

Shows the library behind `benchcast simulate`: build a config, run it a few times with a seed,
read the price error, the profit by strategy and the maker's loss against its bound; then see
how a deeper subsidy slows prices down. Tiny settings: runs in about a second.

    python examples/simulate_market.py
"""

from __future__ import annotations

from markets.bots import BotParams
from markets.simulate import SimulationConfig
from markets.simulate_summary import simulate, sweep_subsidy


def main(steps: int = 300, runs: int = 3) -> dict:
    config = SimulationConfig(
        question="FrontierMath v2 >= 95 by 2027-12-31",
        truth=(0.3, 0.7),
        mechanism="lmsr",
        subsidy=100.0,
        population={"informed": 5, "noise": 10, "kelly": 3},
        steps=steps,
        params=BotParams(budget=100.0, noise=0.5, kelly_fraction=1.0, aggressiveness=0.1),
    )
    summary = simulate(config, runs=runs, seed=42)
    d = summary.to_dict()
    print(f"{d['question']}: truth P(YES) = {d['truth'][0]:.2f}, final price {d['final_prices'][0]:.3f} "
          f"(mean of {runs} runs of {steps} steps)")
    for row in d["price_error"]:
        print(f"  price error at step {row['step']:>4}: {row['error']:.3f}")
    for name, p in d["pnl_by_strategy"].items():
        print(f"  {name:<9} profit per bot {p['expected_mean']:+7.2f} (expected), {p['mean']:+7.2f} (as resolved)")
    print(f"  maker loss {d['maker_loss']:.2f} <= bound {d['maker_loss_bound']:.2f}")
    for r in sweep_subsidy(config, [10.0, 100.0, 1000.0], runs=1, seed=42):
        print(f"  subsidy {r.subsidy:>6g}: price moves {r.mean_move:.4f} per step, maker loss {r.maker_loss:+.2f}")
    return d


if __name__ == "__main__":
    main()
