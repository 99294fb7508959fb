"""From raw results to what the models see: a benchmark's record-setting points.

Definitions
-----------
normalised score
    ``y = (score - floor) / (100 - floor)``, so 0 is random guessing and 1 a perfect score.
known-at date
    ``max(model release date, benchmark release date)``: a result cannot be known before the
    benchmark existed (FrontierMath v2 rows carry 2024 model dates but were measured in 2026).
    ``as_of`` filters on it, so nothing from the future leaks into a forecast.
series
    The results of one provenance (``epoch_run``, ``self_reported`` ...). Independent and
    self-reported numbers differ by several points, so each series has its own records; the
    *primary* series (independent evaluations first) defines the frontier that is forecast and
    the other series enter the models with an offset.
records
    The points of a series that beat every earlier point of that series: the frontier's steps.
    Only single-attempt settings count (no cons@64, pass@k > 1, parallel compute).
time
    Years since 2020-01-01 (``t``), a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery
from priors.history import BenchmarkInfo, is_single_attempt

EPOCH = date(2020, 1, 1)
DAYS_PER_YEAR = 365.25
#: Preference order for the primary series: independent evaluations before compilations
#: before labs' own claims. Unknown provenances rank with "unspecified".
SERIES_PRIORITY = ("epoch_run", "epoch_run_v2", "epoch_compiled", "unspecified", "self_reported")
#: Normalised scores are clipped into [EPS, 1 - EPS] before any logit.
EPS = 0.005


def to_years(d: date | pd.Timestamp | np.datetime64) -> float:
    """Years since 2020-01-01."""
    day = pd.Timestamp(d).date()
    return (day - EPOCH).days / DAYS_PER_YEAR


def from_years(t: float) -> date:
    """The date `t` years after 2020-01-01."""
    return EPOCH + pd.Timedelta(days=round(float(t) * DAYS_PER_YEAR))


def _priority(provenance: str) -> int:
    if provenance in SERIES_PRIORITY:
        return SERIES_PRIORITY.index(provenance)
    return SERIES_PRIORITY.index("unspecified")


@dataclass(frozen=True)
class Frontier:
    """The best primary-series score known at the as-of date."""

    score: float
    date: date
    model: str


@dataclass(frozen=True)
class BenchmarkData:
    """Everything a model needs about one benchmark at one as-of date."""

    name: str
    floor: float
    released: float  # years since 2020-01-01
    as_of: date
    t: np.ndarray = field(repr=False)  # record times, years
    y: np.ndarray = field(repr=False)  # record normalised scores, clipped to [EPS, 1-EPS]
    series: np.ndarray = field(repr=False)  # index into series_names; 0 is the primary
    series_names: tuple[str, ...] = ()
    frontier: Frontier | None = None
    n_results: int = 0
    last_known: date | None = None  # latest known-at date among the results used
    primary_t: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)  # every primary result's time

    @property
    def record_times(self) -> np.ndarray:
        """Times of the primary series' records."""
        return self.t[self.series == 0]

    @property
    def record_staleness(self) -> float:
        """Years from the primary series' latest record to the as-of date (0 if none)."""
        rt = self.record_times
        return max(to_years(self.as_of) - float(rt.max()), 0.0) if rt.size else 0.0

    @property
    def staleness(self) -> float:
        """Years from the primary series' latest result to the as-of date (0 if none)."""
        if self.primary_t.size == 0:
            return 0.0
        return max(to_years(self.as_of) - float(self.primary_t.max()), 0.0)

    @property
    def n_records(self) -> int:
        return int(self.t.size)

    def normalise(self, score: float | np.ndarray) -> float | np.ndarray:
        return (np.asarray(score, dtype=float) - self.floor) / (100.0 - self.floor)

    def denormalise(self, y: float | np.ndarray) -> np.ndarray:
        return self.floor + (100.0 - self.floor) * np.asarray(y, dtype=float)


def known_results(results: pd.DataFrame, released: date | None, as_of: date) -> pd.DataFrame:
    """Rows of one benchmark usable at `as_of`: single-attempt settings, known by then."""
    rows = results[[is_single_attempt(c) for c in results["score_column"]]]
    known = rows["date"].dt.date
    if released is not None:
        known = known.map(lambda d: max(d, released))
    return rows[known <= as_of]


def records(rows: pd.DataFrame) -> pd.DataFrame:
    """The record-setting rows of one series, in date order (ties keep the best)."""
    rows = rows.sort_values(["date", "score"], ascending=[True, False], kind="stable")
    best = -np.inf
    keep = []
    for score in rows["score"].to_numpy():
        keep.append(score > best)
        best = max(best, score)
    return rows[np.array(keep, dtype=bool)]


def prepare(
    results: pd.DataFrame,
    info: BenchmarkInfo,
    as_of: date,
    *,
    released: date | None = None,
) -> BenchmarkData:
    """The record points of `info.name` known at `as_of`, per series, normalised.

    `results` may hold several benchmarks; only `info.name` is used. `released` overrides
    `info.released`; with neither, the first result's date stands in for the release.
    """
    if not 0.0 <= info.floor < 100.0:
        raise InvalidQuery(f"floor {info.floor:g} for {info.name} must be in [0, 100)")
    rows = results[results["benchmark"] == info.name]
    rel = released or info.released
    if rel is None:
        if rows.empty:
            raise InvalidQuery(f"{info.name} has no results and no release date; pass --released")
        rel = rows["date"].min().date()
    rows = known_results(rows, rel, as_of)
    counts = rows.groupby("provenance")["score"].size()
    names = sorted(counts.index, key=lambda p: (counts[p] < 3, _priority(p), -counts[p]))
    t, y, s = [], [], []
    frontier = None
    primary_t = np.zeros(0)
    for i, prov in enumerate(names):
        rec = records(rows[rows["provenance"] == prov])
        t.extend(to_years(d) for d in rec["date"])
        y.extend((rec["score"].to_numpy() - info.floor) / (100.0 - info.floor))
        s.extend([i] * len(rec))
        if i == 0:
            primary_t = np.sort([to_years(d) for d in rows.loc[rows["provenance"] == prov, "date"]])
            top = rec.iloc[-1]
            frontier = Frontier(float(top["score"]), top["date"].date(), str(top["model"]))
    return BenchmarkData(
        name=info.name,
        floor=info.floor,
        released=to_years(rel),
        as_of=as_of,
        t=np.asarray(t, dtype=float),
        y=np.clip(np.asarray(y, dtype=float), EPS, 1.0 - EPS),
        series=np.asarray(s, dtype=int),
        series_names=tuple(names),
        frontier=frontier,
        n_results=len(rows),
        last_known=max(max(d.date(), rel) for d in rows["date"]) if len(rows) else None,
        primary_t=np.asarray(primary_t, dtype=float),
    )
