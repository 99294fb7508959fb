"""Fit times of the ensemble members' `prepare` step, and of one forecast per method.

    python benchmarks/members.py [--as-of 2025-01-01] [--repeats 3]

Each figure is the median CPU time (process time: wall-clock on a shared machine says little)
of --repeats runs in this process; the last line times `import pymc` in a fresh process the
same way, the yardstick for "a default forecast costs about one pymc import". The saturation member's prepare step is a population fit
(minutes; `benchmarks/forecast.py` times it as `build`), so it is not repeated here.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

# benchmarks/forecast.py would shadow the forecast package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def timed(fn, repeats: int) -> float:
    out = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        out.append(time.process_time() - start)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--as-of", default="2025-01-01")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from forecast.members import available, get_member
    from forecast.query import ForecastQuery
    from forecast.reference.member import ReferenceMember
    from forecast.reference.trend import TrendMember
    from priors.history import load_metadata, read_results

    day = date.fromisoformat(args.as_of)
    results, meta = read_results(), load_metadata()
    known = results[results["date"].dt.date <= day]
    rows = {
        "reference prepare (ceiling, gain model, EM/Laplace)": lambda: ReferenceMember().prepare(known, meta, day),
        "trend prepare (ceiling, error quantiles, activity)": lambda: TrendMember().prepare(known, meta, day),
    }
    if "capability" in available():
        rows["capability prepare (index, frontier trend)"] = lambda: get_member("capability").prepare(known, meta, day)
    for method in ("reference", "trend", "ensemble"):
        rows[f"forecast --method {method} (2000 paths, 5 dates)"] = lambda m=method: ForecastQuery(
            benchmark="SWE-bench Verified", as_of=day, method=m, draws=2000).run().to_json(
            [date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30), date(2026, 12, 31), date(2027, 6, 30)], [], [])
    for name, fn in rows.items():
        print(f"{name:<56}{timed(fn, args.repeats):8.2f} s CPU")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", "import pymc"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    print(f"{'import pymc (fresh process)':<56}{cpu:8.2f} s CPU")


if __name__ == "__main__":
    main()
