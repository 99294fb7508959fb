"""Backtest of the open-weight leader forecasts against two baselines, by log score.

From each past as-of date the model is fitted on the rows up to that date only and asked who
leads ``h`` months later; the truth is `forecast.rankings.data.leader_at` on the full data. The
log score of a forecast is ``log p(actual leader)`` (higher is better; a lab not in the data at
the as-of date counts as ``"other"``). Probabilities are floored at ``1 / (2 D)`` for ``D``
simulated draws, the resolution of a frequency over draws. Baselines:

- *persistence*: the current leader keeps the lead with probability ``1 - eps``; ``eps`` is
  shared evenly by the other known entries and ``"other"``;
- *frequency*: the share of months since the data begin that each entry held the lead, with
  half a month added to every known entry and to ``"other"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from forecast.rankings.forecast import (
    OTHER,
    fit_rankings,
    leaders_per_draw,
    observed_state,
    simulate,
)
from forecast.rankings.data import known_at, leader_at, prepare
from forecast.rankings.model import RankingsFit
from forecast.sampling import SamplerConfig

METHODS = ("model", "persistence", "frequency")
DEFAULT_AS_OF = tuple(date(y, m, 1) for y in (2023, 2024, 2025) for m in (1, 4, 7, 10) if (y, m) >= (2023, 7))
DEFAULT_HORIZONS = (6, 12)
PERSISTENCE_EPS = 0.1


@dataclass(frozen=True)
class BacktestRow:
    """One scored question: who leads `by` at `as_of` + `horizon` months."""

    as_of: date
    horizon: int
    by: str
    current: str
    actual: str
    p: dict[str, float]
    gap_months: tuple[float, float, float]
    actual_gap_months: float


def months_later(day: date, months: int) -> date:
    """`day` plus `months` average months."""
    return day + timedelta(days=round(months * 30.4375))


def _known(frame: pd.DataFrame, metric: str, as_of: date, by: str) -> list[str]:
    rows = frame[(frame["metric"] == metric) & (known_at(frame) <= pd.Timestamp(as_of))
                 & (frame["open_weights"] == True) & (frame["lab"] != "")]
    return sorted(set(rows["lab" if by == "organization" else "country"]))


def persistence(current: str, known: list[str], eps: float = PERSISTENCE_EPS) -> dict[str, float]:
    """The current leader keeps the lead with probability 1 - eps."""
    others = [k for k in known if k != current] + [OTHER]
    return {current: 1.0 - eps, **{k: eps / len(others) for k in others}}


def frequency(frame: pd.DataFrame, metric: str, as_of: date, by: str, known: list[str]) -> dict[str, float]:
    """Share of months each entry held the lead before `as_of`, half a month added to each."""
    rows = frame[(frame["metric"] == metric) & (frame["open_weights"] == True)]
    start = rows["date"].min().date()
    counts = {k: 0.5 for k in known + [OTHER]}
    day = start
    while day <= as_of:
        who = leader_at(frame, metric, day, by)
        if who is not None:
            counts[who if who in counts else OTHER] += 1.0
        day = months_later(day, 1)
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()}


def run_backtest(frame: pd.DataFrame, metric: str, *, as_of_dates: tuple[date, ...] = DEFAULT_AS_OF,
                 horizons: tuple[int, ...] = DEFAULT_HORIZONS, seed: int = 0,
                 config: SamplerConfig | None = None,
                 fits: dict[date, RankingsFit] | None = None) -> list[BacktestRow]:
    """Score leader forecasts from each as-of date at each horizon whose truth is in the data
    (`fits` may hold fits already made, by as-of date)."""
    last = frame.loc[(frame["metric"] == metric) & (frame["open_weights"] == True), "date"].max().date()
    out: list[BacktestRow] = []
    for as_of in as_of_dates:
        targets = [months_later(as_of, h) for h in horizons if months_later(as_of, h) <= last]
        if not targets:
            continue
        fit = (fits or {}).get(as_of) or fit_rankings(frame, metric, as_of, seed=seed, config=config)
        sim = simulate(fit, targets, seed)
        truth_gap = [observed_state(frame, prepare(frame, metric, t), "country")[1] for t in targets]
        for by in ("country", "organization"):
            known = _known(frame, metric, as_of, by)
            current = leader_at(frame, metric, as_of, by) or OTHER
            freq = frequency(frame, metric, as_of, by, known)
            for k, leaders in enumerate(leaders_per_draw(sim, by)):
                actual = leader_at(frame, metric, targets[k], by) or OTHER
                actual = actual if actual in known else OTHER
                floor = 1.0 / (2 * leaders.size)
                p = {
                    "model": max(float(np.mean(leaders == actual)), floor),
                    "persistence": persistence(current, known).get(actual, 0.0),
                    "frequency": freq.get(actual, 0.0),
                }
                horizon = next(h for h in horizons if months_later(as_of, h) == targets[k])
                gap = tuple(float(q) for q in np.quantile(sim.gap_months[:, k], [0.1, 0.5, 0.9]))
                out.append(BacktestRow(as_of, horizon, by, current, actual, p, gap, truth_gap[k]))
    return out


def summarize_backtest(rows: list[BacktestRow]) -> pd.DataFrame:
    """Mean log score of each method per grouping and horizon, and over all questions."""
    recs = []
    for key, grp in [((by, h), [r for r in rows if r.by == by and r.horizon == h])
                     for by in ("country", "organization") for h in sorted({r.horizon for r in rows})] + [
                     (("all", "all"), rows)]:
        if not grp:
            continue
        rec: dict[str, object] = {"by": key[0], "horizon": key[1], "n": len(grp)}
        for m in METHODS:
            rec[m] = float(np.mean([np.log(r.p[m]) for r in grp]))
        recs.append(rec)
    return pd.DataFrame(recs)


def summarize_gaps(rows: list[BacktestRow]) -> pd.DataFrame:
    """Per as-of date and horizon: forecast gap quantiles (months) against the observed gap."""
    seen = {(r.as_of, r.horizon): r for r in rows}
    return pd.DataFrame([
        {"as_of": r.as_of, "horizon": r.horizon, "q10": r.gap_months[0], "median": r.gap_months[1],
         "q90": r.gap_months[2], "actual": r.actual_gap_months,
         "inside_80": r.gap_months[0] - 1e-6 <= r.actual_gap_months <= r.gap_months[2] + 1e-6}
        for r in seen.values()
    ])
