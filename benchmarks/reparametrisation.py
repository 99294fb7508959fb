"""Same model, new coordinates: posterior quantiles of the pivot parametrisation against the
whitened one (`forecast.saturation.reference`), on shipped benchmarks and user CSVs.

    python benchmarks/reparametrisation.py [--draws 1000] [--seed 0] [--workers N]

For each case both models are sampled with the same settings; for each parameter of theta
and for the frontier one year after the as-of date, the 5/50/95% quantiles are printed with
z = (new - old) / sqrt(mcse_old^2 + mcse_new^2) (Monte Carlo standard errors of the
quantiles, arviz). |z| above 3 would say the posteriors differ beyond Monte Carlo error. The
leapfrog steps per draw and the divergences of each fit are printed too.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "examples" / "my_benchmark.csv"
AS_OF = date(2026, 12, 1)
SHIPPED = ("SWE-bench Verified", "MMLU", "GPQA Diamond", "FrontierMath Tiers 1-3 v2", "LAMBADA")
QS = (0.05, 0.5, 0.95)
NAMES = ("log_rate", "delay", "logit_gap", "log_sigma", "g_acc", "frontier+1y")


@dataclass(frozen=True)
class Job:
    case: str
    variant: str  # "old" or "new"
    draws: int
    seed: int


def _data(case: str):
    from forecast.series import prepare
    from priors.history import BenchmarkInfo, load_metadata, read_results

    if case == "example CSV":
        return prepare(read_results(EXAMPLE), BenchmarkInfo("AgentArena", 0.0, None), AS_OF)
    if case == "example CSV, first 4 rows":
        rows = read_results(EXAMPLE).sort_values("date").head(4)
        return prepare(rows, BenchmarkInfo("AgentArena", 0.0, None), AS_OF)
    return prepare(read_results(), load_metadata()[case], AS_OF)


def fit(job: Job) -> dict:
    """Sample one case with one parametrisation; return draws of theta, g and the frontier."""
    import arviz as az

    from forecast.saturation.model import build_benchmark_model
    from forecast.saturation.population import load_prior
    from forecast.saturation.reference import build_whitened_model
    from forecast.saturation.timeline import Paths
    from forecast.sampling import SamplerConfig, sample
    from forecast.series import to_years

    data, prior = _data(job.case), load_prior()
    mean, cov = prior.predictive(data.released)
    build = build_benchmark_model if job.variant == "new" else build_whitened_model
    model = build(data, mean, cov, prior.offset_prior(), "logistic", None, accel_prior=prior.accel_prior())
    idata = sample(model, SamplerConfig(draws=job.draws, tune=1000, chains=2, seed=job.seed))
    post = idata.posterior
    theta = np.concatenate([post["theta"].values, post["g_acc"].values[..., None]], axis=-1)  # chain, draw, 5
    f_now = float(data.normalise(data.frontier.score))
    paths = Paths.from_theta("logistic", theta.reshape(-1, 5), data.released, to_years(AS_OF), f_now,
                             np.random.default_rng(job.seed))
    front = paths.frontier_at(np.array([to_years(AS_OF) + 1.0]))[:, 0].reshape(theta.shape[:2])
    draws = np.concatenate([theta, front[..., None]], axis=-1)
    mcse = np.array([[float(az.mcse(draws[..., i], method="quantile", prob=q)) for q in QS]
                     for i in range(draws.shape[-1])])
    quant = np.array([[np.quantile(draws[..., i], q) for q in QS] for i in range(draws.shape[-1])])
    stats = idata.sample_stats
    return {"q": quant, "mcse": mcse, "steps": float(stats["n_steps"].mean()),
            "div": int(stats["diverging"].values.sum()), "n": data.n_records}


def main() -> None:
    from forecast.parallel import map_tasks

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--cases", nargs="*", default=["example CSV", "example CSV, first 4 rows", *SHIPPED])
    args = ap.parse_args()
    jobs = [Job(c, v, args.draws, args.seed) for c in args.cases for v in ("old", "new")]
    out = map_tasks(fit, jobs, workers=args.workers, label=lambda j: f"{j.case} ({j.variant})",
                    progress=lambda d, t, n: print(f"  [{d}/{t}] {n}", file=sys.stderr, flush=True))
    worst = 0.0
    for i, case in enumerate(args.cases):
        old, new = out[2 * i], out[2 * i + 1]
        print(f"\n{case} ({old['n']} records): steps/draw old {old['steps']:.1f} new {new['steps']:.1f}; "
              f"divergences old {old['div']} new {new['div']}")
        print(f"  {'':13}" + "".join(f"{f'q{int(q * 100)} old':>10}{'new':>9}{'z':>6}" for q in QS))
        for j, name in enumerate(NAMES):
            z = (new["q"][j] - old["q"][j]) / np.sqrt(old["mcse"][j] ** 2 + new["mcse"][j] ** 2)
            worst = max(worst, float(np.max(np.abs(z))))
            print(f"  {name:13}" + "".join(f"{old['q'][j, k]:>10.3f}{new['q'][j, k]:>9.3f}{z[k]:>6.1f}"
                                           for k in range(len(QS))))
    print(f"\nlargest |z| over {len(args.cases)} cases x {len(NAMES)} quantities x {len(QS)} quantiles: {worst:.2f}")


if __name__ == "__main__":
    main()
