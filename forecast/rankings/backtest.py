"""Backtest of the open-weight leader forecasts against three baselines, by log score and Brier.

From each monthly as-of date the model is fitted on the rows known by then only and asked who
leads ``h`` months later (3, 6 and 12), by country and by organization; the truth is
`forecast.rankings.data.leader_at` on the full data (a leader unknown at the as-of date counts as
``"other"``). Each forecast is a distribution over the entries known at the as-of date plus
``"other"``. Scores, per question:

- log score ``log p(actual)`` (higher is better); the model's (and the pool's) probabilities are floored at
  ``1 / (2 D)`` for ``D`` simulated draws, the resolution of a frequency over draws;
- Brier ``sum_i (p_i - [i = actual])^2`` over the entries (lower is better).

Baselines (`forecast.rankings.baselines`): "keeps the lead" (persistence), past frequency and
recency-weighted frequency (half-life 6 months, fixed in advance).

The *pooled* forecast (`forecast.rankings.pool`) is the logarithmic pool of the model and the
recency baseline, ``p ~ max(p_model, f)^(1 - w) p_recent^w``; for the question asked at as-of
date ``t`` the weight is learned only from the questions of the same grouping and horizon
resolved on or before ``t`` (the first questions get the prior's 0.5), so its score is out of
sample and respects time.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from forecast.parallel import map_tasks
# the baselines and their constants are re-exported here, where they were first defined
from forecast.rankings.baselines import (PERSISTENCE_EPS, RECENCY_HALF_LIFE, _open_rows, frequency, known_entries,
                                         leader_history, monthly_dates, months_later, persistence)  # noqa: F401
from forecast.rankings.data import leader_at
from forecast.rankings.forecast import OTHER, fit_rankings, leaders_per_draw, simulate
from forecast.rankings.model import BACKTEST_SAMPLER, RankingsFit
from forecast.rankings.pool import Pool, PoolQuestion, combine, draw_floor
from forecast.sampling import SamplerConfig

METHODS = ("model", "persistence", "frequency", "recency", "pooled")
DEFAULT_HORIZONS = (3, 6, 12)
#: Monthly as-of dates: from the first month with five open labs in the shipped ECI table.
DEFAULT_FIRST_AS_OF = date(2023, 7, 1)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BacktestRow:
    """One scored question: who leads `by` at `as_of` + `horizon` months, and each method's
    probabilities over the known entries and "other"."""

    as_of: date
    horizon: int
    by: str
    current: str
    actual: str
    p: dict[str, dict[str, float]]
    floor: float
    #: The pool weight of "pooled" and the number of earlier-resolved questions it rests on.
    pool_weight: float = float("nan")
    pool_n: int = 0

    @property
    def resolved(self) -> date:
        """The outcome date: when the answer became known."""
        return months_later(self.as_of, self.horizon)

    def log_score(self, method: str) -> float:
        p = self.p[method][self.actual]
        return float(np.log(max(p, self.floor) if method in ("model", "pooled") else p))

    def brier(self, method: str) -> float:
        return float(sum((q - (name == self.actual)) ** 2 for name, q in self.p[method].items()))


def _model_probs(leaders: np.ndarray, known: list[str]) -> dict[str, float]:
    names = np.where(np.isin(leaders, known), leaders, OTHER)
    return {k: float(np.mean(names == k)) for k in known + [OTHER]}


def score_fit(frame: pd.DataFrame, fit: RankingsFit, horizons: Iterable[int], last: date,
              seed: int = 0) -> list[BacktestRow]:
    """The questions one as-of fit answers: each horizon whose date is at most `last`."""
    as_of, metric = fit.data.as_of, fit.data.metric
    hs = [h for h in horizons if months_later(as_of, h) <= last]
    if not hs:
        return []
    sim = simulate(fit, [months_later(as_of, h) for h in hs], seed)
    out = []
    for by in ("country", "organization"):
        known = known_entries(frame, metric, as_of, by)
        current = leader_at(frame, metric, as_of, by) or OTHER
        history = leader_history(frame, metric, by, as_of)
        baselines = {"persistence": persistence(current, known), "frequency": frequency(history, as_of, known),
                     "recency": frequency(history, as_of, known, RECENCY_HALF_LIFE)}
        for h, leaders in zip(hs, leaders_per_draw(sim, by)):
            actual = leader_at(frame, metric, months_later(as_of, h), by) or OTHER
            actual = actual if actual in known else OTHER
            p = {"model": _model_probs(leaders, known), **baselines}
            out.append(BacktestRow(as_of, h, by, current, actual, p, draw_floor(leaders.size)))
    return out


def _fit_at(frame: pd.DataFrame, metric: str, seed: int, config: SamplerConfig | None,
            cache_dir: str | Path | None, as_of: date) -> RankingsFit:
    """One backtest fit (a top-level function, so that worker processes can run it)."""
    return fit_rankings(frame, metric, as_of, seed=seed, config=config, cache_dir=cache_dir)


def run_backtest(frame: pd.DataFrame, metric: str, *, as_of_dates: tuple[date, ...] | None = None,
                 horizons: tuple[int, ...] = DEFAULT_HORIZONS, seed: int = 0,
                 config: SamplerConfig | None = None, cache_dir: str | Path | None = None,
                 workers: int | None = None, dask: str | None = None,
                 progress: Progress | None = None) -> list[BacktestRow]:
    """Fit from each as-of date (default: monthly from `DEFAULT_FIRST_AS_OF` to the last date
    whose shortest horizon is in the data) and score every question whose truth is in the data.

    The fits are independent and run through `forecast.parallel.map_tasks` (`workers` local
    processes, or the Dask scheduler at `dask`); `progress(done, total, as_of)` is called after
    each; `cache_dir` keeps them on disk. `config` defaults to `BACKTEST_SAMPLER` (2 x 500 draws).
    """
    config = config or BACKTEST_SAMPLER
    last = _open_rows(frame, metric)["date"].max().date()
    dates = as_of_dates or tuple(d for d in monthly_dates(DEFAULT_FIRST_AS_OF, last)
                                 if months_later(d, min(horizons)) <= last)

    fit_one = functools.partial(_fit_at, frame, metric, seed, config, cache_dir)
    fits = map_tasks(fit_one, list(dates), workers=workers, dask=dask, progress=progress)
    return add_pooled([row for fit in fits for row in score_fit(frame, fit, horizons, last, seed)])


def pool_questions(rows: list[BacktestRow]) -> tuple[PoolQuestion, ...]:
    """Each question's outcome and both members' distributions (the log pool needs them whole)."""
    return tuple(PoolQuestion(r.by, r.as_of, r.horizon, r.resolved, r.actual, dict(r.p["model"]),
                              dict(r.p["recency"]), r.floor) for r in rows)


def add_pooled(rows: list[BacktestRow]) -> list[BacktestRow]:
    """Each row with the "pooled" forecast, its weight learned (`forecast.rankings.pool`) only from
    the questions of its grouping and horizon resolved on or before its as-of date."""
    pool = Pool(pool_questions(rows))
    out = []
    for r in rows:
        w, n = pool.weight(r.by, r.as_of, r.horizon)
        p = {**r.p, "pooled": combine(r.p["model"], r.p["recency"], w, r.floor)}
        out.append(dataclasses.replace(r, p=p, pool_weight=w, pool_n=n))
    return out


def summarize_backtest(rows: list[BacktestRow]) -> pd.DataFrame:
    """Mean log score and Brier of each method per grouping and horizon, and over all."""
    groups = [((by, h), [r for r in rows if r.by == by and r.horizon == h])
              for by in ("country", "organization") for h in sorted({r.horizon for r in rows})]
    recs = []
    for (by, h), grp in groups + [(("all", "all"), rows)]:
        if not grp:
            continue
        rec: dict[str, object] = {"by": by, "horizon": h, "n": len(grp)}
        for m in METHODS:
            rec[f"log_{m}"] = float(np.mean([r.log_score(m) for r in grp]))
        for m in METHODS:
            rec[f"brier_{m}"] = float(np.mean([r.brier(m) for r in grp]))
        recs.append(rec)
    return pd.DataFrame(recs)


def reliability(rows: list[BacktestRow], method: str = "model", bins: int = 5) -> pd.DataFrame:
    """Calibration: every (question, entry) probability of `method`, binned; per bin the mean
    forecast, the share that happened and the count."""
    p = np.array([q for r in rows for q in r.p[method].values()])
    hit = np.array([name == r.actual for r in rows for name in r.p[method]], dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    recs = [{"lo": edges[i], "hi": edges[i + 1], "mean_p": float(p[idx == i].mean()),
             "observed": float(hit[idx == i].mean()), "n": int((idx == i).sum())}
            for i in range(bins) if (idx == i).any()]
    return pd.DataFrame(recs)
