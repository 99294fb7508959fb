"""Orders per second through the pure market engine (one core, no I/O).

Runs a fixed stream of market orders (buys for random amounts, and sales of part of what the
trader holds) by 20 traders on LMSR and CPMM markets, binary and 10-outcome (CPMM is binary
only), and prints the median over several runs. Run: ``python benchmarks/engine.py``.

The rate is orders per second of this process's CPU time (`time.process_time`), so other
programs sharing the machine do not distort it; wall-clock rates are printed alongside.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from markets import (MICRO, MarketError, Order, account, apply_order, binary_question,
                     create_market, multiple_choice_question)

N_ORDERS = 20_000
RUNS = 5
TRADERS = [f"trader{k}" for k in range(20)]


def _orders(outcomes: tuple[str, ...], seed: int) -> list[tuple[str, int, int, float]]:
    rng = np.random.default_rng(seed)
    return [(TRADERS[int(rng.integers(len(TRADERS)))], int(rng.integers(len(outcomes))),
             int(rng.integers(1 * MICRO, 20 * MICRO)), float(rng.random()))
            for _ in range(N_ORDERS)]


def run_once(mechanism: str, n_outcomes: int, seed: int) -> tuple[float, float, int]:
    """Orders per CPU second and per wall second of one run, and how many were refused."""
    if n_outcomes == 2:
        question = binary_question("Will the benchmark saturate by 2028?")
    else:
        question = multiple_choice_question("Which year?", [f"{2026 + k}" for k in range(n_outcomes)])
    market = create_market(question, mechanism, 1_000 * MICRO)
    outcomes = question.outcomes
    stream = _orders(outcomes, seed)
    cash = 10**12
    done = refused = 0
    start, cpu = time.perf_counter(), time.process_time()
    for trader, i, amount, u in stream:
        held = account(market, trader).shares[i]
        if u < 0.3 and held >= 2_000:
            order = Order(trader, outcomes[i], "sell", shares=held // 2)
        else:
            order = Order(trader, outcomes[i], "buy", amount=amount)
        try:
            market, _ = apply_order(market, order, cash=cash)
            done += 1
        except MarketError:  # e.g. a price would leave the band: refused, state unchanged
            done += 1
            refused += 1
    return done / (time.process_time() - cpu), done / (time.perf_counter() - start), refused


def main() -> None:
    print(f"benchcast market engine: {N_ORDERS} orders per run, median of {RUNS} runs, "
          f"Python {sys.version.split()[0]}")
    for mechanism, n in (("lmsr", 2), ("lmsr", 10), ("cpmm", 2)):
        runs = [run_once(mechanism, n, seed) for seed in range(RUNS)]
        rates = [r for r, _, _ in runs]
        wall = statistics.median(w for _, w, _ in runs)
        refused = sum(k for _, _, k in runs) / (RUNS * N_ORDERS)
        print(f"{mechanism:5s} {n:2d} outcomes: {statistics.median(rates):>9,.0f} orders/s "
              f"(min {min(rates):,.0f}, max {max(rates):,.0f}; wall-clock median {wall:,.0f}; "
              f"{refused:.1%} refused)")


if __name__ == "__main__":
    main()
