"""The pivot parametrisation is the same model as the whitened one: at any point, its log
density equals the whitened model's at the same theta times the Jacobian of the change of
variables (exact, no sampling)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytensor
import pytest

from forecast.saturation.model import build_benchmark_model, pivot_prior
from forecast.saturation.population import load_prior
from forecast.saturation.reference import build_whitened_model
from forecast.series import prepare
from priors.history import BenchmarkInfo, load_metadata, read_results

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "my_benchmark.csv"


def _cases():
    prior = load_prior()
    yield "example", prepare(read_results(EXAMPLE), BenchmarkInfo("AgentArena", 0.0, None), date(2026, 12, 1)), prior, None
    name = "SWE-bench Verified"
    yield name, prepare(read_results(), load_metadata()[name], date(2026, 12, 1)), prior, 0.9


@pytest.mark.parametrize("case", list(_cases()), ids=lambda c: c[0])
def test_log_density_matches_whitened_model_times_jacobian(case, rng: np.random.Generator) -> None:
    _, data, prior, ceiling = case
    mean, cov = prior.predictive(data.released)
    args = (data, mean, cov, prior.offset_prior(), "logistic", ceiling)
    new = build_benchmark_model(*args, accel_prior=prior.accel_prior())
    old = build_whitened_model(*args, accel_prior=prior.accel_prior())
    logp_new, logp_old = new.compile_logp(), old.compile_logp()
    theta_fn = pytensor.function(new.value_vars, new.replace_rvs_by_values([new["theta"]])[0],
                                 on_unused_input="ignore")
    chol = np.linalg.cholesky(cov + 1e-9 * np.eye(4))
    log_det_gs = np.log(np.diag(pivot_prior(mean, cov)["gap_sigma_chol"])).sum()
    n_off = len(data.series_names) - 1
    for _ in range(5):
        point = {"e_acc": rng.normal(), "log_rate_now": rng.normal(0.3, 0.6), "pivot": rng.normal(0, 2),
                 "e_gap_sigma": rng.normal(size=2)}
        if n_off:
            point["e_offset"] = rng.normal(size=n_off)
        theta = np.asarray(theta_fn(*[point[v.name] for v in new.value_vars]))
        if ceiling is not None:  # theta carries the fixed gap; the whitened z keeps the latent one
            mean_gs = pivot_prior(mean, cov)
            lr = theta[0]
            theta[2] = (mean_gs["gap_sigma"][0] + mean_gs["gap_sigma"][2] * (lr - mean[0])
                        + mean_gs["gap_sigma_chol"][0] @ point["e_gap_sigma"])
        z = np.linalg.solve(chol, theta - mean)
        old_point = {"z": z, "e_acc": point["e_acc"], **({"e_offset": point["e_offset"]} if n_off else {})}
        expected = logp_old(old_point) - np.log(np.diag(chol)).sum() + log_det_gs - point["log_rate_now"]
        assert logp_new(point) == pytest.approx(expected, abs=1e-8)
