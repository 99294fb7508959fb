"""Fitting one benchmark under a population prior: build the model, sample it, read off theta.

The one function the forecast entry points call (their fit cache wraps it), so the sampler
path of a single-benchmark fit lives in one place.
"""

from __future__ import annotations

import numpy as np

from forecast.saturation.model import FREE, PARAMS, build_benchmark_model
from forecast.saturation.population import PopulationPrior
from forecast.sampling import Diagnostics, SamplerConfig, diagnose, sample
from forecast.series import BenchmarkData


#: Series with at most this many records are sampled with `SHORT_TARGET_ACCEPT` at least: with
#: few records the ceiling and the curve's level at the pivot lie on a curved ridge, where NUTS
#: at 0.95 diverges (the example CSV: 4-31 divergences in 2 x 1000 draws; AIME 2025, 2
#: records: 4-28). At 0.99 neither diverged in two seeds, for about twice the leapfrog steps.
SHORT_SERIES = 10
SHORT_TARGET_ACCEPT = 0.99


def sampler_for(data: BenchmarkData, config: SamplerConfig) -> SamplerConfig:
    """`config`, with the target acceptance raised to `SHORT_TARGET_ACCEPT` for a short series
    (never lowered)."""
    if data.n_records <= SHORT_SERIES and config.target_accept < SHORT_TARGET_ACCEPT:
        return config.with_overrides(target_accept=SHORT_TARGET_ACCEPT)
    return config


def fit_benchmark(data: BenchmarkData, prior: PopulationPrior, *, curve: str = "logistic",
                  ceiling: float | None = None, config: SamplerConfig | None = None
                  ) -> tuple[np.ndarray, Diagnostics, float]:
    """Posterior draws of (theta, g_acc), shape (draws * chains, 5), the fit's diagnostics
    (over its free variables and theta) and the mean number of leapfrog steps per draw."""
    config = config or SamplerConfig()
    mean, cov = prior.predictive(data.released)
    model = build_benchmark_model(data, mean, cov, prior.offset_prior(), curve, ceiling,
                                  accel_prior=prior.accel_prior())
    idata = sample(model, sampler_for(data, config))
    diag = diagnose(idata, [*FREE, "theta"])
    theta = np.column_stack([idata.posterior["theta"].values.reshape(-1, len(PARAMS)),
                             idata.posterior["g_acc"].values.reshape(-1)])
    steps = float(idata.sample_stats["n_steps"].mean()) if "n_steps" in idata.sample_stats else float("nan")
    return theta, diag, steps
