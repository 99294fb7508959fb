"""The saturation model as an ensemble member (see `forecast.members`).

``prepare`` fits the population prior to the training benchmarks known at the as-of date
(`forecast.saturation.population.build_prior`, minutes), or takes a given prior; ``predict``
fits the one benchmark under that prior (`fit_theta`, seconds) and simulates its frontier
paths with the activity model (`forecast.saturation.timeline.Paths`): the same code path as
a user's CSV forecast.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.members import MemberContext, Targets, as_paths, target_years
from forecast.sampling import Diagnostics, SamplerConfig
from forecast.series import BenchmarkData
from forecast.saturation.population import PopulationPrior, build_prior, load_prior
from forecast.saturation.timeline import Paths
from priors.history import BenchmarkInfo

MODEL_VERSION = "4"  # 3: the pivot parametrisation of the single-benchmark model; 4: short series at 0.99
#: Population fits inside backtests (each (cut-off, fold) fit once; cached on disk).
POPULATION_SAMPLER = SamplerConfig(draws=400, tune=700, chains=2, target_accept=0.95)
#: The single-benchmark fit under the population prior.
BENCHMARK_SAMPLER = SamplerConfig(draws=500, tune=1000, chains=2, target_accept=0.95)


def train_key(train: pd.DataFrame, as_of: date, extra: object) -> str:
    """A digest of the training rows known at `as_of`, for on-disk caches."""
    rows = train[train["date"].dt.date <= as_of].sort_values(["benchmark", "provenance", "date", "model", "score"])
    h = hashlib.sha256(json.dumps([as_of.isoformat(), extra], default=str).encode())
    h.update(pd.util.hash_pandas_object(rows[["benchmark", "model", "date", "score", "provenance"]],
                                        index=False).values.tobytes())
    return h.hexdigest()[:20]


def _fit_key(data: BenchmarkData, prior: PopulationPrior, curve: str, ceiling: float | None,
             config: SamplerConfig) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([MODEL_VERSION, curve, ceiling, data.floor, data.released,
                         list(data.series_names), config.as_dict(), prior.created,
                         prior.cutoff.isoformat()], default=str).encode())
    for arr in (data.t, data.y, data.series):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()[:24]


def fit_theta(data: BenchmarkData, prior: PopulationPrior, *, curve: str = "logistic",
              ceiling: float | None = None, config: SamplerConfig | None = None,
              cache_dir: Path | None = None) -> tuple[np.ndarray, Diagnostics]:
    """Posterior draws of (theta, g_acc), shape (draws * chains, 5), and the fit's diagnostics.

    With no records, theta is drawn exactly from the population's predictive prior.
    With `cache_dir`, a fit of identical data, prior and settings is read back, not redone.
    """
    config = config or SamplerConfig()
    mean, cov = prior.predictive(data.released)
    n = config.draws * config.chains
    if data.n_records == 0:
        rng = np.random.default_rng(config.seed)
        theta = rng.multivariate_normal(mean, cov, size=n)
        if ceiling is not None:
            gap = max(1.0 - ceiling, 1e-6)
            theta[:, 2] = np.log(gap) - np.log1p(-gap)
        g_mean, g_sd = prior.accel_prior()
        theta = np.column_stack([theta, rng.normal(g_mean, g_sd, n)])
        return theta, Diagnostics(1.0, float(n), 0, config.draws, config.chains)
    path = Path(cache_dir) / f"fit-{_fit_key(data, prior, curve, ceiling, config)}.npz" if cache_dir else None
    if path is not None and path.is_file():
        with np.load(path) as z:
            d = z["diag"]
            return z["theta"], Diagnostics(float(d[0]), float(d[1]), int(d[2]), config.draws, config.chains)
    from forecast.saturation.fit import fit_benchmark

    theta, diag, _ = fit_benchmark(data, prior, curve=curve, ceiling=ceiling, config=config)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, theta=theta, diag=np.array([diag.r_hat_max, diag.ess_bulk_min, diag.divergences]))
        tmp.replace(path)
    return theta, diag


@dataclass(frozen=True)
class SaturationFit:
    """A population prior, ready to fit and simulate single benchmarks."""

    prior: PopulationPrior
    sampler: SamplerConfig = BENCHMARK_SAMPLER
    cache_dir: Path | None = None
    curve: str = "logistic"
    ceiling: float | None = None  # normalised; fixes the ceiling instead of learning it
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def fit(self, ctx: MemberContext) -> tuple[np.ndarray, Diagnostics]:
        """The benchmark's posterior draws of theta under the prior (once per context)."""
        key = id(ctx)
        if key not in self.memo:
            self.memo[key] = (ctx, fit_theta(ctx.data, self.prior, curve=self.curve, ceiling=self.ceiling,
                                             config=self.sampler, cache_dir=self.cache_dir))
        return self.memo[key][1]

    def paths(self, ctx: MemberContext, rng: np.random.Generator) -> Paths:
        """Frontier paths of `ctx` (normalised) with the activity model."""
        theta, _ = self.fit(ctx)
        data = ctx.data
        f_now = float(data.normalise(data.frontier.score)) if data.frontier else 0.0
        paths = Paths.from_theta(self.curve, theta, data.released, ctx.t0, max(f_now, 0.0), rng,
                                 is_observed=data.frontier is not None)
        return paths.with_activity(self.prior.activity, data.staleness, rng)

    def predict(self, ctx: MemberContext, targets: Targets, n: int, rng: np.random.Generator) -> np.ndarray:
        paths = self.paths(ctx, rng)
        pick = rng.integers(0, paths.n, n) if n != paths.n else np.arange(n)
        return as_paths(paths.frontier_at(target_years(targets))[pick], ctx.now)


@dataclass(frozen=True)
class SaturationMember:
    """Fits the population prior at `prepare` (cached in `cache_dir` by training data)."""

    population_sampler: SamplerConfig = POPULATION_SAMPLER
    benchmark_sampler: SamplerConfig = BENCHMARK_SAMPLER
    cache_dir: Path | None = None
    curve: str = "logistic"
    prior: PopulationPrior | None = None
    ceiling: float | None = None
    name: str = "saturation"

    def prepare(self, train: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date) -> SaturationFit:
        prior = self.prior or self._population(train, meta, as_of)
        return SaturationFit(prior, self.benchmark_sampler, self.cache_dir, self.curve, self.ceiling)

    def _population(self, train: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date) -> PopulationPrior:
        path = None
        if self.cache_dir is not None:
            key = train_key(train, as_of, [self.curve, self.population_sampler.as_dict()])
            path = Path(self.cache_dir) / f"population-{as_of.isoformat()}-{key}.json"
            if path.is_file():
                return load_prior(path)
        prior, _ = build_prior(train, meta, as_of, curve=self.curve, config=self.population_sampler)
        if path is not None:
            prior.save(path)
        return prior
