"""Simulated orders per second: 100 bots, 100,000 orders through the real engine.

Each configuration runs the offline simulator (``markets.simulate.run_market``) with 100 bots
(30 informed, 30 noise, 20 Kelly, 10 half-Kelly, 10 momentum) until 100,000 orders have been
sent to the engine. It prints the wall and CPU time, the orders per second, and how much of the
CPU time the engine's ``apply_order`` took (timed with `time.process_time` by wrapping it; the
wrapper costs about a microsecond). CPU time is the figure other programs sharing the machine
do not distort; wall time is what a user waits. Goal: under 10 s for the binary LMSR run. Run: ``python benchmarks/simulate.py [N_ORDERS]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import markets.simulate as sim
from markets.bots import BotParams
from markets.simulate import SimulationConfig, run_market

POPULATION = {"informed": 30, "noise": 30, "kelly": 20, "half-kelly": 10, "momentum": 10}
CASES = [
    ("binary LMSR", (0.7, 0.3), "lmsr"),
    ("binary CPMM", (0.7, 0.3), "cpmm"),
    ("10-outcome LMSR", tuple(np.arange(10, 0, -1) / 55.0), "lmsr"),
]


def run_case(truth: tuple[float, ...], mechanism: str, n_orders: int) -> dict[str, float]:
    config = SimulationConfig(truth=truth, mechanism=mechanism, subsidy=1000.0, population=POPULATION,
                              steps=20 * n_orders, max_orders=n_orders, params=BotParams(budget=1000.0))
    engine_time = [0.0]
    real = sim.apply_order

    def timed(market, order, *, cash):
        t0 = time.process_time()
        try:
            return real(market, order, cash=cash)
        finally:
            engine_time[0] += time.process_time() - t0

    sim.apply_order = timed
    try:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        r = run_market(config, np.random.default_rng(0))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    finally:
        sim.apply_order = real
    return {"orders": r.orders, "rejected": r.rejected, "steps": r.path.shape[0] - 1, "wall": wall, "cpu": cpu,
            "engine": engine_time[0]}


def main(n_orders: int = 100_000) -> None:
    print(f"benchcast simulator: {sum(POPULATION.values())} bots, {n_orders:,} orders per case (seed 0)")
    print(f"{'case':<16} {'orders':>8} {'refused':>8} {'steps':>8} {'wall s':>7} {'cpu s':>7} "
          f"{'orders/s':>9} {'orders/cpu s':>12} {'engine cpu us/order':>20} {'engine cpu share':>17}")
    for name, truth, mechanism in CASES:
        m = run_case(truth, mechanism, n_orders)
        print(f"{name:<16} {m['orders']:>8,} {m['rejected']:>8,} {m['steps']:>8,} {m['wall']:>7.2f} {m['cpu']:>7.2f} "
              f"{m['orders'] / m['wall']:>9,.0f} {m['orders'] / m['cpu']:>12,.0f} {1e6 * m['engine'] / m['orders']:>20.1f} "
              f"{m['engine'] / m['cpu']:>16.0%}")
    print("goal: 100 bots and 100,000 orders in under 10 s (binary LMSR)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
