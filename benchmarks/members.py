"""Fit times of the ensemble members' `prepare` step, and of one forecast per method.

    python benchmarks/members.py [--as-of 2025-01-01] [--repeats 3]

Each figure is the median of --repeats runs in this process, so they compare like with like
on a machine that may be busy. The saturation member's prepare step is a population fit
(minutes; `benchmarks/forecast.py` times it as `build`), so it is not repeated here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

# benchmarks/forecast.py would shadow the forecast package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def timed(fn, repeats: int) -> float:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--as-of", default="2025-01-01")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from forecast.query import ForecastQuery
    from forecast.reference.member import ReferenceMember
    from forecast.reference.trend import TrendMember
    from priors.history import load_metadata, read_results

    day = date.fromisoformat(args.as_of)
    results, meta = read_results(), load_metadata()
    known = results[results["date"].dt.date <= day]
    rows = {
        "reference prepare (gain model, EM/Laplace)": lambda: ReferenceMember().prepare(known, meta, day),
        "trend prepare (error quantiles)": lambda: TrendMember().prepare(known, meta, day),
    }
    for method in ("reference", "trend"):
        rows[f"forecast --method {method} (2000 paths, 5 dates)"] = lambda m=method: ForecastQuery(
            benchmark="SWE-bench Verified", as_of=day, method=m, draws=2000).run().to_json(
            [date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30), date(2026, 12, 31), date(2027, 6, 30)], [], [])
    for name, fn in rows.items():
        print(f"{name:<52}{timed(fn, args.repeats):8.2f} s")


if __name__ == "__main__":
    main()
