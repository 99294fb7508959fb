"""The library's forecast query: validation, the choice of prior and method, the output.

>>> from forecast import ForecastQuery
>>> fc = ForecastQuery(data="my_results.csv", floor=25, released="2025-03-01", seed=1).run()
>>> fc.probability(80, by="2027-12-31"); fc.quantiles("2027-06-30"); fc.crossing(90)

A query names a benchmark (shipped, or in the caller's results table), an as-of date and a
method: ``saturation``, ``reference``, ``ensemble`` or ``capability`` (when installed); the
default is the one the shipped ensemble file says the backtests favour. Every method sees the
benchmark through `context_for` and learns from the shipped history of the *other*
benchmarks known at the as-of date: the held-out backtest goes through the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery
from forecast.members import MemberContext, available, get_member
from forecast.result import Forecast, SampledPaths, parse_as_of, parse_date
from forecast.saturation.model import check_curve
from forecast.saturation.population import PopulationPrior, needs_build, prior_for
from forecast.sampling import SamplerConfig
from forecast.series import EPS, from_years, known_results, prepare
from priors.errors import PriorFileError
from priors.history import BenchmarkInfo, check_scale, load_metadata, match_benchmark, read_results

METHODS = ("saturation", "reference", "trend", "ensemble", "capability")
FALLBACK_METHOD = "saturation"


def default_method() -> str:
    """The method the shipped ensemble file records as favoured by the backtests."""
    from forecast.ensemble.spec import load_ensemble

    try:
        return str(load_ensemble().provenance.get("default_method", FALLBACK_METHOD))
    except PriorFileError:
        return FALLBACK_METHOD


def context_for(results: pd.DataFrame, info: BenchmarkInfo, as_of: date, *, train: pd.DataFrame,
                meta: dict[str, BenchmarkInfo], released: date | None = None) -> MemberContext:
    """What every method sees of `info.name` at `as_of` (its results known by then)."""
    data = prepare(results, info, as_of, released=released)
    rows = results[results["benchmark"] == info.name]
    if data.series_names:
        rows = rows[rows["provenance"] == data.series_names[0]]
        rows = known_results(rows, from_years(data.released), as_of)
    else:
        rows = rows.iloc[0:0]
    own = pd.DataFrame({"date": rows["date"].to_numpy(), "score": rows["score"].to_numpy(dtype=float),
                        "model": rows["model"].to_numpy()})
    own["y"] = np.clip((own["score"] - info.floor) / (100.0 - info.floor), 0.0, 1.0)
    own = own.sort_values("date", kind="stable").reset_index(drop=True)
    return MemberContext(info.name, info.floor, from_years(data.released), as_of, own, train, meta, data)


def training_table(results: pd.DataFrame, name: str, as_of: date) -> pd.DataFrame:
    """Every other benchmark's results dated on or before `as_of` (the methods still apply
    the known-at rule of `forecast.series`)."""
    return results[(results["benchmark"] != name) & (results["date"].dt.date <= as_of)]


@dataclass(frozen=True)
class ForecastQuery:
    """One forecast request. `run()` validates it and returns a `Forecast`.

    data: results (CSV path or DataFrame), None for the shipped history; without a benchmark
    column every row is `benchmark`'s. floor / ceiling /
    released: percent and date (known for shipped benchmarks). as_of: use only results known
    by then (default today). scale: how `data`'s scores are written, "percent" (0-100) or
    "fraction" (0-1); None refuses the benchmark asked about if its scores are all at most 1
    (`priors.history.check_scale`; the file's other benchmarks are not questioned). draws:
    paths in all. prior: a saturation population prior (default: the shipped one, or one built
    from the history known at `as_of`). ensemble: an `EnsembleSpec` (default: the shipped one).
    """

    data: str | Path | pd.DataFrame | None = None
    benchmark: str | None = None
    floor: float | None = None
    ceiling: float | None = None
    released: str | date | None = None
    as_of: str | date | None = None
    method: str | None = None
    scale: str | None = None
    draws: int = 2000
    seed: int = 0
    curve: str | None = None
    prior: PopulationPrior | None = None
    ensemble: Any = None
    cache_dir: str | Path | None = None
    refit: bool = False
    progressbar: bool = False
    #: Told, in words, before a step that takes minutes (fitting a population prior).
    notify: Callable[[str], None] | None = None

    @property
    def day(self) -> date:
        return parse_as_of(self.as_of) if self.as_of is not None else date.today()

    @property
    def resolved_method(self) -> str:
        method = self.method or default_method()
        if method not in METHODS:
            raise InvalidQuery(f"method {method!r} is not one of {', '.join(METHODS)}")
        if method != "ensemble" and method not in available():
            raise InvalidQuery(f"method {method!r} is not available here; use one of "
                               f"{', '.join(available() + ('ensemble',))}")
        return method

    def check_dates(self, days: list[date], thresholds: list[float]) -> None:
        """Reject dates before the as-of date and thresholds outside 0-100, before any fit."""
        for d in days:
            if d < self.day:
                raise InvalidQuery(f"date {d} is before the as-of date {self.day}; forecasts look forward "
                                   "(forecast from an earlier as-of date instead)")
        for t in thresholds:
            if not 0.0 <= t <= 100.0:
                raise InvalidQuery(f"threshold {t!r} is outside 0-100")

    def needs_prior_build(self) -> bool:
        """Whether `run()` will first fit a population prior (minutes, once; then cached): for the
        saturation method, or an ensemble with a saturation member, at an as-of date without a
        saved prior (`notify` is told when the build starts)."""
        if self.prior is not None or not self._uses_saturation(self.resolved_method):
            return False
        return needs_build(self.day, cache_dir=self._dir("priors"))

    def _uses_saturation(self, method: str) -> bool:
        if method == "saturation":
            return True
        if method != "ensemble":
            return False
        from forecast.ensemble.spec import load_ensemble

        return "saturation" in (self.ensemble or load_ensemble()).members

    def _dir(self, sub: str | None = None) -> Path | None:
        if self.cache_dir is None:
            return None
        return Path(self.cache_dir) / sub if sub else Path(self.cache_dir)

    def _benchmark(self, results: pd.DataFrame) -> tuple[BenchmarkInfo, list[str]]:
        names = sorted(results["benchmark"].unique())
        benchmark = self.benchmark
        if benchmark is None:
            if len(names) != 1:
                raise InvalidQuery(f"the data holds {len(names)} benchmarks; name one of: {', '.join(names[:8])}")
            benchmark = names[0]
        name = match_benchmark(benchmark, names)
        notes: list[str] = []
        info = load_metadata().get(name)  # shipped benchmarks keep their floor and release, whatever the file
        if info is None:
            if self.floor is None:
                notes.append("floor 0 assumed (pass a floor)")
            info = BenchmarkInfo(name, 0.0 if self.floor is None else float(self.floor), None)
        if self.floor is not None:
            info = BenchmarkInfo(name, float(self.floor), info.released)
        if not 0.0 <= info.floor < 100.0:
            raise InvalidQuery(f"floor {info.floor:g} must be in [0, 100)")
        return info, notes

    def _check(self, info: BenchmarkInfo) -> None:
        if self.ceiling is not None and not info.floor < self.ceiling <= 100.0:
            raise InvalidQuery(f"ceiling {self.ceiling:g} must be above the floor {info.floor:g} and at most 100")
        if not 20 <= self.draws <= 200_000:
            raise InvalidQuery(f"draws {self.draws} must be between 20 and 200000")

    def run(self) -> Forecast:
        fill = self.benchmark  # the name for a file without a benchmark column; a shipped one keeps its spelling
        if fill is not None:
            fill = next((n for n in load_metadata() if n.lower() == fill.strip().lower()), fill)
        results = read_results(self.data, self.scale or "percent", benchmark=fill)
        info, notes = self._benchmark(results)
        if self.scale is None and self.data is not None:  # only the benchmark asked about
            check_scale(results[results["benchmark"] == info.name],
                        "DataFrame" if isinstance(self.data, pd.DataFrame) else str(self.data))
        self._check(info)
        day, method = self.day, self.resolved_method
        rel = parse_date(self.released, "release date") if self.released is not None else None
        shipped = read_results() if self.data is not None else results
        meta = load_metadata()
        ctx = context_for(results, info, day, train=training_table(shipped, info.name, day), meta=meta, released=rel)
        bdata = ctx.data
        if info.released is None and rel is None:
            notes.append(f"release date taken as the first result's, {from_years(bdata.released)}")
        if self.ceiling is not None and bdata.n_records and self.ceiling < bdata.frontier.score:
            raise InvalidQuery(f"ceiling {self.ceiling:g} is below {info.name}'s best score so far, "
                               f"{bdata.frontier.score:g} by {bdata.frontier.model} ({bdata.frontier.date}); "
                               "a ceiling is the most that can ever be reached")
        c_norm = float(bdata.normalise(self.ceiling)) if self.ceiling is not None else None
        ctx = replace(ctx, ceiling=c_norm)
        if bdata.n_records == 0 and method != "saturation":
            # The other methods move today's frontier; with none there is nothing to move. The
            # saturation model's population prior alone is a wide guess that has scored poorly on
            # new benchmarks, so it is only used when asked for.
            raise InvalidQuery(f"{info.name} has no result known by {day}; method {method} moves today's frontier, "
                               "so it needs one (method saturation forecasts from the population prior alone)")
        fc = self._saturation(ctx, c_norm) if method == "saturation" else self._sampled(ctx, method, c_norm)
        if bdata.staleness > 1.0:
            notes.append(f"no {bdata.series_names[0]} result for {bdata.staleness:.1f} years: "
                         "the benchmark may be abandoned, which holds its frontier")
        if bdata.n_records == 0:
            notes.append(f"no results known by {day}: the forecast is the population's alone")
        return Forecast(info.name, day, info.floor, bdata, fc["paths"], fc["diagnostics"], fc["prior_cutoff"],
                        tuple(notes), method, fc.get("weights"), fc.get("theta"), fc.get("members", {}))

    def _saturation_fit(self, c_norm: float | None):
        from forecast.saturation_member import SaturationFit

        if self.prior is None and self.notify is not None and needs_build(self.day, cache_dir=self._dir("priors")):
            self.notify(f"building a population prior from results known by {self.day} "
                        "(a few minutes, once; it is cached)...")
        prior = self.prior or prior_for(self.day, cache_dir=self._dir("priors"))
        curve = check_curve(self.curve or prior.curve)
        config = SamplerConfig(draws=max(self.draws // 2, 10), chains=2, seed=self.seed, progressbar=self.progressbar)
        return SaturationFit(prior, config, None if self.refit else self._dir(), curve, c_norm)

    def _saturation(self, ctx: MemberContext, c_norm: float | None) -> dict[str, Any]:
        fit = self._saturation_fit(c_norm)
        theta, diag = fit.fit(ctx)
        paths = fit.paths(ctx, np.random.default_rng([self.seed, 1]))
        return {"paths": paths, "diagnostics": diag, "prior_cutoff": fit.prior.cutoff, "theta": theta}

    def _sampled(self, ctx: MemberContext, method: str, c_norm: float | None) -> dict[str, Any]:
        spec = None
        if method == "ensemble":
            from forecast.ensemble.spec import load_ensemble

            spec = (self.ensemble or load_ensemble()).at(ctx.as_of)  # weights as known at the as-of date
            names = spec.members
        else:
            names = (method,)
        fitted = {}
        for name in names:
            if name == "saturation":
                fitted[name] = self._saturation_fit(c_norm)
            else:
                fitted[name] = get_member(name).prepare(ctx.train, ctx.meta, ctx.as_of)
        n, t0, now, seed = self.draws, ctx.t0, ctx.now, self.seed
        cap = 1.0 - EPS if c_norm is None else c_norm

        def alone(i: int, m: str, times: np.ndarray) -> np.ndarray:
            return fitted[m].predict(ctx, times, n, np.random.default_rng([seed, 3, i]))

        def draw(times: np.ndarray) -> np.ndarray:
            paths = {m: alone(i, m, times) for i, m in enumerate(names)}
            out = paths[method] if spec is None else spec.combine(paths, (times - t0) * 12.0,
                                                                  np.random.default_rng([seed, 2]), now)
            return np.minimum(out, max(cap, now))

        # Each member's own paths: the very draws the ensemble mixes (the same generators).
        members = {} if spec is None else {
            m: SampledPaths(lambda times, i=i, m=m: np.minimum(alone(i, m, times), max(cap, now)), n, t0, now)
            for i, m in enumerate(names)}
        sat = fitted.get("saturation")
        diag = sat.fit(ctx)[1] if sat is not None and ctx.data.n_records else None
        return {"paths": SampledPaths(draw, n, t0, now), "diagnostics": diag,
                "prior_cutoff": sat.prior.cutoff if sat is not None else None,
                "weights": spec.describe() if spec is not None else None, "members": members}


def forecast_benchmark(data: str | Path | pd.DataFrame | None = None, benchmark: str | None = None,
                       **options: Any) -> Forecast:
    """`ForecastQuery(data, benchmark, **options).run()`."""
    return ForecastQuery(data, benchmark, **options).run()
