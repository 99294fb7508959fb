"""Comparing model variants: PSIS-LOO (arviz) and posterior predictive checks.

Both curves are fitted as full hierarchical models to the same record points on the same
(logit) scale, so their pointwise log likelihoods are comparable. The predictive check asks
how often a record point falls inside its posterior predictive 50% and 90% intervals.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from forecast.saturation.model import CURVES
from forecast.saturation.population import build_prior
from forecast.sampling import SamplerConfig
from priors.history import BenchmarkInfo


@dataclass(frozen=True)
class VariantScore:
    """One variant's fit quality."""

    curve: str
    elpd_loo: float
    se: float
    p_loo: float
    elpd_diff: float
    dse: float
    weight: float
    pareto_k_bad: int
    ppc_cover50: float
    ppc_cover90: float
    r_hat_max: float
    divergences: int


def _ppc_coverage(idata: Any) -> tuple[float, float]:
    """Share of observed (logit) record points inside their predictive 50% / 90% intervals."""
    obs = idata.observed_data["obs"].values
    pred = idata.posterior_predictive["obs"].values.reshape(-1, obs.size)
    lo50, hi50, lo90, hi90 = np.quantile(pred, [0.25, 0.75, 0.05, 0.95], axis=0)
    return float(np.mean((obs >= lo50) & (obs <= hi50))), float(np.mean((obs >= lo90) & (obs <= hi90)))


def compare_curves(
    results: pd.DataFrame,
    meta: dict[str, BenchmarkInfo],
    as_of: date,
    *,
    curves: tuple[str, ...] = CURVES,
    config: SamplerConfig | None = None,
) -> list[VariantScore]:
    """Fit each curve's hierarchical model and compare them by PSIS-LOO and PPC coverage."""
    import arviz as az
    import pymc as pm

    from forecast.saturation.model import build_population_model
    from forecast.saturation.population import population_data

    config = config or SamplerConfig(draws=1000, tune=1000, chains=2, target_accept=0.95)
    fits: dict[str, Any] = {}
    diags: dict[str, Any] = {}
    datas = population_data(results, meta, as_of)
    for curve in curves:
        prior, idata = build_prior(results, meta, as_of, curve=curve, config=config, log_likelihood=True)
        with build_population_model(datas, curve), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm.sample_posterior_predictive(idata, var_names=["obs"], random_seed=config.seed,
                                           extend_inferencedata=True, progressbar=False)
        fits[curve] = idata
        diags[curve] = prior.diagnostics
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = az.compare(fits, ic="loo")
    out = []
    for curve in curves:
        row = table.loc[curve]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loo = az.loo(fits[curve], pointwise=True)
        c50, c90 = _ppc_coverage(fits[curve])
        out.append(VariantScore(
            curve=curve, elpd_loo=float(row["elpd_loo"]), se=float(row["se"]), p_loo=float(row["p_loo"]),
            elpd_diff=float(row["elpd_diff"]), dse=float(row["dse"]), weight=float(row["weight"]),
            pareto_k_bad=int(np.sum(loo.pareto_k.values > 0.7)), ppc_cover50=c50, ppc_cover90=c90,
            r_hat_max=float(diags[curve]["r_hat_max"]), divergences=int(diags[curve]["divergences"]),
        ))
    return sorted(out, key=lambda v: -v.elpd_loo)
