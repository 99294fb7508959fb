"""The entry point: `forecast_benchmark` and the `Forecast` it returns.

>>> from forecast import forecast_benchmark
>>> fc = forecast_benchmark("my_results.csv", floor=25, released="2025-03-01", seed=1)
>>> fc.probability(80, by="2027-12-31")
>>> fc.quantiles("2027-06-30")
>>> fc.crossing(90)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery
from forecast.saturation.model import check_curve
from forecast.saturation.population import PopulationPrior, load_prior
from forecast.sampling import Diagnostics, SamplerConfig
from forecast.series import BenchmarkData, Frontier, from_years, prepare, to_years
from forecast.saturation.timeline import Paths
from priors.history import BenchmarkInfo, load_metadata, match_benchmark, read_results

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
CROSSING_QUANTILES = (0.1, 0.5, 0.9)
HORIZON_YEARS = 10.0
MODEL_VERSION = "3"  # 3: the pivot parametrisation (same model, new sampler path)


def parse_date(value: str | date | pd.Timestamp, what: str = "date") -> date:
    """A date from an ISO string or date-like; InvalidQuery naming the value otherwise."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidQuery(f"{what} {value!r} is not a date like 2027-12-31") from None


@dataclass(frozen=True)
class Forecast:
    """Posterior timelines of one benchmark's frontier. Scores are in percent."""

    benchmark: str
    as_of: date
    floor: float
    data: BenchmarkData = field(repr=False)
    paths: Paths = field(repr=False)
    theta: np.ndarray = field(repr=False)
    diagnostics: Diagnostics
    prior_cutoff: date
    notes: tuple[str, ...] = ()

    @property
    def frontier(self) -> Frontier | None:
        return self.data.frontier

    def _t(self, when: str | date, what: str = "date") -> float:
        day = parse_date(when, what)
        if day < self.as_of:
            raise InvalidQuery(
                f"{what} {day} is before the as-of date {self.as_of}; forecasts look forward "
                "(use --as-of to forecast from an earlier date)"
            )
        return to_years(day)

    def _level(self, threshold: float) -> float:
        if not np.isfinite(threshold) or not 0.0 <= threshold <= 100.0:
            raise InvalidQuery(f"threshold {threshold!r} is outside 0-100")
        return float(self.data.normalise(threshold))

    def samples(self, when: str | date) -> np.ndarray:
        """Draws of the frontier (percent) at a date on or after the as-of date."""
        return self.data.denormalise(self.paths.frontier_at(np.array([self._t(when)]))[:, 0])

    def quantiles(self, when: str | date, qs: tuple[float, ...] = QUANTILES) -> dict[float, float]:
        s = self.samples(when)
        return {q: float(v) for q, v in zip(qs, np.quantile(s, qs))}

    def mean(self, when: str | date) -> float:
        return float(self.samples(when).mean())

    def probability(self, threshold: float, by: str | date) -> float:
        """P(frontier >= threshold on or before `by`)."""
        return self.paths.probability_by(self._level(threshold), self._t(by, "--by date"))

    def is_crossed(self, threshold: float) -> bool:
        return self.frontier is not None and self.frontier.score >= threshold

    def crossing(self, threshold: float, qs: tuple[float, ...] = CROSSING_QUANTILES,
                 horizon: str | date | None = None) -> tuple[dict[float, date | None], float]:
        """Quantiles of the date `threshold` is first reached (None: not by the horizon), and
        P(not reached by the horizon, default as-of + 10 years)."""
        t_h = self._t(horizon) if horizon is not None else to_years(self.as_of) + HORIZON_YEARS
        times = self.paths.crossing_times(self._level(threshold), until=t_h)
        times = np.where(times <= t_h, times, np.inf)
        quants = np.quantile(times, qs, method="inverted_cdf")
        return ({q: (from_years(v) if np.isfinite(v) else None) for q, v in zip(qs, quants)},
                float(np.mean(~np.isfinite(times))))

    def to_json(self, at: list[date], thresholds: list[tuple[float, date]],
                crossing: list[float]) -> dict[str, Any]:
        """The `benchcast forecast --json` object."""
        f = self.frontier
        out: dict[str, Any] = {
            "benchmark": self.benchmark,
            "as_of": self.as_of.isoformat(),
            "frontier": {"score": f.score, "date": f.date.isoformat(), "model": f.model} if f else None,
            "at": [],
            "thresholds": [],
            "crossing": [],
            "diagnostics": self.diagnostics.as_dict(),
        }
        for d in at:
            qs = self.quantiles(d)
            out["at"].append({"date": d.isoformat(), "mean": round(self.mean(d), 3),
                              "quantiles": {str(q): round(v, 3) for q, v in qs.items()}})
        for thr, by in thresholds:
            out["thresholds"].append({"threshold": float(thr), "by": by.isoformat(),
                                      "probability": round(self.probability(thr, by), 4)})
        for thr in crossing:
            qs, p_not = self.crossing(thr)
            out["crossing"].append({
                "threshold": float(thr),
                "already_crossed": self.is_crossed(thr),
                "quantiles": {str(q): (d.isoformat() if d else None) for q, d in qs.items()},
                "p_not_by_horizon": round(p_not, 4),
            })
        return out

    def plot(self, path: str | Path, **kwargs: Any) -> Path:
        """Write a fan chart PNG (see `forecast.plot.fan_chart`)."""
        from forecast.plot import fan_chart

        return fan_chart(self, path, **kwargs)


def _fit_key(data: BenchmarkData, prior: PopulationPrior, curve: str, ceiling: float | None,
             config: SamplerConfig) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([MODEL_VERSION, curve, ceiling, data.floor, data.released,
                         list(data.series_names), config.as_dict(), prior.created,
                         prior.cutoff.isoformat()], default=str).encode())
    for arr in (data.t, data.y, data.series):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()[:24]


def fit_theta(data: BenchmarkData, prior: PopulationPrior, *, curve: str = "logistic",
              ceiling: float | None = None, config: SamplerConfig | None = None,
              cache_dir: Path | None = None) -> tuple[np.ndarray, Diagnostics]:
    """Posterior draws of (theta, g_acc), shape (draws * chains, 5), and the fit's diagnostics.

    With no records, theta is drawn exactly from the population's predictive prior.
    With `cache_dir`, a fit of identical data, prior and settings is read back, not redone.
    """
    config = config or SamplerConfig()
    mean, cov = prior.predictive(data.released)
    n = config.draws * config.chains
    if data.n_records == 0:
        rng = np.random.default_rng(config.seed)
        theta = rng.multivariate_normal(mean, cov, size=n)
        if ceiling is not None:
            gap = max(1.0 - ceiling, 1e-6)
            theta[:, 2] = np.log(gap) - np.log1p(-gap)
        g_mean, g_sd = prior.accel_prior()
        theta = np.column_stack([theta, rng.normal(g_mean, g_sd, n)])
        return theta, Diagnostics(1.0, float(n), 0, config.draws, config.chains)
    path = Path(cache_dir) / f"fit-{_fit_key(data, prior, curve, ceiling, config)}.npz" if cache_dir else None
    if path is not None and path.is_file():
        with np.load(path) as z:
            d = z["diag"]
            return z["theta"], Diagnostics(float(d[0]), float(d[1]), int(d[2]), config.draws, config.chains)
    from forecast.saturation.fit import fit_benchmark

    theta, diag, _ = fit_benchmark(data, prior, curve=curve, ceiling=ceiling, config=config)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, theta=theta, diag=np.array([diag.r_hat_max, diag.ess_bulk_min, diag.divergences]))
        tmp.replace(path)
    return theta, diag


def forecast_benchmark(
    data: str | Path | pd.DataFrame | None = None,
    benchmark: str | None = None,
    *,
    floor: float | None = None,
    ceiling: float | None = None,
    released: str | date | None = None,
    as_of: str | date | None = None,
    draws: int = 2000,
    seed: int = 0,
    curve: str | None = None,
    prior: PopulationPrior | None = None,
    cache_dir: str | Path | None = None,
    progressbar: bool = False,
) -> Forecast:
    """Forecast a benchmark's frontier.

    Parameters
    ----------
    data
        Results as a CSV path or DataFrame (columns benchmark, model, date, score, ...);
        None for the shipped history.
    benchmark
        Which benchmark of `data` (case-insensitive); may be omitted when `data` holds one.
    floor, ceiling
        Random-chance score and, optionally, a fixed maximum score, in percent. The floor of
        a shipped benchmark is known; for your own it defaults to 0.
    released
        The benchmark's release date (default: known for shipped ones, else the first result).
    as_of
        Use only results known on or before this date (default: today).
    draws
        Posterior draws in all (split over 2 chains).
    prior
        A population prior; default the shipped one. It must use no data after `as_of`.
    """
    results = read_results(data)
    names = sorted(results["benchmark"].unique())
    if benchmark is None:
        if len(names) != 1:
            raise InvalidQuery(f"the data holds {len(names)} benchmarks; name one of: {', '.join(names[:8])}")
        benchmark = names[0]
    name = match_benchmark(benchmark, names)
    notes: list[str] = []
    info = load_metadata().get(name)  # shipped benchmarks keep their floor and release, whatever the file
    if info is None:
        if floor is None:
            notes.append("floor 0 assumed (pass floor= / --floor)")
        info = BenchmarkInfo(name, 0.0 if floor is None else float(floor), None)
    if floor is not None:
        info = BenchmarkInfo(name, float(floor), info.released)
    if not 0.0 <= info.floor < 100.0:
        raise InvalidQuery(f"floor {info.floor:g} must be in [0, 100)")
    day = parse_date(as_of, "--as-of date") if as_of is not None else date.today()
    rel = parse_date(released, "--released date") if released is not None else None
    bdata = prepare(results, info, day, released=rel)
    if info.released is None and rel is None:
        notes.append(f"release date taken as the first result's, {from_years(bdata.released)}")
    c_norm = None
    if ceiling is not None:
        if not info.floor < ceiling <= 100.0:
            raise InvalidQuery(f"ceiling {ceiling:g} must be above the floor {info.floor:g} and at most 100")
        c_norm = float(bdata.normalise(ceiling))
    if draws < 20 or draws > 200_000:
        raise InvalidQuery(f"draws {draws} must be between 20 and 200000")
    if prior is None:
        prior = load_prior()
    curve = check_curve(curve or prior.curve)
    if prior.last_known > day:
        raise InvalidQuery(
            f"the population prior uses data up to {prior.last_known}, after the as-of date {day}; "
            "build one with `benchcast priors build --as-of DATE`"
        )
    config = SamplerConfig(draws=max(draws // 2, 10), chains=2, seed=seed, progressbar=progressbar)
    theta, diag = fit_theta(bdata, prior, curve=curve, ceiling=c_norm, config=config,
                            cache_dir=Path(cache_dir) if cache_dir else None)
    f_now = float(bdata.normalise(bdata.frontier.score)) if bdata.frontier else 0.0
    rng = np.random.default_rng([seed, 1])
    paths = Paths.from_theta(curve, theta, bdata.released, to_years(day), max(f_now, 0.0), rng,
                             is_observed=bdata.frontier is not None)
    paths = paths.with_activity(prior.activity, bdata.staleness, rng)
    if bdata.staleness > 1.0:
        notes.append(f"no {bdata.series_names[0]} result for {bdata.staleness:.1f} years: "
                     "the benchmark may be abandoned, which holds its frontier")
    if bdata.n_records == 0:
        notes.append(f"no results known by {day}: the forecast is the population prior alone")
    return Forecast(name, day, info.floor, bdata, paths, theta, diag, prior.cutoff, tuple(notes))
