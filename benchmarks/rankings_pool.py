"""The rankings pool's combination rule, measured on the leader backtest: log pool against linear.

    python benchmarks/rankings_pool.py [--seed 0] [--workers 2]

Runs (or reads from the fit cache, `~/.benchcast/cache/rankings`) the leader backtest of
`benchcast rankings --backtest` and scores, on the same questions, three forecasts made from the
same model and recency-baseline probabilities:

* ``log``: the shipped rule, ``p ~ max(p_model, f)^(1 - w) p_recent^w`` (`forecast.rankings.pool`);
* ``linear``: the previous release's ``(1 - w) p_model + w p_recent`` (defined here only);
* ``recent``: the recency baseline alone (the best baseline of the backtest).

Both pools learn their weight the same way: per grouping and horizon, from the questions resolved
on or before the question's as-of date, maximizing the summed log score plus a Beta(3, 3) prior
on a 401-point grid. Prints the mean log score per cell and over all questions; the figures in
docs/rankings.md come from this script.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def linear_weight(p_model: list[float], p_recent: list[float], prior_strength: float) -> float:
    """The linear pool's weight: the previous release's rule, kept here for the comparison."""
    from forecast.rankings.pool import GRID_SIZE

    pm, pr = np.asarray(p_model, float), np.asarray(p_recent, float)
    grid = np.linspace(0.0, 1.0, GRID_SIZE)
    with np.errstate(divide="ignore"):
        ll = np.log((1.0 - grid)[:, None] * pm[None, :] + grid[:, None] * pr[None, :]).sum(axis=1)
        ll = ll + (prior_strength - 1.0) * np.log(grid * (1.0 - grid))
    return float(grid[int(np.argmax(ll))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    from benchcast.cli.forecast import cache_dir
    from forecast.rankings.backtest import run_backtest
    from forecast.rankings.pool import PRIOR_STRENGTH
    from priors.open_weight import match_metric, metrics, read_open_weight

    frame = read_open_weight()
    metric = match_metric("ECI", metrics(frame))
    t0 = time.perf_counter()
    rows = run_backtest(frame, metric, seed=args.seed, cache_dir=cache_dir() / "rankings", workers=args.workers,
                        progress=lambda d, n, label: print(f"fitted {d} of {n} ({label})", file=sys.stderr))
    took = time.perf_counter() - t0

    linear = []
    for r in rows:
        past = [q for q in rows if q.by == r.by and q.horizon == r.horizon and q.resolved <= r.as_of]
        w = linear_weight([q.p["model"][q.actual] for q in past], [q.p["recency"][q.actual] for q in past],
                          PRIOR_STRENGTH)
        p = (1.0 - w) * r.p["model"][r.actual] + w * r.p["recency"].get(r.actual, 0.0)
        linear.append(float(np.log(max(p, r.floor))))

    print(f"{metric}: seed {args.seed}, {len(rows)} questions, backtest {took:.0f} s")
    print(f"{'by':<13}{'h':>4}{'n':>4}{'model':>9}{'recent':>9}{'linear':>9}{'log':>9}")
    cells = sorted({(r.by, r.horizon) for r in rows}) + [("all", "all")]
    for by, h in cells:
        idx = [i for i, r in enumerate(rows) if by == "all" or (r.by == by and r.horizon == h)]
        mean = {m: np.mean([rows[i].log_score(m) for i in idx]) for m in ("model", "recency", "pooled")}
        lin = np.mean([linear[i] for i in idx])
        print(f"{by:<13}{h!s:>4}{len(idx):>4}{mean['model']:>9.3f}{mean['recency']:>9.3f}{lin:>9.3f}"
              f"{mean['pooled']:>9.3f}")


if __name__ == "__main__":
    main()
