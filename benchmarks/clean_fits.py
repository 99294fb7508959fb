"""Clean fits: the default forecast fit of every shipped benchmark at a few as-of dates, and
the worst diagnostics among them (target: no divergences, max r_hat <= 1.01).

    python benchmarks/clean_fits.py [--as-of 2026-12-01 2025-01-01] [--workers N] [--benchmarks ...]

Each fit is what `benchcast forecast NAME --as-of DATE` samples (2 chains x 1,000 draws,
seed 0), without the fit cache. A date before the shipped prior's data needs a population
prior built at that date first (cached in BENCHCAST_HOME/cache, as the CLI does).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATES = ("2026-12-01", "2025-01-01")


def cache_dir() -> Path:
    return Path(os.environ.get("BENCHCAST_HOME", Path.home() / ".benchcast")) / "cache"


def fit_one(job: tuple[str, str]) -> dict:
    """The default forecast fit of one benchmark at one as-of date, and its diagnostics."""
    from forecast.saturation.fit import fit_benchmark
    from forecast.saturation.population import prior_for
    from forecast.sampling import SamplerConfig
    from forecast.series import prepare
    from priors.history import load_metadata, read_results

    name, day = job[0], date.fromisoformat(job[1])
    data = prepare(read_results(), load_metadata()[name], day)
    if data.n_records == 0:
        return {"records": 0}
    prior = prior_for(day, cache_dir=cache_dir())
    _, diag, steps = fit_benchmark(data, prior, config=SamplerConfig(draws=1000, chains=2, seed=0))
    return {"records": data.n_records, "r_hat": diag.r_hat_max, "ess": diag.ess_bulk_min,
            "div": diag.divergences, "steps": steps}


def build_prior(day: str) -> str:
    from forecast.saturation.population import prior_for

    prior_for(date.fromisoformat(day), cache_dir=cache_dir())
    return day


def main() -> None:
    from forecast.parallel import map_tasks
    from priors.history import load_metadata

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--as-of", nargs="*", default=list(DEFAULT_DATES))
    ap.add_argument("--benchmarks", nargs="*", default=None)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    names = args.benchmarks or sorted(load_metadata())
    say = lambda d, t, n: print(f"  [{d}/{t}] {n}", file=sys.stderr, flush=True)  # noqa: E731
    map_tasks(build_prior, args.as_of, workers=args.workers, progress=say)
    jobs = [(n, d) for d in args.as_of for n in names]
    out = map_tasks(fit_one, jobs, workers=args.workers, label=lambda j: f"{j[0]} @ {j[1]}", progress=say)
    fitted = [(j, r) for j, r in zip(jobs, out) if r["records"]]
    print(f"{'benchmark':44}{'as of':>12}{'rec':>5}{'r_hat':>7}{'ess':>7}{'div':>5}{'steps':>7}")
    for (name, day), r in fitted:
        print(f"{name[:43]:44}{day:>12}{r['records']:>5}{r['r_hat']:>7.3f}{r['ess']:>7.0f}{r['div']:>5}{r['steps']:>7.1f}")
    print(f"\n{len(fitted)} fits ({len(jobs) - len(fitted)} with no records skipped): "
          f"max r_hat {max(r['r_hat'] for _, r in fitted):.3f}, min bulk ESS {min(r['ess'] for _, r in fitted):.0f}, "
          f"{sum(r['div'] > 0 for _, r in fitted)} fits with divergences "
          f"({sum(r['div'] for _, r in fitted)} in all), "
          f"{sum(r['r_hat'] > 1.01 for _, r in fitted)} with r_hat > 1.01, "
          f"median steps/draw {sorted(r['steps'] for _, r in fitted)[len(fitted) // 2]:.1f}")


if __name__ == "__main__":
    main()
