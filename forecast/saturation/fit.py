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


def fit_benchmark(data: BenchmarkData, prior: PopulationPrior, *, curve: str = "logistic",
                  ceiling: float | None = None, config: SamplerConfig | None = None
                  ) -> tuple[np.ndarray, Diagnostics, float]:
    """Posterior draws of (theta, g_acc), shape (draws * chains, 5), the fit's diagnostics
    (over its free variables and theta) and the mean number of leapfrog steps per draw."""
    config = config or SamplerConfig()
    mean, cov = prior.predictive(data.released)
    model = build_benchmark_model(data, mean, cov, prior.offset_prior(), curve, ceiling,
                                  accel_prior=prior.accel_prior())
    idata = sample(model, config)
    diag = diagnose(idata, [*FREE, "theta"])
    theta = np.column_stack([idata.posterior["theta"].values.reshape(-1, len(PARAMS)),
                             idata.posterior["g_acc"].values.reshape(-1)])
    steps = float(idata.sample_stats["n_steps"].mean()) if "n_steps" in idata.sample_stats else float("nan")
    return theta, diag, steps
