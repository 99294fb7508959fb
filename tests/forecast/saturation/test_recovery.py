"""Real sampling: the single-benchmark model recovers a synthetic curve's parameters, and a
forecast runs end to end on the shipped prior."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from forecast.saturation.model import FREE, build_benchmark_model
from forecast.sampling import SamplerConfig, diagnose, sample
from forecast.series import BenchmarkData

TRUE = {"log_rate": np.log(1.5), "delay": 1.5, "logit_gap": np.log(0.1 / 0.9), "log_sigma": np.log(0.15)}


def synthetic(rng: np.random.Generator, n: int = 30) -> BenchmarkData:
    released = 2.0
    t = np.sort(rng.uniform(released, released + 4.0, n))
    k, t_mid, c = np.exp(TRUE["log_rate"]), released + TRUE["delay"], 0.9
    mu = c / (1 + np.exp(-k * (t - t_mid)))
    y = 1 / (1 + np.exp(-(np.log(mu / (1 - mu)) + rng.normal(0, np.exp(TRUE["log_sigma"]), n))))
    return BenchmarkData("synthetic", 0.0, released, date(2030, 1, 1), t, np.clip(y, 0.005, 0.995),
                         np.zeros(n, int), ("unspecified",))


def test_posterior_recovers_known_parameters(rng: np.random.Generator) -> None:
    data = synthetic(rng)
    mean = np.array([0.0, 2.5, -2.0, np.log(0.3)])  # deliberately off the truth
    cov = np.diag([1.0, 2.0, 1.5, 0.7]) ** 2
    model = build_benchmark_model(data, mean, cov, (0.0, 0.3), "logistic")
    idata = sample(model, SamplerConfig(draws=400, tune=500, chains=2, seed=3))
    theta = idata.posterior["theta"].values.reshape(-1, 4)
    diag = diagnose(idata, [*FREE, "theta"])
    assert diag.r_hat_max < 1.05 and diag.divergences == 0
    for i, (name, truth) in enumerate(TRUE.items()):
        lo, hi = np.quantile(theta[:, i], [0.02, 0.98])
        assert lo <= truth <= hi, f"{name}: truth {truth:.3f} outside [{lo:.3f}, {hi:.3f}]"
    # the rate and midpoint are pinned down, not just covered by a wide interval
    assert np.std(theta[:, 0]) < 0.3 and np.std(theta[:, 1]) < 0.4
