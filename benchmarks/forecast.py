"""Wall and CPU times of benchcast's slow paths, as ratios to `python -c "import pymc"` in the same run.

    python benchmarks/forecast.py [--repeats N] [--workers N]

import           `python -c "import pymc"`: the baseline every figure is divided by
uncached         a forecast of the example CSV (a user's own data: no fit cache) in a fresh
                 process, the compile directory warm: the default method, then saturation
cold             the same with an empty compile directory and an empty benchcast home (a first
                 forecast after install): the default method, then saturation
priors build     `benchcast priors build` to a temporary file, twice: first with the population
                 model's C code not yet compiled (as after install: about 20 CPU s of g++ in
                 one worker while the other waits on the compile lock), then with it cached
backtest         `benchcast backtest` with its defaults (no MCMC unless the default method needs
                 it), then with `--saturation` (two population MCMC fits per cut-off)
capability       `benchcast capability --json` (the capability-index fit)
sampler          leapfrog steps per draw, divergences and max r_hat of the saturation method's
                 default fit of the example CSV and of AIME 2025 (2-3 records), in process

Every row runs; every timed command runs in a fresh process (repeated figures are medians).
Each row gives the wall time and the CPU time of the command and of every process under it
(user + system: `resource.getrusage(RUSAGE_CHILDREN)` plus the worker processes, polled), both
also as ratios to the baseline's: on a shared
machine the CPU ratios hold better than the seconds. Rows are printed as they are measured.
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


def _descendants_cpu(pid: int, seen: dict[int, float]) -> None:
    """Record the CPU seconds so far of every process under `pid` (not `pid` itself)."""
    import psutil

    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for k in kids:
        try:
            t = k.cpu_times()
            seen[k.pid] = max(seen.get(k.pid, 0.0), t.user + t.system)
        except psutil.NoSuchProcess:
            pass


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of `cmd` in a fresh process, its worker processes included.

    The command's own CPU (and that of the children it waits for) comes from
    RUSAGE_CHILDREN; worker processes started by a fork server are not its children, so
    every process under the command is polled every 0.1 s and its last-seen CPU added (up to
    0.1 s of each worker's last moments are missed, and so are compilers a worker runs).
    """
    cpu0, start = _child_cpu(), time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[int, float] = {}
    while True:
        try:
            out, err = proc.communicate(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            _descendants_cpu(proc.pid, seen)
    elapsed, cpu = time.perf_counter() - start, _child_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{err[-2000:]}")
    return elapsed, cpu + sum(seen.values())


def median_of(n: int, cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    runs = [timed(cmd, env) for _ in range(n)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def sampler_figures(case: str) -> tuple[float, int, float, int]:
    """Leapfrog steps per draw, divergences, max r_hat and records of the saturation method's
    default fit of `case` ("example CSV" or a shipped benchmark), as `benchcast forecast` runs it."""
    sys.path.insert(0, str(ROOT))
    from forecast.saturation.fit import fit_benchmark
    from forecast.saturation.population import load_prior
    from forecast.saturation_member import BENCHMARK_SAMPLER
    from forecast.series import prepare
    from priors.history import BenchmarkInfo, load_metadata, read_results

    if case == "example CSV":
        data = prepare(read_results(EXAMPLE), BenchmarkInfo("AgentArena", 0.0, None), date.today())
    else:
        data = prepare(read_results(), load_metadata()[case], date.today())
    config = BENCHMARK_SAMPLER.with_overrides(draws=1000, seed=0)  # the CLI's default: 2000 draws in all
    _, diag, steps = fit_benchmark(data, load_prior(), config=config)
    return steps, diag.divergences, diag.r_hat_max, data.n_records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs of each fast row (median); slow rows run once")
    ap.add_argument("--workers", type=int, default=None, help="passed to priors build and backtest")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("benchcast"))
    fc = [exe, "forecast", "AgentArena", "--data", str(EXAMPLE), "--threshold", "80", "--by", "2028-12-31",
          "--json", "--no-save"]
    par = ["--workers", str(args.workers)] if args.workers else []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BENCHCAST_HOME=f"{tmp}/home", PYTENSOR_FLAGS=f"compiledir={tmp}/pytensor")
        base = median_of(args.repeats, [sys.executable, "-c", "import pymc"], env)

        def row(name: str, wall_cpu: tuple[float, float]) -> None:
            wall, cpu = wall_cpu
            print(f"{name:<44}{wall:8.2f} s {wall / base[0]:6.2f}x   cpu {cpu:8.2f} s {cpu / base[1]:6.2f}x", flush=True)

        def cold(cmd: list[str], tag: str) -> tuple[float, float]:
            fresh = dict(os.environ, BENCHCAST_HOME=f"{tmp}/cold-{tag}/home",
                         PYTENSOR_FLAGS=f"compiledir={tmp}/cold-{tag}/pytensor")
            return timed(cmd, fresh)

        row(f"import pymc (baseline, median of {args.repeats})", base)
        sat = fc + ["--method", "saturation"]
        row("cold forecast, default method (empty caches)", cold(fc, "default"))
        row("cold forecast, saturation (empty caches)", cold(sat, "saturation"))
        timed(sat, env)  # warms this run's compile directory
        row("uncached forecast, default method", median_of(args.repeats, fc + ["--refit"], env))
        row("uncached forecast, saturation", median_of(args.repeats, sat + ["--refit"], env))
        build = [exe, "priors", "build", "--out", f"{tmp}/prior.json", *par]
        row("priors build (population graph not compiled)", timed(build, env))
        row("priors build (compile cache warm)", timed(build, env))
        row("default backtest", timed([exe, "backtest", "--json", *par], env))
        row("backtest --saturation", timed([exe, "backtest", "--json", "--saturation", *par], env))
        row("capability-index fit", timed([exe, "capability", "--json"], env))
    for case in ("example CSV", "AIME 2025"):
        steps, div, rhat, n = sampler_figures(case)
        print(f"{case} fit ({n} records): {steps:.1f} leapfrog steps per draw, {div} divergences, max r_hat {rhat:.3f}",
              flush=True)


if __name__ == "__main__":
    main()
