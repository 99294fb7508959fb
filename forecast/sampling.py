"""The one place that runs MCMC, and the diagnostics every forecast carries."""

from __future__ import annotations

import logging
import warnings
from dataclasses import asdict, dataclass, replace
from collections.abc import Callable
from typing import Any

import numpy as np

from forecast.errors import SamplingError

#: Thresholds under which a fit is called poor (Vehtari et al. 2021).
RHAT_MAX = 1.01
ESS_MIN = 400
RHAT_POOR = 1.05
ESS_POOR = 100


@dataclass(frozen=True)
class SamplerConfig:
    """NUTS settings; merge overrides with `with_overrides`."""

    draws: int = 500
    tune: int = 1000
    chains: int = 2
    target_accept: float = 0.95
    seed: int = 0
    progressbar: bool = False
    cores: int = 1  # processes PyMC runs the chains in (same draws as 1; see sample_model for Dask)

    def with_overrides(self, **overrides: Any) -> SamplerConfig:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def as_dict(self) -> dict[str, Any]:
        """The settings that decide the draws (`cores` does not: it only moves them)."""
        out = asdict(self)
        out.pop("cores")
        return out


@dataclass(frozen=True)
class Diagnostics:
    """Convergence figures of a fit."""

    r_hat_max: float
    ess_bulk_min: float
    divergences: int
    draws: int
    chains: int

    @property
    def is_poor(self) -> bool:
        return self.r_hat_max > RHAT_POOR or self.ess_bulk_min < ESS_POOR or self.divergences > 0

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.r_hat_max > RHAT_MAX:
            out.append(f"r_hat {self.r_hat_max:.3f} > {RHAT_MAX}: chains disagree")
        if self.ess_bulk_min < ESS_MIN:
            out.append(f"bulk ESS {self.ess_bulk_min:.0f} < {ESS_MIN}: few effective draws")
        if self.divergences:
            out.append(f"{self.divergences} divergent transitions: the posterior may be biased")
        return out

    def as_dict(self) -> dict[str, float | int]:
        return {"r_hat_max": round(self.r_hat_max, 4), "ess_bulk_min": round(self.ess_bulk_min, 1),
                "divergences": int(self.divergences)}


def sample(model: Any, config: SamplerConfig, *, log_likelihood: bool = False) -> Any:
    """Run NUTS on `model`; return arviz InferenceData (with the pointwise log likelihood
    for LOO when asked)."""
    import pymc as pm

    logging.getLogger("pymc").setLevel(logging.ERROR)
    logging.getLogger("pytensor").setLevel(logging.ERROR)
    with model, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pm.sample(
                draws=config.draws,
                tune=config.tune,
                chains=config.chains,
                cores=config.cores,
                target_accept=config.target_accept,
                random_seed=config.seed,
                progressbar=config.progressbar,
                compute_convergence_checks=False,
                idata_kwargs={"log_likelihood": log_likelihood},
            )
        except (ValueError, FloatingPointError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SamplingError(f"the sampler failed: {first}") from exc


@dataclass(frozen=True)
class ChainTask:
    """One chain of a model rebuilt in a worker process: `build` must be a top-level function."""

    build: Callable[..., Any]
    args: tuple
    kwargs: dict[str, Any]
    config: SamplerConfig
    chain: int
    log_likelihood: bool = False


def chain_seed(seed: int, chain: int) -> int:
    """The seed of chain `chain` of a run seeded `seed` (independent streams per chain)."""
    return int(np.random.SeedSequence([seed, chain]).generate_state(1)[0])


def run_chain(task: ChainTask) -> Any:
    """Build the model and sample one chain of it (a `forecast.parallel.map_tasks` task)."""
    config = replace(task.config, chains=1, seed=chain_seed(task.config.seed, task.chain), progressbar=False)
    return sample(task.build(*task.args, **task.kwargs), config, log_likelihood=task.log_likelihood)


def sample_model(build: Callable[..., Any], args: tuple, config: SamplerConfig, *, kwargs: dict | None = None,
                 log_likelihood: bool = False, workers: int | None = 1, dask: str | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> Any:
    """Sample ``build(*args, **kwargs)``, its chains in parallel processes (`workers`, default
    one per core) or on a Dask cluster (`dask`), each chain one task; ``workers=1`` samples
    the chains one after another in this process, as `sample` does."""
    from forecast.parallel import default_workers, map_tasks

    kwargs = kwargs or {}
    n = min(workers or default_workers(), config.chains)
    if not dask and n <= 1:
        return sample(build(*args, **kwargs), config, log_likelihood=log_likelihood)
    import arviz as az

    tasks = [ChainTask(build, args, kwargs, config, c, log_likelihood) for c in range(config.chains)]
    parts = map_tasks(run_chain, tasks, workers=n, dask=dask, progress=progress,
                      label=lambda t: f"chain {t.chain}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return az.concat(parts, dim="chain", reset_dim=True)


def diagnose(idata: Any, var_names: list[str]) -> Diagnostics:
    """Max r_hat, min bulk ESS and divergences over `var_names`."""
    import arviz as az

    post = idata.posterior
    chains, draws = int(post.sizes["chain"]), int(post.sizes["draw"])
    names = [v for v in var_names if v in post]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rhat = az.rhat(idata, var_names=names) if chains > 1 else None
        ess = az.ess(idata, var_names=names, method="bulk")
    r_max = max(float(np.nanmax(rhat[v].values)) for v in names) if rhat is not None else float("nan")
    e_min = min(float(np.nanmin(ess[v].values)) for v in names)
    div = int(idata.sample_stats["diverging"].values.sum()) if "sample_stats" in idata else 0
    return Diagnostics(r_max, e_min, div, draws, chains)
