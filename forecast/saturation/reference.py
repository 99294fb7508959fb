"""The previous parametrisation of the single-benchmark model, kept as the reference that
`forecast.saturation.model.build_benchmark_model` is checked against (same model, other
coordinates): ``theta = mean + L z`` with ``z ~ Normal(0, I)`` and ``L L' = cov``.

Used by the equivalence check (``benchmarks/reparametrisation.py``) and its test only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecast.saturation.model import PARAMS, _logit_mu, check_curve
from forecast.series import BenchmarkData


def build_whitened_model(
    data: BenchmarkData,
    mean: np.ndarray,
    cov: np.ndarray,
    offset_prior: tuple[float, float],
    curve: str = "logistic",
    ceiling: float | None = None,
    accel_prior: tuple[float, float] = (0.0, 0.0),
) -> Any:
    """One benchmark, its theta drawn from the population's predictive ``MvNormal(mean, cov)``.

    `ceiling` (normalised, in (0, 1]) fixes the ceiling instead of learning it.
    """
    import pymc as pm
    import pytensor.tensor as pt

    check_curve(curve)
    chol = np.linalg.cholesky(cov + 1e-9 * np.eye(len(mean)))
    n_off = max(len(data.series_names) - 1, 0)
    # Data enter as shared variables, so one compiled graph serves every benchmark
    # (pytensor caches the C code): only the structure (offsets or not, fixed ceiling or not)
    # changes the graph.
    with pm.Model(coords={"param": list(PARAMS)}) as model:
        t = pm.Data("t", data.t)
        logit_y = pm.Data("logit_y", np.log(data.y) - np.log1p(-data.y))
        released = pm.Data("released", np.float64(data.released))
        mean_ = pm.Data("prior_mean", mean)
        chol_ = pm.Data("prior_chol", chol)
        zz = pm.Normal("z", 0.0, 1.0, dims="param")
        theta = mean_ + pt.dot(chol_, zz)
        if ceiling is not None:
            gap = max(1.0 - ceiling, 1e-6)
            fixed = pm.Data("fixed_logit_gap", np.float64(np.log(gap) - np.log1p(-gap)))
            theta = pt.set_subtensor(theta[2], fixed)
        theta = pm.Deterministic("theta", theta, dims="param")
        off_obs = 0.0
        if n_off:
            series = pm.Data("series", data.series)
            off_prior = pm.Data("offset_prior", np.asarray(offset_prior, dtype=float))
            e_off = pm.Normal("e_offset", 0.0, 1.0, shape=n_off)
            off = pm.Deterministic("offset", off_prior[0] + off_prior[1] * e_off)
            off_obs = pt.concatenate([pt.zeros(1), off])[series]
        acc = pm.Data("accel_prior", np.asarray(accel_prior, dtype=float))
        g_acc = pm.Deterministic("g_acc", acc[0] + acc[1] * pm.Normal("e_acc", 0.0, 1.0))
        log_c = -pt.softplus(theta[2])
        mu = _logit_mu(pt, curve, t, pt.exp(theta[0]), released + theta[1], log_c, g_acc)
        pm.Normal("obs", mu + off_obs, pt.exp(theta[3]), observed=logit_y, shape=t.shape)
    return model
