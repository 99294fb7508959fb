"""Forecast your own benchmark from a CSV, conditioned on the population prior benchcast
learned from 35 historical benchmarks.

    python examples/forecast_my_benchmark.py [--draws N] [--out fan.png]

The CSV (my_benchmark.csv beside this file) has the columns benchmark, model, date, score and
optionally provenance: independent and self-reported scores are separate series, and the
independent one defines the frontier.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from forecast import forecast_benchmark

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--out", default="agentarena_fan.png")
    args = ap.parse_args()
    fc = forecast_benchmark(HERE / "my_benchmark.csv", floor=0, released="2025-09-01", as_of="2026-10-01",
                            draws=args.draws, seed=7)
    print(f"{fc.benchmark}: frontier {fc.frontier.score:.1f}% ({fc.frontier.model}, {fc.frontier.date})")
    for when in ("2027-03-31", "2027-12-31"):
        q = fc.quantiles(when)
        print(f"  {when}: median {q[0.5]:.1f}%, 80% interval {q[0.1]:.1f}-{q[0.9]:.1f}%")
    print(f"  P(best >= 50% by 2027-12-31) = {fc.probability(50, by='2027-12-31'):.2f}")
    dates, p_not = fc.crossing(50)
    print(f"  first date >= 50%: median {dates[0.5]}, P(not within 10 years) = {p_not:.2f}")
    diag = fc.diagnostics.as_dict() if fc.diagnostics else "no MCMC in this method"
    print(f"  method: {fc.method}; draws: {fc.paths.n}; diagnostics: {diag}")
    print(f"  wrote {fc.plot(args.out, until=fc.as_of.replace(year=fc.as_of.year + 2), thresholds=[50])}")


if __name__ == "__main__":
    main()
