"""Time-respecting (online) weights: at an as-of date t the pool follows how its members scored
on the forecasts that had resolved by t.

The history: at every monthly as-of date s from `FIRST` (2022-01), each member is prepared on
the results known at s and forecasts every benchmark known then, 6, 12 and 18 months ahead
(`resolved_history`). A forecast counts at t once its target date is <= t and its source's
collection *known at t* reaches the target (so nothing after t decides what has resolved, nor
its outcome).

The weights at t (`online_weights`)::

    w_m  proportional to  exp(-ETA * mean CRPS_m)     (over the resolved forecasts)

the mean optionally recency-weighted by ``0.5 ** (age / half_life)``; with fewer than
`MIN_RESOLVED` resolved forecasts the spec's own (stacked) weights stay. This is the
exponentially weighted forecaster of Vovk (1990) / Littlestone and Warmuth (1994), here on
batches of resolved questions, the usual way an ensemble follows a change of era (Cesa-Bianchi
and Lugosi 2006). ETA and the half-life were chosen on the held-out backtest's overall CRPS
(`benchmarks/online_weights.py`); the ordinary backtest only confirms.

In the held-out backtest the history of fold k is made without fold k's benchmarks (members
prepared on the other folds, forecasting the other folds' benchmarks): nothing of a held-out
benchmark enters the weights it is combined with.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from forecast.scoring import crps
from priors.history import BenchmarkInfo

HORIZONS = (6, 12, 18)
#: Sharpness of the exponential weights (per unit of mean CRPS): a member 0.01 worse keeps
#: exp(-1) of the other's weight. Chosen on the held-out backtest (grid 25-400).
ETA = 100.0
#: Recency half-life of a resolved forecast, years (inf: all count alike; 0.5-2 scored worse).
HALF_LIFE = float("inf")
#: Fewer resolved forecasts than this: keep the stacked weights.
MIN_RESOLVED = 20
#: The first monthly as-of date of the history. The members can be fitted from 2021-07, but on
#: 10-18 shipped results until 2021-12 (54 at 2022-01, 234 at 2022-07): their scores there
#: were noise that, resolving first, set the weights for years.
FIRST = date(2022, 1, 1)
PATHS = 1000


@dataclass(frozen=True)
class Resolved:
    """One member-scored forecast: made at `made`, of `benchmark` at `target`."""

    made: date
    target: date
    benchmark: str
    provenance: str
    crps: tuple[float, ...]  # per member, in the order of the history's members


def months_between(start: date, end: date) -> list[date]:
    from forecast.backtest.ordinary import add_months

    out, d = [], start
    while d <= end:
        out.append(d)
        d = add_months(d, 1)
    return out


def resolved_history(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], members: Sequence[str],
                     until: date, *, exclude: Iterable[str] = (), seed: int = 0, n: int = PATHS,
                     start: date = FIRST,
                     progress: Callable[[str], None] = lambda s: None) -> list[Resolved]:
    """Every member's forecasts made at monthly as-of dates from `FIRST` whose target is at most
    `until`, of every benchmark not in `exclude`, from members prepared without `exclude`.
    Scored against the realised frontier (`forecast.backtest.ordinary.realised`); whether a
    forecast had resolved by a given date is decided later (`online_weights`)."""
    from forecast.backtest.ordinary import add_months, realised, snapshots
    from forecast.errors import NotEnoughData
    from forecast.members import get_member
    from forecast.query import context_for, training_table
    from forecast.saturation.population import population_data

    excluded = set(exclude)
    train = results[~results["benchmark"].isin(excluded)]
    snap = snapshots(results)
    built = {m: get_member(m) for m in members}
    out: list[Resolved] = []
    for s in months_between(start, add_months(until, -min(HORIZONS))):
        targets = [add_months(s, h) for h in HORIZONS]
        known = train[train["date"].dt.date <= s]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # early months: members fitted on little history warn (empty slices) or give NaN paths
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                fitted = {m: b.prepare(known, meta, s) for m, b in built.items()}
            except NotEnoughData:
                continue
            for d in population_data(train, meta, s):
                truths = [realised(results, d, tg, snap) if tg <= until else None for tg in targets]
                if all(t is None for t in truths):
                    continue
                ctx = context_for(results, meta[d.name], s, train=training_table(known, d.name, s), meta=meta)
                rng = np.random.default_rng([seed, s.toordinal(), sum(map(ord, d.name))])
                paths = {m: f.predict(ctx, targets, n, rng) for m, f in fitted.items()}
                for j, (tg, y) in enumerate(zip(targets, truths)):
                    cols = [paths[m][:, j] for m in members]
                    if y is None or not all(np.isfinite(c).all() for c in cols):
                        continue  # unresolved, or a member fitted on too little history
                    out.append(Resolved(s, tg, d.name, d.series_names[0], tuple(crps(c, y) for c in cols)))
        progress(f"online weights: history at {s}")
    return out


def collection_ends(results: pd.DataFrame, t: date) -> dict[str, date]:
    """The last date each source's collection covers, as known at `t`."""
    known = results[results["date"].dt.date <= t]
    return {p: g.max().date() for p, g in known.groupby("provenance")["date"]}


def online_weights(history: Sequence[Resolved], t: date, ends: dict[str, date], *, eta: float = ETA,
                   half_life: float = HALF_LIFE, min_resolved: int = MIN_RESOLVED) -> tuple[np.ndarray, int] | None:
    """The weights at `t` and how many forecasts they rest on (None: fewer than `min_resolved`).
    `ends`: `collection_ends(results, t)`."""
    from forecast.series import to_years

    rows = [r for r in history if r.target <= t and ends.get(r.provenance, date.min) >= r.target]
    if len(rows) < min_resolved:
        return None
    scores = np.array([r.crps for r in rows])
    age = np.array([to_years(t) - to_years(r.target) for r in rows])
    rec = 0.5 ** (age / half_life) if np.isfinite(half_life) else np.ones(len(rows))
    mean = rec @ scores / rec.sum()
    w = np.exp(-eta * (mean - mean.min()))
    return w / w.sum(), len(rows)


def weight_table(results: pd.DataFrame, history: Sequence[Resolved], months: Iterable[date], *,
                 eta: float = ETA, half_life: float = HALF_LIFE,
                 min_resolved: int = MIN_RESOLVED) -> dict[str, dict]:
    """``{"YYYY-MM-DD": {"weights": [...], "resolved": n}}`` for every month with enough resolved."""
    out = {}
    for t in months:
        got = online_weights(history, t, collection_ends(results, t), eta=eta, half_life=half_life,
                             min_resolved=min_resolved)
        if got is not None:
            out[t.isoformat()] = {"weights": [round(float(x), 6) for x in got[0]], "resolved": got[1]}
    return out


def rule() -> dict[str, float | int | None]:
    """The rule's knobs, for provenance."""
    return {"eta": ETA, "half_life_years": None if not np.isfinite(HALF_LIFE) else HALF_LIFE,
            "min_resolved": MIN_RESOLVED, "horizons_months": list(HORIZONS), "first": FIRST.isoformat(),
            "paths": PATHS}
