"""The held-out backtest: leave-one-benchmark-out in K folds.

At each cut-off C the benchmarks are dealt into K folds (`forecast.backtest.folds`). For fold
k, every method is prepared (`forecast.members`: the saturation population prior, the
reference gain model, ...) on the *other* folds' results known at C, and each benchmark of
fold k is forecast through `forecast.query.context_for` from its own results known at C: the
path of a user's CSV (`benchcast forecast --data`). The baselines learn their pairs from the
other folds too. Nothing dated after C and nothing of the held-out benchmark's fold reaches a
fit.

A member that cannot be fitted at a (cut-off, fold) (`NotEnoughData`) is skipped there; the
ensemble then pools the others.

The ensemble is cross-fitted over folds: the stacking weights and recalibration map used for
fold k are learned from the held-out forecasts of the other folds (all cut-offs); the spec
that ships (`--save-weights`) is learned from all of them. Given the results, each fold's spec
also carries time-respecting weights (`forecast.ensemble.online`) learned from monthly forecasts
of the other folds' benchmarks that had resolved by each cut-off; the spec that ships carries
them for every month up to the end of the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.backtest.folds import assign_folds
from forecast.backtest.ordinary import (
    DEFAULT_CUTOFFS,
    DEFAULT_HORIZONS,
    Score,
    _history,
    _score,
    add_months,
    realised,
    snapshots,
)
from forecast.baselines import logit_trend, past_pairs, persistence, reference_class
from forecast.errors import NotEnoughData
from forecast.members import Member, get_member
from forecast.query import context_for, training_table
from forecast.sampling import SamplerConfig
from forecast.saturation.population import population_data
from forecast.series import BenchmarkData, to_years
from priors.history import BenchmarkInfo

HELD_OUT_FOLDS = 3
BASELINES = ("persistence", "logit_trend", "reference_class")
#: 80% coverage counted as calibrated when choosing the recalibration.
COVERAGE_BAND = (0.75, 0.85)
#: Candidate pulls of the stacking weights towards equal weights (CRPS units), chosen by the
#: out-of-fold CRPS: a strong pull protects against fold-to-fold swings of the optimum, but
#: keeps a poor member in the pool.
SHRINKS = (0.0, 0.01, 0.05, 0.2, 1.0)


@dataclass(frozen=True)
class HeldOutConfig:
    cutoffs: tuple[date, ...] = DEFAULT_CUTOFFS
    horizons: tuple[int, ...] = DEFAULT_HORIZONS
    folds: int = HELD_OUT_FOLDS
    methods: tuple[str, ...] = ("reference", "trend")
    benchmarks: tuple[str, ...] | None = None
    n: int = 4000  # paths per method and forecast: with 1000 the baselines' own Monte Carlo noise moved a cut-off's CRPS by ~0.0003
    seed: int = 0
    cache_dir: Path | None = None
    online: bool = True  # time-respecting weights (`forecast.ensemble.online`), given the results to evaluate
    # Small samplers: 3 folds x 5 cut-offs population fits (minutes each on 2 shared cores).
    population_sampler: SamplerConfig = SamplerConfig(draws=100, tune=200, chains=2, target_accept=0.95)
    benchmark_sampler: SamplerConfig = SamplerConfig(draws=60, tune=150, chains=2, target_accept=0.95)


@dataclass(frozen=True)
class HeldOutForecast:
    """One benchmark at one cut-off: every method's and baseline's draws at each horizon."""

    data: BenchmarkData = field(repr=False)
    cutoff: date
    fold: int
    horizons: tuple[int, ...]
    truths: tuple[float | None, ...]
    now: float
    paths: dict[str, np.ndarray] = field(repr=False)  # name -> (n, len(horizons))

    @property
    def benchmark(self) -> str:
        return self.data.name


def build_members(config: HeldOutConfig) -> dict[str, Member]:
    out: dict[str, Member] = {}
    for name in config.methods:
        if name == "saturation":
            out[name] = get_member(name, population_sampler=config.population_sampler,
                                   benchmark_sampler=config.benchmark_sampler.with_overrides(seed=config.seed),
                                   cache_dir=config.cache_dir)
        elif name == "capability":
            out[name] = get_member(name, seed=config.seed)
        else:
            out[name] = get_member(name)
    return out


def _baselines(d: BenchmarkData, hist, train_hists: list, t_c: float, horizons: Sequence[int], n: int,
               rng: np.random.Generator) -> dict[str, np.ndarray]:
    now = float(d.normalise(d.frontier.score))
    cols: dict[str, list[np.ndarray]] = {b: [] for b in BASELINES}
    for h in horizons:
        pairs = past_pairs(train_hists + [hist], t_c, h / 12)
        cols["persistence"].append(persistence(now, pairs, n, rng))
        cols["logit_trend"].append(logit_trend(hist, t_c, h / 12, pairs, n, rng))
        cols["reference_class"].append(reference_class(now, pairs, n, rng))
    return {b: np.column_stack(v) for b, v in cols.items()}


def heldout_fold(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], cutoff: date, k: int,
                 config: HeldOutConfig, members: dict[str, Member] | None = None,
                 progress: Callable[[str], None] = lambda s: None) -> list[HeldOutForecast]:
    """The forecasts of fold k's benchmarks at one cut-off, from fits on the other folds."""
    members = members if members is not None else build_members(config)
    folds = assign_folds(set(results["benchmark"]), config.folds)
    snap = snapshots(results)
    targets = [add_months(cutoff, h) for h in config.horizons]
    datas = population_data(results, meta, cutoff)
    test = [d for d in datas if folds[d.name] == k and (not config.benchmarks or d.name in config.benchmarks)]
    truths = {d.name: tuple(realised(results, d, tg, snap) for tg in targets) for d in test}
    test = [d for d in test if any(v is not None for v in truths[d.name])]
    if not test:
        return []
    train = results[results["benchmark"].map(folds) != k]
    known = train[train["date"].dt.date <= cutoff]
    fitted = {}
    for name, member in members.items():
        progress(f"{cutoff} fold {k + 1}/{config.folds}: {name}")
        try:
            fitted[name] = member.prepare(known, meta, cutoff)
        except NotEnoughData as exc:  # e.g. no capability trend before enough record models exist
            progress(f"{cutoff} fold {k + 1}/{config.folds}: {name} skipped ({exc})")
    train_hists = [_history(train, meta[d.name], d, cutoff) for d in population_data(train, meta, cutoff)]
    out = []
    for d in test:
        ctx = context_for(results, meta[d.name], cutoff, train=training_table(train, d.name, cutoff), meta=meta)
        rng = np.random.default_rng([config.seed, cutoff.toordinal(), sum(map(ord, d.name))])
        paths = {m: f.predict(ctx, targets, config.n, rng) for m, f in fitted.items()}
        hist = _history(results, meta[d.name], d, cutoff)
        paths.update(_baselines(d, hist, train_hists, to_years(cutoff), config.horizons, config.n, rng))
        out.append(HeldOutForecast(d, cutoff, k, tuple(config.horizons), truths[d.name],
                                   float(d.normalise(d.frontier.score)), paths))
    return out


def heldout_cutoff(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], cutoff: date, config: HeldOutConfig,
                   members: dict[str, Member], progress: Callable[[str], None] = lambda s: None) -> list[HeldOutForecast]:
    """Every held-out benchmark's forecasts at one cut-off."""
    return [f for k in range(config.folds) for f in heldout_fold(results, meta, cutoff, k, config, members, progress)]


def _fold_task(task: tuple) -> list[HeldOutForecast]:
    results, meta, cutoff, k, config = task
    return heldout_fold(results, meta, cutoff, k, config)


def run_heldout(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], config: HeldOutConfig,
                progress: Callable[[str], None] = lambda s: None, *, workers: int | None = 1,
                dask: str | None = None) -> list[HeldOutForecast]:
    """Every (cut-off, fold): independent fits, spread over `workers` processes or a Dask
    scheduler at `dask` (see `forecast.parallel`)."""
    from forecast.parallel import map_tasks

    if workers == 1 and dask is None:
        members = build_members(config)
        return [f for c in config.cutoffs for f in heldout_cutoff(results, meta, c, config, members, progress)]
    tasks = [(results, meta, c, k, config) for c in config.cutoffs for k in range(config.folds)]
    done = map_tasks(_fold_task, tasks, workers=workers, dask=dask, label=lambda t: f"{t[2]} fold {t[3] + 1}",
                     progress=lambda i, n, name: progress(f"{name} done ({i}/{n})"))
    return [f for part in done for f in part]


def score_forecasts(forecasts: list[HeldOutForecast], specs: dict[int, object] | None, default: str,
                    seed: int = 0) -> list[Score]:
    """Scores of every method, baseline and (with `specs`, one per fold) the ensemble; the
    default method's scores once more as ``benchcast``."""
    out: list[Score] = []
    for f in forecasts:
        rng = np.random.default_rng([seed, f.cutoff.toordinal(), f.fold, sum(map(ord, f.benchmark))])
        paths = dict(f.paths)
        if specs is not None:
            paths["ensemble"] = specs[f.fold].at(f.cutoff).combine(f.paths, np.asarray(f.horizons, dtype=float), rng, f.now)
        if default in paths:
            paths = {"benchcast": paths[default], **paths}
        for j, (h, truth) in enumerate(zip(f.horizons, f.truths)):
            if truth is None:
                continue
            out += [_score(m, f.data, f.cutoff, h, truth, f.now, p[:, j]) for m, p in paths.items()]
    return out


@dataclass(frozen=True)
class HeldOutResult:
    """Scores of every method, baseline and the cross-fitted ensemble; the default method
    (lowest held-out CRPS); the ensemble spec learned from every held-out forecast, with the
    per-fold specs the ordinary backtest uses."""

    scores: list[Score]
    default: str
    spec: object


def choose_recalibration(tried: dict[str, tuple[float, float]]) -> str:
    """The recalibration to keep, from its out-of-fold (CRPS, 80% coverage): the sharpest
    calibrated one (Gneiting, Balabdaoui and Raftery 2007): the lowest CRPS among those whose
    80% intervals hold 75-85% of outcomes, or the lowest CRPS when none does."""
    calibrated = [k for k, (_, cov) in tried.items() if COVERAGE_BAND[0] <= cov <= COVERAGE_BAND[1]]
    return min(calibrated or list(tried), key=lambda k: tried[k][0])


def online_tables(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], pool: tuple[str, ...],
                  config: HeldOutConfig, progress: Callable[[str], None] = lambda s: None,
                  only: Sequence[int | None] | None = None) -> dict[int | None, dict]:
    """Time-respecting weights (`forecast.ensemble.online`) by month: for each fold k from a
    history without fold k's benchmarks (up to the last cut-off), and (key None) from every
    benchmark up to the end of the data, the table that ships. `only`: these keys alone."""
    from forecast.ensemble.online import FIRST, months_between, resolved_history, weight_table

    folds = assign_folds(set(results["benchmark"]), config.folds)
    last = max(config.cutoffs)
    end = results["date"].max().date()
    out: dict[int | None, dict] = {}
    for k in (only if only is not None else [*range(config.folds), None]):
        progress(f"online weights: fold {k + 1 if k is not None else 'all'}")
        until = last if k is not None else end
        history = resolved_history(results, meta, pool, until, seed=config.seed,
                                   exclude={b for b, j in folds.items() if j == k})
        out[k] = weight_table(results, history, months_between(FIRST, until))
    return out


def evaluate(forecasts: list[HeldOutForecast], config: HeldOutConfig, results: pd.DataFrame | None = None,
             meta: dict[str, BenchmarkInfo] | None = None,
             progress: Callable[[str], None] = lambda s: None, shipped: Any = None) -> HeldOutResult:
    """Choose the pool's members and its pull towards equal weights (`SHRINKS`) by the
    out-of-fold CRPS (`forecast.ensemble.fit.select_members`); cross-fit it under each
    recalibration (none, empirical PIT, beta transform; `choose_recalibration` keeps one);
    with `results` (and `config.online`), fold k's spec also carries the time-respecting
    weights learned without fold k (`online_tables`), used at each cut-off; score everything;
    pick the default (the lowest held-out CRPS); learn the spec to ship.

    `shipped` (an `EnsembleSpec`): score a few benchmarks (`config.benchmarks`) as the shipped
    ensemble would combine them: its pool, pull and recalibration, and its default method as
    ``benchcast``, rather than choosing them on those few forecasts."""
    from dataclasses import replace as dc_replace

    from forecast.ensemble.fit import RECALIBRATIONS, cross_fit, fit_spec, select_members

    members = tuple(m for m in config.methods if any(m in f.paths for f in forecasts))
    specs, recal, scores = None, "none", score_forecasts(forecasts, None, default="", seed=config.seed)
    tried: dict[str, tuple[float, float]] = {}
    tables: dict[int | None, dict] = {}
    fixed = shipped is not None and set(shipped.members) <= set(members)
    if len(members) > 1:
        if fixed:
            pool, shrink = tuple(shipped.members), float(shipped.provenance.get("shrink", SHRINKS[-1]))
            pools_tried = {}
        else:
            pool, shrink, pools_tried = select_members(forecasts, members, SHRINKS, config.seed)
        if config.online and results is not None and meta is not None:
            # Scoring a few benchmarks (`shipped`): only their folds' tables; nothing ships.
            only = sorted({f.fold for f in forecasts}) if shipped is not None else None
            tables = online_tables(results, meta, pool, config, progress, only)

        def with_online(specs: dict) -> dict:
            return {k: dc_replace(v, online=tables.get(k, {})) for k, v in specs.items()}

        fold_specs = with_online(cross_fit(forecasts, pool, config.folds, config.seed, shrink=shrink))
        runs = {"none": (fold_specs, score_forecasts(forecasts, fold_specs, default="", seed=config.seed))}
        kinds = [shipped.recalibration.kind] if fixed else RECALIBRATIONS[1:]
        for kind in [k for k in kinds if k != "none"]:
            fold_specs = with_online(cross_fit(forecasts, pool, config.folds, config.seed, shrink=shrink,
                                               recalibrate=kind))
            runs[kind] = (fold_specs, score_forecasts(forecasts, fold_specs, default="", seed=config.seed))
        for kind, (_, sc) in runs.items():
            ens = [s for s in sc if s.model == "ensemble"]
            tried[kind] = (float(np.mean([s.crps for s in ens])), float(np.mean([s.covered[0.8] for s in ens])))
        recal = shipped.recalibration.kind if fixed else choose_recalibration(tried)
        specs, scores = runs[recal]
    candidates = list(members) + (["ensemble"] if specs else [])
    crps = {m: float(np.mean([s.crps for s in scores if s.model == m])) for m in candidates}
    default = min(crps, key=crps.get)
    if shipped is not None and shipped.provenance.get("default_method") in crps:
        default = str(shipped.provenance["default_method"])
    scores = [replace_model(s, "benchcast") for s in scores if s.model == default] + scores
    spec = None
    if specs:
        assignment = {f.benchmark: f.fold for f in sorted(forecasts, key=lambda f: f.benchmark)}
        prov = {"default_method": default, "held_out_crps": {m: round(v, 5) for m, v in crps.items()},
                "recalibrations_tried": {k: {"crps": round(c, 5), "coverage_80": round(v, 3)}
                                         for k, (c, v) in tried.items()},
                "pools_tried": pools_tried, "pool": list(pool),
                "cutoffs": sorted({f.cutoff.isoformat() for f in forecasts}),
                "horizons_months": list(config.horizons), "folds": config.folds, "seed": config.seed,
                "written_by": "benchcast backtest --held-out --save-weights",
                "method": "stacking by CRPS (Yao et al. 2018) per horizon band, pulled towards equal weights; "
                          "recalibration of the pool (none, empirical PIT of Kuleshov et al. 2018, or the "
                          "beta transform of Gneiting and Ranjan 2013): the lowest out-of-fold CRPS among "
                          "those with 80% coverage 0.75-0.85; leave-one-benchmark-out in K folds"}
        if tables:
            from forecast.ensemble.online import rule

            prov["online"] = {**rule(), "method": "exponential weights on the mean CRPS of the members' forecasts "
                                                  "resolved by the as-of date (forecast.ensemble.online)"}
        spec = fit_spec(forecasts, pool, seed=config.seed, provenance=prov, shrink=shrink, recalibrate=recal)
        spec = dc_replace(spec, online=tables.get(None, {}), folds={"k": config.folds, "assignment": assignment,
                                       "specs": {str(k): v.to_json() for k, v in specs.items()}})
    return HeldOutResult(scores, default, spec)


def replace_model(score: Score, model: str) -> Score:
    from dataclasses import replace as dc_replace

    return dc_replace(score, model=model)
