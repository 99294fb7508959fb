"""Open-weight rankings: who will hold the best open-weight model, and how far open trails closed.

The query behind `benchcast rankings`: cut the data at the as-of date, fit
`forecast.rankings.model`, simulate futures (`forecast.rankings.simulate`) and summarize them.
Leader probabilities are frequencies over draws. Every lab with a release in the last
`NAMED_WINDOW` years (and its country) is named, as is anything reaching `MIN_NAMED` at some
asked date; the rest, with labs not yet in the data, is ``"other"``, so the probabilities sum
to 1.

Nothing dated after the as-of date is read (`forecast.rankings.data.prepare` cuts the data).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery
from forecast.rankings.baselines import recency
from forecast.rankings.cache import cached_sample
from forecast.rankings.data import RankingData, known_at, leader_at, prepare, years_between
from forecast.rankings.model import RankingsFit, sample
from forecast.rankings.pool import RULE, Pool, combine, draw_floor, load_pool
from forecast.rankings.simulate import MAX_YEARS, OTHER, Simulation, leaders_per_draw, simulate
from forecast.result import parse_as_of
from forecast.sampling import Diagnostics, SamplerConfig

__all__ = [
    "BY_CHOICES",
    "OTHER",
    "QUANTILES",
    "AtForecast",
    "RankingsForecast",
    "Simulation",
    "check_dates",
    "default_as_of",
    "fit_rankings",
    "forecast_rankings",
    "leader_probabilities",
    "leaders_per_draw",
    "observed_state",
    "pool_leaders",
    "simulate",
    "summarize",
]

BY_CHOICES = ("country", "organization")
QUANTILES = (0.1, 0.5, 0.9)
#: Entries below this probability at every asked date are merged into "other" ...
MIN_NAMED = 0.005
#: ... unless they released an open model in this many years before the as-of date.
NAMED_WINDOW = 1.5


@dataclass(frozen=True)
class AtForecast:
    """The forecast for one date: leader probabilities and gap quantiles (months, score points)."""

    date: date
    leader_probabilities: dict[str, float]
    gap_months: dict[str, float]
    gap_score: dict[str, float]
    #: The model's own probabilities when `leader_probabilities` is the pooled forecast.
    model_probabilities: dict[str, float] | None = None
    #: How many simulated draws the model's probabilities are frequencies over.
    n_draws: int = 0

    @property
    def floor(self) -> float:
        """`forecast.rankings.pool.draw_floor` of the draws: what an entry no draw made leader
        is given in the pool."""
        return draw_floor(self.n_draws)


@dataclass(frozen=True)
class RankingsForecast:
    """Everything `benchcast rankings` shows; ``now`` is the observed state at the as-of date;
    ``fit`` keeps the posterior for plots."""

    metric: str
    as_of: date
    by: str
    at: tuple[AtForecast, ...]
    now_leader: str
    now_gap_months: float
    now_gap_score: float
    diagnostics: Diagnostics
    fit: RankingsFit | None = field(default=None, repr=False, compare=False)
    #: The pool behind the leader probabilities: weight, n questions, source (None: model only).
    pool: dict[str, object] | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of `benchcast rankings --json`."""
        diag = self.diagnostics
        return {
            "as_of": self.as_of.isoformat(),
            "by": self.by,
            "metric": self.metric,
            "now": {"leader": self.now_leader, "gap_months": round(self.now_gap_months, 3),
                    "gap_score": round(self.now_gap_score, 3)},
            "at": [
                {"date": a.date.isoformat(), "leader_probabilities": a.leader_probabilities,
                 **({} if a.model_probabilities is None else {"model_leader_probabilities": a.model_probabilities}),
                 "gap_months": a.gap_months, "gap_score": a.gap_score}
                for a in self.at
            ],
            "pool": self.pool,
            "diagnostics": {**diag.as_dict(), "chains": diag.chains, "draws": diag.draws,
                            "warnings": diag.warnings},
        }


def fit_rankings(frame: pd.DataFrame, metric: str, as_of: date, *, seed: int = 0,
                 config: SamplerConfig | None = None, cache_dir: str | Path | None = None) -> RankingsFit:
    """Cut `frame` at `as_of` and sample the rankings model of `metric` (read back from
    `cache_dir` when the same fit was made before)."""
    return cached_sample(prepare(frame, metric, as_of), config, seed, cache_dir, sampler=sample)


def _quantiles(x: np.ndarray) -> dict[str, float]:
    return {str(q): round(float(np.quantile(x, q)), 3) for q in QUANTILES}


def recent_entries(data: RankingData, by: str) -> list[str]:
    """Labs (or their countries) with an open release in the last `NAMED_WINDOW` years."""
    recent = [i for i in range(len(data.labs)) if data.lab_silence[i] <= NAMED_WINDOW]
    names = data.labs if by == "organization" else data.lab_country
    return sorted({names[i] for i in recent})


def summarize(sim: Simulation, by: str) -> tuple[AtForecast, ...]:
    """Leader probabilities and gap quantiles at each simulated date."""
    if by not in BY_CHOICES:
        raise InvalidQuery(f"by {by!r} is not one of {', '.join(BY_CHOICES)}")
    leaders = leaders_per_draw(sim, by)
    names = sorted({str(n) for arr in leaders for n in arr} - {OTHER})
    share = {n: [float(np.mean(arr == n)) for arr in leaders] for n in names}
    named = sorted(set(recent_entries(sim.fit.data, by)) | {n for n in names if max(share[n]) >= MIN_NAMED})
    scale = sim.fit.data.scale
    gap_score = scale.from_z(sim.closed_best) - scale.from_z(sim.open_best)
    out = []
    for k, day in enumerate(sim.at):
        n_draws = leaders[k].size
        probs = {n: int((leaders[k] == n).sum()) for n in named}
        probs = dict(sorted(probs.items(), key=lambda kv: (-kv[1], kv[0])))
        probs[OTHER] = n_draws - sum(probs.values())
        out.append(AtForecast(day, {n: c / n_draws for n, c in probs.items()},
                              _quantiles(sim.gap_months[:, k]), _quantiles(gap_score[:, k]), n_draws=n_draws))
    return tuple(out)


def observed_state(frame: pd.DataFrame, data: RankingData, by: str) -> tuple[str, float, float]:
    """Observed leader, gap in months and in score at the as-of date."""
    leader = leader_at(frame, data.metric, data.as_of, by) or OTHER
    open_best = float(data.best_z.max())
    idx = int(np.searchsorted(data.closed_record_z, open_best, side="left"))
    months = -float(data.closed_record_t[idx]) * 12.0 if idx < data.closed_record_z.size else 0.0
    score = float(data.scale.from_z(data.closed_record_z.max()) - data.scale.from_z(open_best))
    return leader, months, score


def default_as_of(frame: pd.DataFrame, metric: str) -> date:
    """The last date a score of `metric` is known in the data: the default as-of date."""
    return known_at(frame)[frame["metric"] == metric].max().date()


def check_dates(as_of: date, at: list[date] | None, start: date | None = None) -> list[date]:
    """The asked dates, sorted (default: 6 and 12 months after `start`, itself `as_of` unless
    later); InvalidQuery for dates not after `as_of` or more than five years after it."""
    base = max(as_of, start or as_of)
    days = sorted(set(at)) if at else [base + timedelta(days=182), base + timedelta(days=365)]
    for day in days:
        if day <= as_of:
            raise InvalidQuery(f"date {day} is not after the as-of date {as_of}; ask about a later date")
        if years_between(as_of, day) > MAX_YEARS:
            raise InvalidQuery(f"date {day} is more than {MAX_YEARS:g} years after {as_of}; ask about an earlier date")
    return days


def forecast_rankings(frame: pd.DataFrame | None = None, *, metric: str = "ECI", by: str = "country",
                      as_of: date | None = None, at: list[date] | None = None, seed: int = 0,
                      config: SamplerConfig | None = None, today: date | None = None,
                      cache_dir: str | Path | None = None, pool: Pool | None = None) -> RankingsForecast:
    """Fit, simulate and summarize: the open-weight leader and open-closed gap at each date in `at`.

    Parameters
    ----------
    frame
        Scores as read by `priors.open_weight.read_open_weight` (default: the shipped file).
    metric
        A metric name or an unambiguous part of one (``ECI``, ``FrontierMath Tiers 1-3``).
    by
        ``country`` or ``organization``.
    as_of
        Use only rows dated on or before this (default: the metric's last date).
    at
        Dates to forecast. Default: 6 and 12 months after `as_of` when it is given, else after
        `today` (the data end before today, and a forecast of a past date is no forecast).
    seed
        Seeds the sampler and the simulation.
    today
        The date the default dates count from (default: the system date).
    cache_dir
        Where fits are kept on disk (none by default).
    pool
        When given, the leader probabilities are the pool of the model and the recency baseline
        (`pool_leaders`); the model's own stay in ``model_probabilities``. None: the model only.
    """
    from priors.open_weight import match_metric, metrics, read_open_weight

    if by not in BY_CHOICES:
        raise InvalidQuery(f"by {by!r} is not one of {', '.join(BY_CHOICES)}")
    frame = read_open_weight() if frame is None else frame
    name = match_metric(metric, metrics(frame))
    start = None if as_of else (today or date.today())
    as_of = parse_as_of(as_of, today=today) if as_of else default_as_of(frame, name)
    days = check_dates(as_of, at, start)
    fit = fit_rankings(frame, name, as_of, seed=seed, config=config, cache_dir=cache_dir)
    sim = simulate(fit, days, seed)
    leader, months, score = observed_state(frame, fit.data, by)
    result = RankingsForecast(name, as_of, by, summarize(sim, by), leader, months, score, fit.diagnostics, fit)
    return result if pool is None else pool_leaders(result, frame, pool)


def pool_leaders(result: RankingsForecast, frame: pd.DataFrame, pool: Pool) -> RankingsForecast:
    """`result` with pooled leader probabilities: the log pool (`forecast.rankings.pool.combine`)
    of the model and the recency baseline at the as-of date, ``w`` learned from `pool`'s
    questions of the horizon nearest each date (`Pool.weight_at`) resolved by then."""
    recent = recency(frame, result.metric, result.as_of, result.by)
    at, by_date = [], []
    for a in result.at:
        w, n, h = pool.weight_at(result.by, result.as_of, a.date)
        at.append(dataclasses.replace(a, leader_probabilities=combine(a.leader_probabilities, recent, w, a.floor),
                                      model_probabilities=a.leader_probabilities))
        by_date.append({"date": a.date.isoformat(), "horizon_months": h, "weight": round(w, 4), "n_questions": n})
    info = {"rule": RULE, "weights": by_date, "source": pool.source,
            "member": "recency-weighted leader frequency, half-life 6 months"}
    return dataclasses.replace(result, at=tuple(at), pool=info)


@functools.lru_cache(maxsize=8)
def _shipped_fit(metric: str, as_of: date | None, seed: int) -> RankingsFit:
    """One fit of the shipped data per (metric, as-of, seed) in a process."""
    from priors.open_weight import match_metric, metrics, read_open_weight

    frame = read_open_weight()
    name = match_metric(metric, metrics(frame))
    return fit_rankings(frame, name, as_of or default_as_of(frame, name), seed=seed)


def leader_probabilities(by: str = "country", at: date | None = None, as_of: date | None = None,
                         seed: int = 0, metric: str = "ECI", is_pooled: bool = True) -> dict[str, float]:
    """P(each country / organization holds the top open-weight model at `at`), plus "other".

    For seeding markets: the shipped data, fitted once per (metric, as_of, seed) in a process
    (later calls for other dates or groupings only simulate); the probabilities sum to 1.
    `at` defaults to 12 months after the as-of date (the metric's last date by default).
    With `is_pooled` (the default) they are the pooled forecast of `pool_leaders` with the shipped
    pool weights (`forecast.rankings.pool.load_pool`), as `benchcast rankings` shows.
    """
    if by not in BY_CHOICES:
        raise InvalidQuery(f"by {by!r} is not one of {', '.join(BY_CHOICES)}")
    fit = _shipped_fit(metric, as_of, seed)
    (day,) = check_dates(fit.data.as_of, [at or fit.data.as_of + timedelta(days=365)])
    (forecast,) = summarize(simulate(fit, [day], seed), by)
    if not is_pooled:
        return dict(forecast.leader_probabilities)
    from priors.open_weight import read_open_weight

    recent = recency(read_open_weight(), fit.data.metric, fit.data.as_of, by)
    w, _, _ = load_pool().weight_at(by, fit.data.as_of, day)
    return combine(forecast.leader_probabilities, recent, w, forecast.floor)
