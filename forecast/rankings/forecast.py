"""Open-weight rankings: who will hold the best open-weight model, and how far open trails closed.

From posterior draws of `forecast.rankings.model` (each open-weight lab's releases under a rising
envelope, the closed-weight releases as one more series) this module simulates, per draw, the
releases between the as-of date and each asked date ``T``:

- every known lab releases at rate ``lambda_e``; a release at ``t`` scores
  ``a_e + b_e (t - tbar_e) + v - u``;
- new labs arrive at rate ``nu`` with parameters drawn from the population and a country drawn
  from the known labs' countries (plus a new country);
- the closed-weight series does the same.

Then, for each draw: the open record ``O(T)`` is the best of every lab's record so far and its new
releases up to ``T``; the leader is the lab (or its country) holding it, the first to reach a
tied score winning; the gap in score is ``C(T) - O(T)`` for the closed record ``C``; the gap in
months is ``T - t_c`` where ``t_c`` is when the closed record first reached ``O(T)`` (observed or
simulated; when closed has not reached it by ``T``, ``t_c`` extrapolates the closed envelope and
the gap is negative). Leader probabilities are frequencies over draws; labs that never pass 0.5%
are merged into ``"other"`` together with labs not yet in the data, so they sum to 1.

Nothing dated after the as-of date is read (`forecast.rankings.data.prepare` cuts the data).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery
from forecast.rankings.data import (
    RankingData,
    known_at,
    leader_at,
    prepare,
    years_between,
)
from forecast.rankings.model import RankingsFit, sample
from forecast.sampling import SamplerConfig

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
    "simulate",
    "summarize",
]

BY_CHOICES = ("country", "organization")
QUANTILES = (0.1, 0.5, 0.9)
OTHER = "other"
#: Entries below this probability at every asked date are merged into "other".
MIN_NAMED = 0.005
_MAX_ENTRANTS = 12
_MAX_YEARS = 5.0


@dataclass(frozen=True)
class Simulation:
    """Simulated records per draw (rows) and asked time (columns), on the working scale.

    ``lab_best`` is (draws, labs, times); ``entrant_best`` and ``entrant_country`` belong to the
    best new lab of each draw; ``closed_best`` and ``gap_months`` are (draws, times).
    """

    fit: RankingsFit
    at: tuple[date, ...]
    lab_best: np.ndarray
    entrant_best: np.ndarray
    entrant_country: np.ndarray
    closed_best: np.ndarray
    gap_months: np.ndarray

    @property
    def open_best(self) -> np.ndarray:
        return np.maximum(self.lab_best.max(axis=1), self.entrant_best)


@dataclass(frozen=True)
class AtForecast:
    """The forecast for one date: leader probabilities and gap quantiles (months, score points)."""

    date: date
    leader_probabilities: dict[str, float]
    gap_months: dict[str, float]
    gap_score: dict[str, float]


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
    divergences: int
    fit: RankingsFit | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of `benchcast rankings --json`."""
        return {
            "as_of": self.as_of.isoformat(),
            "by": self.by,
            "metric": self.metric,
            "now": {"leader": self.now_leader, "gap_months": round(self.now_gap_months, 3),
                    "gap_score": round(self.now_gap_score, 3)},
            "at": [
                {"date": a.date.isoformat(), "leader_probabilities": a.leader_probabilities,
                 "gap_months": a.gap_months, "gap_score": a.gap_score}
                for a in self.at
            ],
        }


def fit_rankings(frame: pd.DataFrame, metric: str, as_of: date, *, seed: int = 0,
                 config: SamplerConfig | None = None) -> RankingsFit:
    """Cut `frame` at `as_of` and sample the rankings model of `metric`."""
    return sample(prepare(frame, metric, as_of), config, seed)


def _skew_noise(rng: np.random.Generator, omega: np.ndarray, alpha: np.ndarray, m: int) -> np.ndarray:
    """Draws of ``v - u`` (skew-normal, scale omega, shape alpha), ``m`` per row."""
    delta = (alpha / np.sqrt(1.0 + alpha**2))[:, None]
    z0 = np.abs(rng.standard_normal((omega.size, m)))
    z1 = rng.standard_normal((omega.size, m))
    return omega[:, None] * (delta * z0 + np.sqrt(1.0 - delta**2) * z1)


def _releases(rng: np.random.Generator, level: np.ndarray, slope: np.ndarray, lam: np.ndarray,
              start: np.ndarray, end: np.ndarray, omega: np.ndarray, alpha: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Release times and scores in (start, end] per row (no release where end <= start);
    absent releases have score -inf."""
    span = np.clip(end - start, 0.0, None)
    n = rng.poisson(lam * span)
    m = max(int(n.max()), 1)
    times = start[:, None] + rng.random((lam.size, m)) * span[:, None]
    z = level[:, None] + slope[:, None] * times + _skew_noise(rng, omega, alpha, m)
    z = np.where(np.arange(m)[None, :] < n[:, None], z, -np.inf)
    return times, z


def _best_by(times: np.ndarray, z: np.ndarray, horizons: np.ndarray) -> np.ndarray:
    """(rows, horizons): the best score released by each horizon."""
    return np.where(times[:, :, None] <= horizons[None, None, :], z[:, :, None], -np.inf).max(axis=1)


def _p_active(fit: RankingsFit, i: int) -> np.ndarray:
    """Per draw, the probability that lab `i` has not left the race, given its silence."""
    eta, lam, silence = fit.draws["eta"][:, i], fit.draws["lam"][:, i], fit.data.lab_silence[i]
    stay = np.exp(-(eta + lam) * silence)
    return stay / (stay + eta / (eta + lam) * (1.0 - stay))


def _entrants(rng: np.random.Generator, fit: RankingsFit, horizons: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Best new-lab score per (draw, horizon) and the index of that lab's country."""
    d, data, end = fit.draws, fit.data, float(horizons.max())
    n_draws, cap = fit.n_draws, _MAX_ENTRANTS
    rep = lambda x: np.repeat(x, cap)
    k = np.minimum(rng.poisson(d["nu"] * end), cap)
    entry = rng.random(n_draws * cap) * end
    slope = rep(d["mu_b"]) + rep(d["tau_b"]) * rng.standard_normal(n_draws * cap)
    level_at_entry = rep(d["mu_a"]) + rep(d["mu_b"]) * entry + rep(d["tau_a"]) * rng.standard_normal(n_draws * cap)
    lam = np.exp(rep(d["mu_l"]) + rep(d["tau_l"]) * rng.standard_normal(n_draws * cap))
    leave = entry + rng.exponential(1.0 / rep(d["eta0"]))
    times, z = _releases(rng, level_at_entry - slope * entry, slope, lam, entry, np.minimum(leave, end),
                         rep(d["omega"]), rep(d["alpha"]))
    best = _best_by(times, z, horizons).reshape(n_draws, cap, horizons.size)
    best = np.where((np.arange(cap)[None, :] < k[:, None])[:, :, None], best, -np.inf)
    countries = sorted(set(data.lab_country))
    weights = np.array([data.lab_country.count(c) for c in countries] + [1.0])
    slot_country = rng.choice(len(weights), size=(n_draws, cap), p=weights / weights.sum())
    top = best.argmax(axis=1)
    return best.max(axis=1), np.take_along_axis(slot_country, top, axis=1)


def _gap_months(fit: RankingsFit, target: np.ndarray, c_times: np.ndarray, c_z: np.ndarray,
                horizons: np.ndarray) -> np.ndarray:
    """Months between each horizon and when the closed record first reached `target` there."""
    data, d = fit.data, fit.draws
    out = np.empty_like(target)
    for k, h in enumerate(horizons):
        tgt = target[:, k]
        idx = np.searchsorted(data.closed_record_z, tgt, side="left")
        hist = data.closed_record_t[np.minimum(idx, data.closed_record_z.size - 1)]
        reached = np.where((c_times <= h) & (c_z >= tgt[:, None]), c_times, np.inf).min(axis=1)
        slope = np.where(d["b_c"] > 1e-6, d["b_c"], np.nan)
        extrap = np.maximum(h, np.nan_to_num((tgt - d["a_c"]) / slope, nan=h + _MAX_YEARS))
        t_c = np.where(idx < data.closed_record_z.size, hist, np.where(np.isfinite(reached), reached, extrap))
        out[:, k] = np.clip((h - t_c) * 12.0, -12.0 * _MAX_YEARS, None)
    return out


def simulate(fit: RankingsFit, at: list[date] | tuple[date, ...], seed: int = 0) -> Simulation:
    """Simulate every lab's and the closed series' releases up to each date in `at`."""
    data, d = fit.data, fit.draws
    horizons = np.array([years_between(data.as_of, day) for day in at])
    rng = np.random.default_rng([seed, 1])
    end = float(horizons.max())
    lab_best = np.empty((fit.n_draws, len(data.labs), horizons.size))
    tie_break = data.best_z - 1e-9 * data.best_t  # the first to reach a score keeps the lead
    zeros = np.zeros(fit.n_draws)
    for i in range(len(data.labs)):
        level = d["a"][:, i] - d["b"][:, i] * data.lab_tbar[i]
        stop = np.where(rng.random(fit.n_draws) < _p_active(fit, i),
                        np.minimum(rng.exponential(1.0 / d["eta"][:, i]), end), 0.0)
        times, z = _releases(rng, level, d["b"][:, i], d["lam"][:, i], zeros, stop, d["omega"], d["alpha"])
        lab_best[:, i, :] = np.maximum(_best_by(times, z, horizons), tie_break[i])
    entrant_best, entrant_country = _entrants(rng, fit, horizons)
    c_times, c_z = _releases(rng, d["a_c"], d["b_c"], d["lam_c"], zeros, zeros + end, d["omega_c"], d["alpha_c"])
    closed_best = np.maximum(_best_by(c_times, c_z, horizons), data.closed_record_z.max())
    open_best = np.maximum(lab_best.max(axis=1), entrant_best)
    gap = _gap_months(fit, open_best, c_times, c_z, horizons)
    return Simulation(fit, tuple(at), lab_best, entrant_best, entrant_country, closed_best, gap)


def leaders_per_draw(sim: Simulation, by: str) -> list[np.ndarray]:
    """Per asked date, each draw's leader name."""
    data = sim.fit.data
    countries = sorted(set(data.lab_country)) + [OTHER]
    lab_names = np.array(data.labs if by == "organization" else data.lab_country, dtype=object)
    out = []
    for k in range(len(sim.at)):
        best_lab = sim.lab_best[:, :, k].argmax(axis=1)
        is_new = sim.entrant_best[:, k] > sim.lab_best[:, :, k].max(axis=1)
        new_name = (np.full(is_new.size, OTHER, dtype=object) if by == "organization"
                    else np.array(countries, dtype=object)[sim.entrant_country[:, k]])
        out.append(np.where(is_new, new_name, lab_names[best_lab]))
    return out


def _quantiles(x: np.ndarray) -> dict[str, float]:
    return {str(q): round(float(np.quantile(x, q)), 3) for q in QUANTILES}


def summarize(sim: Simulation, by: str) -> tuple[AtForecast, ...]:
    """Leader probabilities and gap quantiles at each simulated date."""
    if by not in BY_CHOICES:
        raise InvalidQuery(f"by {by!r} is not one of {', '.join(BY_CHOICES)}")
    leaders = leaders_per_draw(sim, by)
    names = sorted({str(n) for arr in leaders for n in arr} - {OTHER})
    share = {n: [float(np.mean(arr == n)) for arr in leaders] for n in names}
    named = [n for n in names if max(share[n]) >= MIN_NAMED]
    scale = sim.fit.data.scale
    gap_score = scale.from_z(sim.closed_best) - scale.from_z(sim.open_best)
    out = []
    for k, day in enumerate(sim.at):
        n_draws = leaders[k].size
        probs = {n: int((leaders[k] == n).sum()) for n in named}
        probs = dict(sorted(probs.items(), key=lambda kv: (-kv[1], kv[0])))
        probs[OTHER] = n_draws - sum(probs.values())
        out.append(AtForecast(day, {n: c / n_draws for n, c in probs.items()},
                              _quantiles(sim.gap_months[:, k]), _quantiles(gap_score[:, k])))
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


def check_dates(as_of: date, at: list[date] | None) -> list[date]:
    """The asked dates, sorted (default: 6 and 12 months after `as_of`); InvalidQuery for dates
    not after `as_of` or more than five years after it."""
    days = sorted(set(at)) if at else [as_of + timedelta(days=182), as_of + timedelta(days=365)]
    for day in days:
        if day <= as_of:
            raise InvalidQuery(f"--at {day} is not after the as-of date {as_of}; ask about a later date")
        if years_between(as_of, day) > _MAX_YEARS:
            raise InvalidQuery(f"--at {day} is more than {_MAX_YEARS:g} years after {as_of}; ask about an earlier date")
    return days


def forecast_rankings(frame: pd.DataFrame | None = None, *, metric: str = "ECI", by: str = "country",
                      as_of: date | None = None, at: list[date] | None = None, seed: int = 0,
                      config: SamplerConfig | None = None) -> RankingsForecast:
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
        Dates to forecast (default: 6 and 12 months after `as_of`).
    seed
        Seeds the sampler and the simulation.
    """
    from priors.open_weight import match_metric, metrics, read_open_weight

    if by not in BY_CHOICES:
        raise InvalidQuery(f"--by {by!r} is not one of {', '.join(BY_CHOICES)}")
    frame = read_open_weight() if frame is None else frame
    name = match_metric(metric, metrics(frame))
    as_of = as_of or default_as_of(frame, name)
    days = check_dates(as_of, at)
    fit = fit_rankings(frame, name, as_of, seed=seed, config=config)
    sim = simulate(fit, days, seed)
    leader, months, score = observed_state(frame, fit.data, by)
    return RankingsForecast(name, as_of, by, summarize(sim, by), leader, months, score, fit.divergences, fit)


@functools.lru_cache(maxsize=8)
def _shipped_fit(metric: str, as_of: date | None, seed: int) -> RankingsFit:
    """One fit of the shipped data per (metric, as-of, seed) in a process."""
    from priors.open_weight import match_metric, metrics, read_open_weight

    frame = read_open_weight()
    name = match_metric(metric, metrics(frame))
    return fit_rankings(frame, name, as_of or default_as_of(frame, name), seed=seed)


def leader_probabilities(by: str = "country", at: date | None = None, as_of: date | None = None,
                         seed: int = 0, metric: str = "ECI") -> dict[str, float]:
    """P(each country / organization holds the top open-weight model at `at`), plus "other".

    For seeding markets: the shipped data, fitted once per (metric, as_of, seed) in a process
    (later calls for other dates or groupings only simulate); the probabilities sum to 1.
    `at` defaults to 12 months after the as-of date (the metric's last date by default).
    """
    if by not in BY_CHOICES:
        raise InvalidQuery(f"by {by!r} is not one of {', '.join(BY_CHOICES)}")
    fit = _shipped_fit(metric, as_of, seed)
    (day,) = check_dates(fit.data.as_of, [at or fit.data.as_of + timedelta(days=365)])
    (forecast,) = summarize(simulate(fit, [day], seed), by)
    return dict(forecast.leader_probabilities)
