"""Backtest of the open-weight leader forecasts against three baselines, by log score and Brier.

From each monthly as-of date the model is fitted on the rows known by then only and asked who
leads ``h`` months later (3, 6 and 12), by country and by organization; the truth is
`forecast.rankings.data.leader_at` on the full data (a leader unknown at the as-of date counts as
``"other"``). Each forecast is a distribution over the entries known at the as-of date plus
``"other"``. Scores, per question:

- log score ``log p(actual)`` (higher is better); the model's probabilities are floored at
  ``1 / (2 D)`` for ``D`` simulated draws, the resolution of a frequency over draws;
- Brier ``sum_i (p_i - [i = actual])^2`` over the entries (lower is better).

Baselines:

- *persistence* ("keeps the lead"): the current leader keeps it with probability ``1 - eps``;
  ``eps`` is shared evenly by the other known entries and ``"other"``;
- *frequency*: each entry's share of the months it held the lead since the data begin, half a
  month added to every known entry and to ``"other"``;
- *recency*: the same with month ``m`` months ago weighted ``2^(-m / H)``, half-life
  ``H = 6`` months (fixed in advance, not tuned on these questions).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from forecast.parallel import map_tasks
from forecast.rankings.data import known_at, leader_at
from forecast.rankings.forecast import OTHER, fit_rankings, leaders_per_draw, simulate
from forecast.rankings.model import RankingsFit
from forecast.sampling import SamplerConfig

METHODS = ("model", "persistence", "frequency", "recency")
DEFAULT_HORIZONS = (3, 6, 12)
PERSISTENCE_EPS = 0.1
RECENCY_HALF_LIFE = 6.0
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

    def log_score(self, method: str) -> float:
        p = self.p[method][self.actual]
        return float(np.log(max(p, self.floor) if method == "model" else p))

    def brier(self, method: str) -> float:
        return float(sum((q - (name == self.actual)) ** 2 for name, q in self.p[method].items()))


def months_later(day: date, months: int) -> date:
    """`day` plus `months` average months."""
    return day + timedelta(days=round(months * 30.4375))


def monthly_dates(first: date, last: date) -> tuple[date, ...]:
    """First days of the months from `first` to `last`."""
    out, y, m = [], first.year, first.month
    while date(y, m, 1) <= last:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def _open_rows(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    return frame[(frame["metric"] == metric) & (frame["open_weights"] == True) & (frame["lab"] != "")]  # noqa: E712


def known_entries(frame: pd.DataFrame, metric: str, as_of: date, by: str) -> list[str]:
    """Labs (or countries) with an open release known by `as_of`."""
    rows = _open_rows(frame, metric)
    rows = rows[known_at(rows) <= pd.Timestamp(as_of)]
    return sorted(set(rows["lab" if by == "organization" else "country"].replace("", "?")))


def persistence(current: str, known: list[str], eps: float = PERSISTENCE_EPS) -> dict[str, float]:
    """The current leader keeps the lead with probability 1 - eps."""
    others = [k for k in known if k != current] + [OTHER]
    return {current: 1.0 - eps, **{k: eps / len(others) for k in others}}


def frequency(history: list[tuple[date, str]], as_of: date, known: list[str],
              half_life: float | None = None) -> dict[str, float]:
    """Share of months each entry held the lead before `as_of` (weighted ``2^(-age / half_life)``
    when a half-life in months is given), half a month added to each."""
    counts = {k: 0.5 for k in known + [OTHER]}
    for day, who in history:
        if day <= as_of:
            age = (as_of - day).days / 30.4375
            w = 1.0 if half_life is None else 0.5 ** (age / half_life)
            counts[who if who in counts else OTHER] += w
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()}


def leader_history(frame: pd.DataFrame, metric: str, by: str, until: date) -> list[tuple[date, str]]:
    """The leader on the first of every month from the first open release to `until`."""
    start = _open_rows(frame, metric)["date"].min().date()
    out = []
    for day in monthly_dates(date(start.year, start.month, 1), until):
        who = leader_at(frame, metric, day, by)
        if who is not None:
            out.append((day, who))
    return out


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
            out.append(BacktestRow(as_of, h, by, current, actual, p, 1.0 / (2 * leaders.size)))
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
    each; `cache_dir` keeps them on disk.
    """
    last = _open_rows(frame, metric)["date"].max().date()
    dates = as_of_dates or tuple(d for d in monthly_dates(DEFAULT_FIRST_AS_OF, last)
                                 if months_later(d, min(horizons)) <= last)

    fit_one = functools.partial(_fit_at, frame, metric, seed, config, cache_dir)
    fits = map_tasks(fit_one, list(dates), workers=workers, dask=dask, progress=progress)
    return [row for fit in fits for row in score_fit(frame, fit, horizons, last, seed)]


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
