"""Wall times of benchcast's slow paths, as ratios to `python -c "import pymc"` in the same run.

    python benchmarks/forecast.py [--repeats N] [--skip-backtest] [--skip-build] [--workers N]

import       `python -c "import pymc"`: the baseline every figure is divided by
cold         the first forecast of the example CSV with the saturation model: empty fit
             cache, empty compile directory
uncached     a forecast of the example CSV in a fresh process with --refit (new data: no fit
             cache), the compile directory warm: the saturation model, and the default method
backtest     `benchcast backtest` with its defaults
build        `benchcast priors build` to a temporary file
sampler      leapfrog steps per draw and divergences of the example CSV's fit (in process)

Every timed command runs in a fresh process; repeated figures are medians. Each row gives the
wall time and the CPU time of the command (and its children), both also as ratios to the
baseline's: on a busy machine the CPU ratios hold better than the seconds. Rows are printed as
they are measured.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "my_benchmark.csv"


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of `cmd` in a fresh process."""
    cpu0, start = _child_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, _child_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed, cpu


def median_of(n: int, cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    runs = [timed(cmd, env) for _ in range(n)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def sampler_figures() -> tuple[float, int, float]:
    """Leapfrog steps per draw, divergences and max r_hat of the example CSV's default fit."""
    sys.path.insert(0, str(ROOT))
    from forecast.saturation.fit import fit_benchmark
    from forecast.saturation.population import load_prior
    from forecast.sampling import SamplerConfig
    from forecast.series import prepare
    from priors.history import BenchmarkInfo, read_results

    data = prepare(read_results(EXAMPLE), BenchmarkInfo("AgentArena", 0.0, None), date.today())
    _, diag, steps = fit_benchmark(data, load_prior(), config=SamplerConfig(draws=1000, chains=2, seed=0))
    return steps, diag.divergences, diag.r_hat_max


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-backtest", action="store_true")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--workers", type=int, default=None, help="passed to priors build")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("benchcast"))
    fc = [exe, "forecast", "AgentArena", "--data", str(EXAMPLE), "--threshold", "80", "--by", "2028-12-31",
          "--json", "--no-save"]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BENCHCAST_HOME=f"{tmp}/home", PYTENSOR_FLAGS=f"compiledir={tmp}/pytensor")
        base = median_of(args.repeats, [sys.executable, "-c", "import pymc"], env)

        def row(name: str, wall_cpu: tuple[float, float]) -> None:
            wall, cpu = wall_cpu
            print(f"{name:<42}{wall:7.2f} s {wall / base[0]:6.2f}x   cpu {cpu:7.2f} s {cpu / base[1]:6.2f}x", flush=True)

        row(f"import pymc (baseline, median of {args.repeats})", base)
        sat = fc + ["--method", "saturation"]
        row("cold forecast, saturation (empty caches)", timed(sat, env))
        row("uncached forecast, saturation", median_of(args.repeats, sat + ["--refit"], env))
        row("uncached forecast, default method", median_of(args.repeats, fc + ["--refit"], env))
        if not args.skip_build:
            build = [exe, "priors", "build", "--out", f"{tmp}/prior.json"]
            row("priors build", timed(build + (["--workers", str(args.workers)] if args.workers else []), env))
        if not args.skip_backtest:
            row("default backtest", timed([exe, "backtest", "--json"], env))
    steps, div, rhat = sampler_figures()
    print(f"example CSV fit: {steps:.1f} leapfrog steps per draw, {div} divergences, max r_hat {rhat:.3f}")


if __name__ == "__main__":
    main()
