"""Could the in-sample curve fits rescue the ordinary backtest's first cut-off? The default mixed,
with a fixed weight chosen in hindsight, with the saturation model or the independent logistic.

    python benchmarks/curve_mixing.py [--seed 0] [--workers 1]

Runs the ordinary backtest with its MCMC fits (`benchcast backtest --saturation --draws 300
--tune 500`; the fits come from the cache, `~/.benchcast/cache/backtest`, after the first run)
and scores, on the same points, the linear pool ``(1 - w) benchcast + w curve`` for w in
0 ... 0.5, with the exact mixture CRPS (`forecast.ensemble.stacking`: no Monte Carlo noise of
the mixing). Prints the mean CRPS by cut-off and overall, and the losses the backtest reports
(`forecast.backtest.losses`). A weight that helps at one cut-off and hurts at the others says the
curves' win there is that cut-off's, not a member the ensemble is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
CURVES = ("saturation", "independent_logistic")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    from benchcast.cli.backtest import _meta
    from benchcast.cli.forecast import cache_dir
    from forecast.backtest import BacktestConfig, run_backtest
    from forecast.backtest.losses import losses
    from forecast.ensemble.spec import load_ensemble
    from forecast.ensemble.stacking import mean_abs_diff
    from forecast.query import default_method
    from forecast.sampling import SamplerConfig
    from priors.store import load_all

    results = load_all(True)
    config = BacktestConfig(sampler=SamplerConfig(draws=300, tune=500, chains=2, target_accept=0.95, seed=args.seed),
                            ensemble=load_ensemble(), default=default_method(), fits=True,
                            cache_dir=cache_dir() / "backtest")
    start = time.monotonic()
    scores = run_backtest(results, _meta(results), config, workers=args.workers,
                          progress=lambda s: print(f"  {s}", file=sys.stderr, flush=True))
    print(f"ordinary backtest, seed {args.seed}: {time.monotonic() - start:.0f} s (MCMC fits cached after the first run)")
    points: dict[tuple, dict] = defaultdict(dict)
    for s in scores:
        points[(s.cutoff, s.benchmark, s.horizon)][s.model] = s
    cutoffs = sorted({k[0] for k in points})
    for curve in CURVES:
        table = defaultdict(lambda: defaultdict(list))
        for (cutoff, _, _), m in points.items():
            a, b, y = m["benchcast"].samples, m[curve].samples, m["benchcast"].truth
            ea, eb = np.abs(a - y).mean(), np.abs(b - y).mean()
            aa, bb, ab = mean_abs_diff(a, a), mean_abs_diff(b, b), mean_abs_diff(a, b)
            for w in WEIGHTS:
                mix = (1 - w) * ea + w * eb - 0.5 * ((1 - w) ** 2 * aa + 2 * w * (1 - w) * ab + w**2 * bb)
                table[w][cutoff].append(mix)
        print(f"\n(1 - w) benchcast + w {curve}: mean CRPS (the {curve} alone in the last column)")
        print(f"  {'cut-off':<12}" + "".join(f"{'w ' + format(w, 'g'):>9}" for w in WEIGHTS) + f"{curve:>22}")
        for c in [*cutoffs, "all"]:
            row = [np.mean([x for cc in cutoffs for x in table[w][cc]]) if c == "all" else np.mean(table[w][c])
                   for w in WEIGHTS]
            alone = np.mean([m[curve].crps for k, m in points.items() if c == "all" or k[0] == c])
            print(f"  {str(c):<12}" + "".join(f"{x:>9.4f}" for x in row) + f"{alone:>22.4f}")
    print("\nwhere benchcast lost to the best baseline:")
    for loss in losses(scores) or []:
        print(f"  {loss.describe()}")


if __name__ == "__main__":
    main()
