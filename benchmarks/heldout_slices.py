"""Where the held-out backtest's forecasts win and lose: mean CRPS, PIT and 80% coverage of each
method and baseline on slices of the scored points (starting level, records known, the
benchmark's age at the cut-off, horizon).

    python benchmarks/heldout_slices.py --seed 0             # the default horizons, 6/12/18 months
    python benchmarks/heldout_slices.py --horizon 3,6,12     # another horizon set

It runs the same held-out backtest as `benchcast backtest --held-out --methods
reference,trend,capability` (about 100 s on 2 cores) and prints one block per slice. "truth -
median" is the mean of the outcome minus the forecast median on the normalised scale: above 0,
the method forecast too little progress.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

# benchmarks/forecast.py would shadow the forecast package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from forecast.backtest.heldout import HeldOutConfig, evaluate, run_heldout  # noqa: E402
from forecast.series import to_years  # noqa: E402
from priors.history import load_metadata, read_results  # noqa: E402

MODELS = ("benchcast", "reference", "trend", "capability", "reference_class", "logit_trend", "persistence")


def slices(horizons: tuple[int, ...]) -> list[tuple[str, Callable]]:
    out = [
        ("all points", lambda s, n, a: True),
        ("level < 0.15", lambda s, n, a: s.now < 0.15),
        ("level 0.15-0.5", lambda s, n, a: 0.15 <= s.now < 0.5),
        ("level >= 0.5", lambda s, n, a: s.now >= 0.5),
        ("records <= 3", lambda s, n, a: n <= 3),
        ("records 4-8", lambda s, n, a: 4 <= n <= 8),
        ("records > 8", lambda s, n, a: n > 8),
        ("age < 1 year", lambda s, n, a: a < 1),
        ("age < 1 year and level < 0.5", lambda s, n, a: a < 1 and s.now < 0.5),
    ]
    out += [(f"horizon {h} months", lambda s, n, a, h=h: s.horizon == h) for h in horizons]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--horizon", default="6,12,18", help="months, comma-separated")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    horizons = tuple(int(h) for h in args.horizon.split(","))
    results, meta = read_results(), load_metadata()
    config = HeldOutConfig(horizons=horizons, methods=("reference", "trend", "capability"), seed=args.seed)
    forecasts = run_heldout(results, meta, config, workers=args.workers)
    out = evaluate(forecasts, config, results, meta)
    by_key = {(f.benchmark, f.cutoff): f for f in forecasts}
    rows = []
    for s in out.scores:
        f = by_key[(s.benchmark, s.cutoff)]
        rows.append((s, f.data.n_records, to_years(s.cutoff) - f.data.released))
    print(f"held-out backtest, seed {args.seed}, horizons {args.horizon} months; default: {out.default}")
    for title, keep in slices(horizons):
        mine = [(s, n, a) for s, n, a in rows if keep(s, n, a)]
        points = {(s.benchmark, s.cutoff, s.horizon) for s, _, _ in mine}
        print(f"\n{title}: {len(points)} points, {len({s.benchmark for s, _, _ in mine})} benchmarks")
        print(f"  {'model':<16}{'CRPS':>8}{'PIT':>7}{'cov80':>7}{'truth - median':>16}")
        for m in MODELS:
            ss = [s for s, _, _ in mine if s.model == m]
            if not ss:
                continue
            gap = np.mean([s.truth - float(np.median(s.samples)) for s in ss])
            print(f"  {m:<16}{np.mean([s.crps for s in ss]):>8.4f}{np.mean([s.pit for s in ss]):>7.2f}"
                  f"{np.mean([s.covered[0.8] for s in ss]):>7.2f}{gap:>+16.3f}")


if __name__ == "__main__":
    main()
