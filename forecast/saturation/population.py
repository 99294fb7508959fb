"""Population priors: the hierarchical model's posterior over hyperparameters, saved as data.

A `PopulationPrior` holds draws of the hyperparameters of `forecast.saturation.model` (``a_k, b_k, s_k,
a_d, ...``) with their provenance: the data cut-off, the benchmarks used, the sampler settings
and diagnostics. For a benchmark released at ``r`` it gives the predictive distribution of
that benchmark's ``theta`` as moments of the mixture over draws ``h``::

    m_h   = (a_k + b_k z, a_d + b_d z, a_g, a_s),   z = (r - 2023) / 2
    mean  = E_h[m_h]
    cov   = E_h[diag(s_k^2, s_d^2, s_g^2, s_s^2)] + Cov_h[m_h]

which a single-benchmark fit uses as a multivariate normal prior, instead of refitting every
benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.activity import DEFAULT as ACTIVITY_DEFAULT
from forecast.activity import Activity, fit_activity
from forecast.errors import NotEnoughData
from forecast.saturation.model import HYPER, Z_CENTER, Z_SCALE, build_population_model, check_curve
from forecast.sampling import SamplerConfig, diagnose, sample_model
from forecast.series import BenchmarkData, prepare, to_years
from priors.errors import PriorFileError
from priors.history import BenchmarkInfo, data_path
from priors.jsonfile import read_json, write_json

SHIPPED_FILE = "population.json"
#: Benchmarks need at least this many results known at the cut-off to join the population.
MIN_RESULTS = 3
MAX_SAVED_DRAWS = 1000


@dataclass(frozen=True)
class PopulationPrior:
    """Hyperparameter draws of the population model, with provenance."""

    curve: str
    cutoff: date
    last_known: date
    hyper: dict[str, np.ndarray] = field(repr=False)
    benchmarks: tuple[dict[str, Any], ...] = ()
    sampler: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    activity: Activity = Activity(*ACTIVITY_DEFAULT)

    def predictive(self, released: float) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of theta for a benchmark released at `released` (years)."""
        h = self.hyper
        z = (released - Z_CENTER) / Z_SCALE
        m = np.stack([h["a_k"] + h["b_k"] * z, h["a_d"] + h["b_d"] * z, h["a_g"], h["a_s"]], axis=1)
        var = np.stack([h["s_k"] ** 2, h["s_d"] ** 2, h["s_g"] ** 2, h["s_s"] ** 2], axis=1)
        mean = m.mean(axis=0)
        cov = np.diag(var.mean(axis=0)) + np.cov(m, rowvar=False)
        return mean, cov

    def accel_prior(self) -> tuple[float, float]:
        """Mean and sd of the calendar-time acceleration of progress rates (per year)."""
        g = self.hyper["g_acc"]
        return float(g.mean()), float(g.std())

    def offset_prior(self) -> tuple[float, float]:
        """Mean and sd of a non-primary series' offset (logit scale)."""
        m, s = self.hyper["m_off"], self.hyper["s_off"]
        return float(m.mean()), float(np.sqrt((s**2).mean() + m.var()))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "benchcast-population-prior/1",
            "curve": self.curve,
            "data_cutoff": self.cutoff.isoformat(),
            "last_result_known": self.last_known.isoformat(),
            "created": self.created,
            "benchmarks": list(self.benchmarks),
            "sampler": self.sampler,
            "diagnostics": self.diagnostics,
            "extra": self.extra,
            "activity": self.activity.as_list(),
            "hyper": {k: [round(float(x), 6) for x in v] for k, v in self.hyper.items()},
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any], label: str = "prior") -> PopulationPrior:
        try:
            hyper = {k: np.asarray(obj["hyper"][k], dtype=float) for k in HYPER if k != "g_acc"}
            hyper["g_acc"] = np.asarray(obj["hyper"].get("g_acc", np.zeros_like(hyper["a_k"])), dtype=float)
            return cls(
                curve=check_curve(obj["curve"]),
                cutoff=date.fromisoformat(obj["data_cutoff"]),
                last_known=date.fromisoformat(obj["last_result_known"]),
                hyper=hyper,
                benchmarks=tuple(obj.get("benchmarks", ())),
                sampler=dict(obj.get("sampler", {})),
                diagnostics=dict(obj.get("diagnostics", {})),
                created=str(obj.get("created", "")),
                extra=dict(obj.get("extra", {})),
                activity=Activity(*obj.get("activity", ACTIVITY_DEFAULT)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PriorFileError(f"{label}: not a benchcast population prior ({exc})") from None

    def save(self, path: Path) -> Path:
        return write_json(path, self.to_json())


def load_prior(path: Path | None = None) -> PopulationPrior:
    """Read a saved population prior (default: the one shipped with the package)."""
    path = Path(path) if path is not None else data_path(SHIPPED_FILE)
    obj = read_json(path, what="population prior", how_to_make="benchcast priors build")
    return PopulationPrior.from_json(obj, str(path))


def population_data(
    results: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date
) -> list[BenchmarkData]:
    """The benchmarks that join the population at `as_of`: known release, >= 3 results by then."""
    out = []
    for name in sorted(set(results["benchmark"]) & set(meta)):
        info = meta[name]
        if info.released is not None and info.released > as_of:
            continue
        d = prepare(results, info, as_of)
        if d.n_results >= MIN_RESULTS and d.n_records >= 2:
            out.append(d)
    return out


def build_prior(
    results: pd.DataFrame,
    meta: dict[str, BenchmarkInfo],
    as_of: date,
    *,
    curve: str = "logistic",
    config: SamplerConfig | None = None,
    log_likelihood: bool = False,
    workers: int | None = 1,
    dask: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[PopulationPrior, Any]:
    """Fit the population model to every benchmark known at `as_of`.

    Returns the prior and the full InferenceData (for model comparison and checks). The
    chains run in `workers` local processes (None: one per core) or on the Dask cluster at
    `dask` (see `forecast.sampling.sample_model`); ``progress(done, total, chain)`` hears of
    each finished chain.
    """
    config = config or SamplerConfig(draws=1000, tune=1000, chains=2, target_accept=0.95)
    datas = population_data(results, meta, as_of)
    if len(datas) < 3:
        raise NotEnoughData(f"only {len(datas)} benchmarks have {MIN_RESULTS}+ results by {as_of}; need 3")
    idata = sample_model(build_population_model, (datas, curve), config, log_likelihood=log_likelihood,
                         workers=workers, dask=dask, progress=progress)
    post = idata.posterior
    flat = {k: post[k].values.reshape(-1) for k in HYPER if k in post}
    if "m_off" not in post or "e_off" not in post:  # no benchmark had a second series
        flat.setdefault("m_off", np.zeros_like(flat["a_k"]))
        flat.setdefault("s_off", np.full_like(flat["a_k"], 0.5))
    flat.setdefault("g_acc", np.zeros_like(flat["a_k"]))
    n = flat["a_k"].size
    keep = np.linspace(0, n - 1, min(n, MAX_SAVED_DRAWS)).round().astype(int)
    diag = diagnose(idata, list(HYPER) + ["e", "th"])
    latest = max(d.t.max() for d in datas)
    prior = PopulationPrior(
        curve=curve,
        cutoff=as_of,
        last_known=max(d.last_known for d in datas),
        hyper={k: v[keep] for k, v in flat.items()},
        benchmarks=tuple(
            {"name": d.name, "released": d.released, "results": d.n_results, "records": d.n_records,
             "series": list(d.series_names)}
            for d in datas
        ),
        sampler=config.as_dict(),
        diagnostics=diag.as_dict(),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        extra={"last_result_years": float(latest), "as_of_years": to_years(as_of)},
        activity=fit_activity([d.primary_t for d in datas], to_years(as_of)),
    )
    return prior, idata


def needs_build(as_of: date, *, cache_dir: Path | None, curve: str = "logistic") -> bool:
    """Whether `prior_for(as_of)` would have to fit the population model (minutes, not seconds)."""
    try:
        shipped = load_prior()
        if shipped.curve == curve and shipped.last_known <= as_of:
            return False
    except PriorFileError:
        pass
    return not (cache_dir and (Path(cache_dir) / f"population-{curve}-{as_of.isoformat()}.json").is_file())


def prior_for(
    as_of: date,
    *,
    cache_dir: Path | None,
    curve: str = "logistic",
    results: pd.DataFrame | None = None,
    meta: dict[str, BenchmarkInfo] | None = None,
    config: SamplerConfig | None = None,
) -> PopulationPrior:
    """A population prior that uses no data known after `as_of`.

    The shipped prior when it qualifies; else one built from the shipped history cut at
    `as_of` (cached in `cache_dir` as ``population-CURVE-DATE.json``).
    """
    from priors.history import load_metadata, read_results

    try:
        shipped = load_prior()
        if shipped.curve == curve and shipped.last_known <= as_of and results is None:
            return shipped
    except PriorFileError:
        pass
    path = Path(cache_dir) / f"population-{curve}-{as_of.isoformat()}.json" if cache_dir else None
    if path is not None and path.is_file() and results is None:
        return load_prior(path)
    prior, _ = build_prior(read_results() if results is None else results,
                           load_metadata() if meta is None else meta, as_of, curve=curve, config=config)
    if path is not None and results is None:
        prior.save(path)
    return prior
