"""Backtests: forecasts made at past cut-offs, scored against what happened next.

At each cut-off C, using only results known by C (known-at dates, see `forecast.series`):

* saturation: the hierarchical model fitted to every benchmark known by C; each benchmark's
  timeline comes from its posterior draws (the joint fit that `benchcast forecast`
  approximates with the saved population prior);
* reference: the reference-class gain model (`forecast.reference`) learned from every
  benchmark's history known by C; trend: the benchmark's own logit trend spread by the
  rule's past errors on the other benchmarks (`forecast.reference.trend`); capability: the
  two-step capability forecaster (`forecast.capability`), where it can be fitted at C;
* ensemble: the members combined with the shipped ensemble's stacking weights and recalibration,
  cross-fitted: a benchmark is combined by the spec learned without its fold's held-out
  forecasts (`forecast.backtest.heldout`), with its time-respecting weights at the cut-off;
* benchcast: the default method's forecasts again (the one `benchcast forecast` uses);
* independent logistic: the same curve and noise, each benchmark alone with a fixed prior;
  saturation and independent logistic are the two MCMC fits of a cut-off (minutes each) and run
  only with ``BacktestConfig.fits`` (`benchcast backtest --saturation`; always when the default
  method or the ensemble needs the saturation model, and for ``include_new``);
* persistence, logit trend, reference class: `forecast.baselines`.

Each is scored at C + h for every horizon h that the collection of the benchmark's primary
series covers (its provenance has results on or after C + h anywhere in the data; a benchmark
nobody reported on since keeps its frontier), on the normalised scale: CRPS, RMSE of the
mean, coverage of 50/80/90% central intervals (of the randomised PIT, averaged over its tie-break:
`forecast.scoring.coverage`), PIT, and for the events "frontier >= 50, 80,
90%" not yet reached at C, Brier and log scores. Nothing dated after C reaches a forecast.
"""

from __future__ import annotations

from collections.abc import Callable
import pickle
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.baselines import History, Pairs, logit_trend, past_pairs, persistence, reference_class
from forecast.saturation.model import build_population_model
from forecast.saturation.population import build_prior, population_data
from forecast.sampling import SamplerConfig, sample
from forecast.scoring import LEVELS, brier, coverage, crps, log_score, pit
from forecast.series import BenchmarkData, known_results, to_years
from forecast.saturation.timeline import TAU, Paths
from priors.history import BenchmarkInfo, is_single_attempt

DEFAULT_CUTOFFS = tuple(date.fromisoformat(d) for d in
                        ("2023-07-01", "2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01"))
DEFAULT_HORIZONS = (6, 12, 18)
EVENTS = (50.0, 80.0, 90.0)
BASELINE_MODELS = ("persistence", "logit_trend", "independent_logistic", "reference_class")


@dataclass(frozen=True)
class BacktestConfig:
    cutoffs: tuple[date, ...] = DEFAULT_CUTOFFS
    horizons: tuple[int, ...] = DEFAULT_HORIZONS
    benchmarks: tuple[str, ...] | None = None
    include_new: bool = False
    sampler: SamplerConfig = field(default_factory=lambda: SamplerConfig(draws=500, tune=800, chains=2,
                                                                         target_accept=0.95))
    curve: str = "logistic"
    activity: bool = True
    tau: float = TAU
    ensemble: Any = None  # an EnsembleSpec with cross-fitted fold specs (see forecast.backtest.heldout)
    default: str = "saturation"  # the method reported again as "benchcast"
    methods: tuple[str, ...] = ("reference", "trend", "capability")  # members besides saturation
    fits: bool = True  # fit saturation and the independent logistic (two population MCMC fits per cut-off)
    cache_dir: Path | None = None  # the MCMC fits per cut-off are kept here (they do not depend on the members)

    def fits_file(self, cutoff: date, n_results: int) -> Path | None:
        """Where the fits of one cut-off are cached: keyed by everything that decides them."""
        if self.cache_dir is None:
            return None
        key = "-".join(str(v) for v in (cutoff, self.curve, n_results, *self.sampler.as_dict().values()))
        return Path(self.cache_dir) / f"ordinary-{key}.pkl"


@dataclass(frozen=True)
class Score:
    """One model's forecast of one benchmark at one cut-off and horizon, scored."""

    model: str
    benchmark: str
    cutoff: date
    horizon: int
    truth: float
    now: float
    mean: float
    crps: float
    covered: dict[float, float]  # probability the randomised PIT is inside each central band
    pit: float
    events: tuple[tuple[float, float, bool], ...]  # (threshold %, probability, happened)
    samples: np.ndarray = field(repr=False, compare=False)


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def _primary_rows(results: pd.DataFrame, name: str, provenance: str) -> pd.DataFrame:
    rows = results[(results["benchmark"] == name) & (results["provenance"] == provenance)]
    return rows[[is_single_attempt(c) for c in rows["score_column"]]]


def snapshots(results: pd.DataFrame) -> dict[str, date]:
    """The last date each provenance's collection covers (its latest result in the data)."""
    return {p: g.max().date() for p, g in results.groupby("provenance")["date"]}


def realised(results: pd.DataFrame, d: BenchmarkData, target: date, snapshot: dict[str, date]) -> float | None:
    """The primary series' frontier at `target` (normalised), if its source's collection
    reaches that far (a benchmark nobody reported on since keeps its frontier). Rows with a
    `covered_until` date (a user's file, `with_user_results`) reach that far, whatever their
    provenance's collection does."""
    rows = _primary_rows(results, d.name, d.series_names[0])
    if rows.empty:
        return None
    until = snapshot[d.series_names[0]]
    if "covered_until" in rows.columns and rows["covered_until"].notna().any():
        until = rows["covered_until"].max().date()
    if until < target:
        return None
    best = rows.loc[rows["date"].dt.date <= target, "score"].max()
    return None if np.isnan(best) else float(d.normalise(best))


def with_user_results(history: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """`history` with a user's results on top: each benchmark in `user` takes the place of any
    of the same name, the rest stay (the members learn from them). The user's rows carry
    `covered_until`, their file's last date: the file is its own collection, so a target after
    it is not scored, whatever the shipped collection of the same provenance covers."""
    user = user.assign(covered_until=user["date"].max())
    kept = history[~history["benchmark"].isin(set(user["benchmark"]))].drop(columns=["import_id"], errors="ignore")
    both = pd.concat([kept.assign(covered_until=pd.NaT), user], ignore_index=True)
    return both.sort_values(["benchmark", "date"], kind="stable").reset_index(drop=True)


def _history(results: pd.DataFrame, info: BenchmarkInfo, d: BenchmarkData, cutoff: date) -> History:
    rows = known_results(_primary_rows(results, d.name, d.series_names[0]), info.released, cutoff)
    return History(np.array([to_years(x) for x in rows["date"]]), np.asarray(d.normalise(rows["score"].to_numpy())))


def _score(model: str, d: BenchmarkData, cutoff: date, h: int, truth: float, now: float,
           samples: np.ndarray) -> Score:
    events = []
    for thr in EVENTS:
        level = float(d.normalise(thr))
        if now < level:
            events.append((thr, float(np.mean(samples >= level - 1e-12)), bool(truth >= level - 1e-12)))
    # The PIT's tie-break uniform depends on the point only, not on the model or the call order:
    # every model is judged with the same draw, and identical samples get identical scores.
    u = pit(samples, truth, np.random.default_rng([cutoff.toordinal(), h, zlib.crc32(d.name.encode())]))
    return Score(model, d.name, cutoff, h, truth, now, float(samples.mean()), crps(samples, truth),
                 {lv: coverage(samples, truth, lv) for lv in LEVELS}, u, tuple(events), samples)


def _theta_by_benchmark(idata, names: list[str]) -> dict[str, np.ndarray]:
    """Per benchmark, draws of (theta, g_acc), shape (n, 5)."""
    th = idata.posterior["theta"]
    g = idata.posterior["g_acc"].values.reshape(-1) if "g_acc" in idata.posterior else None
    out = {}
    for n in names:
        theta = th.sel(benchmark=n).values.reshape(-1, 4)
        out[n] = np.column_stack([theta, g if g is not None else np.zeros(theta.shape[0])])
    return out


def _fit_rng(config: BacktestConfig, cutoff: date) -> np.random.Generator:
    """The generator of the MCMC-fitted models' paths and scores: a stream of its own, so that
    fitting them or not (`BacktestConfig.fits`) leaves every other model's samples unchanged."""
    return np.random.default_rng([config.sampler.seed, cutoff.toordinal(), 1])


def _member_paths(results, meta, datas, cutoff, config, thetas, prior, rng) -> dict[str, dict[str, np.ndarray]]:
    """Per benchmark: each method's paths (n, horizons) at the cut-off."""
    from forecast.errors import NotEnoughData
    from forecast.members import available, get_member
    from forecast.query import context_for, training_table

    times = np.array([to_years(add_months(cutoff, h)) for h in config.horizons])
    known = results[results["date"].dt.date <= cutoff]
    fitted = {}
    for name in (m for m in config.methods if m in available() and m != "saturation"):
        try:
            fitted[name] = get_member(name, **({"seed": config.sampler.seed} if name == "capability" else {})
                                      ).prepare(known, meta, cutoff)
        except NotEnoughData:  # e.g. too few record models for a capability trend
            continue
    n = config.sampler.draws * config.sampler.chains
    fit_rng = _fit_rng(config, cutoff)
    out = {}
    for d in datas:
        now = float(d.normalise(d.frontier.score))
        paths = {}
        for model, theta in thetas.items():
            p = Paths.from_theta(config.curve, theta[d.name], d.released, to_years(cutoff), now, fit_rng,
                                 tau=config.tau)
            if config.activity and model == "saturation":
                p = p.with_activity(prior.activity, d.staleness, fit_rng)
            paths[model] = p.frontier_at(times)
        ctx = context_for(results, meta[d.name], cutoff, train=training_table(known, d.name, cutoff), meta=meta)
        for name, fit in fitted.items():
            paths[name] = fit.predict(ctx, times, n, rng)
        out[d.name] = paths
    return out


def backtest_cutoff(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], cutoff: date,
                    config: BacktestConfig, progress: Callable[[str], None] = lambda s: None,
                    fits: dict | None = None) -> list[Score]:
    """Every model's scores for one cut-off. `fits` (a dict) keeps the fits for re-scoring."""
    rng = np.random.default_rng([config.sampler.seed, cutoff.toordinal()])
    datas = population_data(results, meta, cutoff)
    names = [d.name for d in datas]
    path = config.fits_file(cutoff, len(results))
    if not (config.fits or config.include_new):
        prior = pooled = unpooled = None
    elif fits is not None and cutoff in fits:
        prior, pooled, unpooled = fits[cutoff]
        progress("cached fits")
    elif path is not None and path.exists():
        prior, pooled, unpooled = pickle.loads(path.read_bytes())
        progress(f"{cutoff}: cached fits")
    else:
        progress(f"{cutoff}: hierarchical fit of {len(datas)} benchmarks")
        prior, pooled = build_prior(results, meta, cutoff, curve=config.curve, config=config.sampler)
        progress(f"{cutoff}: independent fits")
        unpooled = sample(build_population_model(datas, config.curve, pooled=False), config.sampler)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps((prior, pooled, unpooled)))
            tmp.replace(path)
    if fits is not None and pooled is not None:
        fits[cutoff] = (prior, pooled, unpooled)
    thetas = {} if pooled is None else {"saturation": _theta_by_benchmark(pooled, names),
                                        "independent_logistic": _theta_by_benchmark(unpooled, names)}
    t_c = to_years(cutoff)
    snap = snapshots(results)
    histories = {d.name: _history(results, meta[d.name], d, cutoff) for d in datas}
    n = config.sampler.draws * config.sampler.chains
    progress(f"{cutoff}: scoring")
    datas = [d for d in datas if not config.benchmarks or d.name in config.benchmarks]
    members = _member_paths(results, meta, datas, cutoff, config, thetas, prior, rng)
    out: list[Score] = []
    for d in datas:
        now = float(d.normalise(d.frontier.score))
        paths = members[d.name]
        if config.ensemble is not None:
            spec = config.ensemble.for_benchmark(d.name).at(cutoff)
            paths["ensemble"] = spec.combine(paths, np.asarray(config.horizons, dtype=float), rng, now)
        if config.default in paths:
            paths = {"benchcast": paths[config.default], **paths}
        for j, h in enumerate(config.horizons):
            truth = realised(results, d, add_months(cutoff, h), snap)
            if truth is None:
                continue
            pairs: Pairs = past_pairs(list(histories.values()), t_c, h / 12)
            samples = {m: p[:, j] for m, p in paths.items()}
            samples["persistence"] = persistence(now, pairs, n, rng)
            samples["logit_trend"] = logit_trend(histories[d.name], t_c, h / 12, pairs, n, rng)
            samples["reference_class"] = reference_class(now, pairs, n, rng)
            out += [_score(m, d, cutoff, h, truth, now, s) for m, s in samples.items()]
    if config.include_new:
        out += _new_benchmarks(results, meta, cutoff, config, pooled, rng)
    return out


def _new_benchmarks(results, meta, cutoff, config, pooled, rng) -> list[Score]:
    """Benchmarks released after the cut-off, forecast from the population prior alone."""
    from forecast.saturation.population import PopulationPrior

    post = pooled.posterior
    hyper = {k: post[k].values.reshape(-1) for k in
             ("a_k", "b_k", "s_k", "a_d", "b_d", "s_d", "a_g", "s_g", "a_s", "s_s", "m_off", "s_off", "g_acc")
             if k in post}
    hyper.setdefault("g_acc", np.zeros_like(hyper["a_k"]))
    prior = PopulationPrior(config.curve, cutoff, cutoff, hyper)
    out = []
    snap = snapshots(results)
    full = population_data(results, meta, date(2100, 1, 1))
    for d in full:
        info = meta[d.name]
        if info.released is None or info.released <= cutoff:
            continue
        mean, cov = prior.predictive(d.released)
        n = config.sampler.draws * config.sampler.chains
        theta = np.column_stack([rng.multivariate_normal(mean, cov, size=n),
                                 rng.normal(*prior.accel_prior(), size=n)])
        paths = Paths.from_theta(config.curve, theta, d.released, to_years(cutoff), 0.0, rng, is_observed=False)
        for h in config.horizons:
            target = add_months(cutoff, h)
            truth = realised(results, d, target, snap)
            if truth is None:
                continue
            s = paths.frontier_at(np.array([to_years(target)]))[:, 0]
            out.append(_score("saturation_new_benchmarks", d, cutoff, h, truth, 0.0, s))
    return out


def _cutoff_task(task: tuple) -> list[Score]:
    """One cut-off, in a worker process (`forecast.parallel.map_tasks`)."""
    results, meta, cutoff, config = task
    return backtest_cutoff(results, meta, cutoff, config)


def run_backtest(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], config: BacktestConfig,
                 progress: Callable[[str], None] = lambda s: None, *, workers: int | None = 1,
                 dask: str | None = None) -> list[Score]:
    """Every cut-off's scores; the cut-offs are independent fits, spread over `workers`
    processes or a Dask scheduler at `dask` (see `forecast.parallel`)."""
    from forecast.parallel import map_tasks

    if workers == 1 and dask is None:
        scores: list[Score] = []
        for cutoff in config.cutoffs:
            scores += backtest_cutoff(results, meta, cutoff, config, progress)
        return scores
    tasks = [(results, meta, c, config) for c in config.cutoffs]
    done = map_tasks(_cutoff_task, tasks, workers=workers, dask=dask, label=lambda t: f"cut-off {t[2]}",
                     progress=lambda i, n, name: progress(f"{name} done ({i}/{n})"))
    return [s for part in done for s in part]


def summarize(scores: list[Score]) -> dict[str, dict]:
    """Aggregate scores per model: the `models` object of `benchcast backtest --json`."""
    out: dict[str, dict] = {}
    for model in dict.fromkeys(s.model for s in scores):
        mine = [s for s in scores if s.model == model]
        events = [e for s in mine for e in s.events]
        out[model] = {
            "crps": float(np.mean([s.crps for s in mine])),
            "rmse": float(np.sqrt(np.mean([(s.mean - s.truth) ** 2 for s in mine]))),
            "coverage": {str(lv): float(np.mean([s.covered[lv] for s in mine])) for lv in LEVELS},
            "brier": float(np.mean([brier(p, o) for _, p, o in events])) if events else None,
            "log_score": float(np.mean([log_score(p, o) for _, p, o in events])) if events else None,
            "n": len(mine),
            "n_events": len(events),
        }
    return out
