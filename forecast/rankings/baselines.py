"""The three baselines the leader forecasts are scored against, and the leader history they read.

- *persistence* ("keeps the lead"): the current leader keeps it with probability ``1 - eps``;
  ``eps`` is shared evenly by the other known entries and ``"other"``;
- *frequency*: each entry's share of the months it held the lead since the data begin, half a
  month added to every known entry and to ``"other"``;
- *recency*: the same with month ``m`` months ago weighted ``2^(-m / H)``, half-life
  ``H = 6`` months (fixed in advance, not tuned on the backtest questions).

The recency baseline is also one member of the pooled forecast (`forecast.rankings.pool`).
Nothing dated after the as-of date is read.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from forecast.rankings.data import known_at, leader_at
from forecast.rankings.simulate import OTHER

PERSISTENCE_EPS = 0.1
RECENCY_HALF_LIFE = 6.0


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


def recency(frame: pd.DataFrame, metric: str, as_of: date, by: str) -> dict[str, float]:
    """The recency baseline at `as_of`: over the entries known then, plus "other"."""
    history = leader_history(frame, metric, by, as_of)
    return frequency(history, as_of, known_entries(frame, metric, as_of, by), RECENCY_HALF_LIFE)
