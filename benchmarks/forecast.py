"""Wall time of `benchcast forecast` cold and warm, against the naive way, and `priors build`.

    python benchmarks/forecast.py [--benchmark NAME] [--repeats N]

cold     first run: empty fit cache and an empty pytensor compile directory (C compilation)
refit    warm compile cache, but the fit is sampled again (--refit)
warm     the same command again: the fit is read back from the cache
naive    refit the full hierarchical model over every benchmark, then the forecast from it
build    `benchcast priors build` to a temporary file

Each figure is the median of --repeats runs (cold and build: one run), all in this process's
run, so they compare like with like on a machine that may be busy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAIVE = """
import sys
from datetime import date
import numpy as np
from priors.history import read_results, load_metadata
from forecast.saturation.population import build_prior, population_data
from forecast.series import to_years
from forecast.saturation.timeline import Paths
name = sys.argv[1]
res, meta = read_results(), load_metadata()
today = date.today()
prior, idata = build_prior(res, meta, today)
theta = idata.posterior["theta"].sel(benchmark=name).values.reshape(-1, 4)
d = next(d for d in population_data(res, meta, today) if d.name == name)
paths = Paths.from_theta(prior.curve, theta, d.released, to_years(today), float(d.normalise(d.frontier.score)),
                         np.random.default_rng(0))
print(paths.probability_by(float(d.normalise(95.0)), to_years(date(2027, 12, 31))))
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--benchmark", default="FrontierMath Tiers 1-3 v2")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("benchcast"))
    fc = [exe, "forecast", args.benchmark, "--threshold", "95", "--by", "2027-12-31"]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BENCHCAST_HOME=f"{tmp}/home",
                   PYTENSOR_FLAGS=f"compiledir={tmp}/pytensor")
        cold = timed(fc, env)
        refit = statistics.median(timed(fc + ["--refit"], env) for _ in range(args.repeats))
        warm = statistics.median(timed(fc, env) for _ in range(args.repeats))
        build = timed([exe, "priors", "build", "--out", f"{tmp}/prior.json"], env)
        naive = None if args.skip_naive else timed([sys.executable, "-c", NAIVE, args.benchmark], env)
    print(f"benchmark: {args.benchmark}; medians of {args.repeats} runs where repeated")
    print(f"cold forecast (compile + sample)   {cold:7.2f} s")
    print(f"refit forecast (warm compile)      {refit:7.2f} s")
    print(f"warm forecast (fit cached)         {warm:7.2f} s")
    print(f"priors build                       {build:7.2f} s")
    if naive is not None:
        print(f"naive forecast (full refit)        {naive:7.2f} s")
        print(f"warm / naive                       {warm / naive:7.3f}")
        print(f"refit / naive                      {refit / naive:7.3f}")


if __name__ == "__main__":
    main()
