"""`Forecast`: what a query returns. Frontier paths of one benchmark, read as quantiles by
date, threshold probabilities, crossing dates and the `benchcast forecast --json` object.

Paths come from any method (see `forecast.members`): the saturation model's `Paths`, or
`SampledPaths` for the reference model and the ensemble. Both give ``n``,
``frontier_at(t)``, ``crossing_times(level, until)`` and ``probability_by(level, t)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from forecast.errors import InvalidQuery
from forecast.sampling import Diagnostics
from forecast.series import BenchmarkData, Frontier, from_years, to_years

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
CROSSING_QUANTILES = (0.1, 0.5, 0.9)
HORIZON_YEARS = 10.0
#: Resolution of crossing dates read off sampled paths, years (one week).
GRID_STEP = 7 / 365.25


def parse_date(value: Any, what: str = "date") -> date:
    """A date from an ISO string or date-like; InvalidQuery naming the value otherwise."""
    if hasattr(value, "date") and callable(value.date):  # pandas Timestamp, datetime
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidQuery(f"{what} {value!r} is not a date like 2027-12-31") from None


def parse_as_of(value: Any, what: str = "as-of date", *, today: date | None = None) -> date:
    """An as-of date (as `parse_date` reads it) no later than `today` (default: the system
    date): it says which results were known, and after today it would silently mean "all of
    them" while the forecast counted from a day that has not come."""
    day = parse_date(value, what)
    today = today or date.today()
    if day > today:
        raise InvalidQuery(f"{what} {day} is after today ({today}): it picks the results known on that "
                           "day; leave it out to use everything known today")
    return day


class FrontierPaths(Protocol):
    n: int
    f_now: float  # today's frontier, normalised

    def frontier_at(self, t: np.ndarray) -> np.ndarray: ...

    def crossing_times(self, level: float, until: float | None = None) -> np.ndarray: ...

    def probability_by(self, level: float, t: float) -> float: ...


@dataclass(frozen=True)
class SampledPaths:
    """Paths drawn by a member or the ensemble: `draw(times)` gives (n, len(times)), the same
    paths at any set of times (the path contract of `forecast.members`)."""

    draw: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    n: int
    t0: float
    f_now: float

    def frontier_at(self, t: np.ndarray) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        order = np.argsort(t, kind="stable")
        out = np.empty((self.n, t.size))
        out[:, order] = self.draw(t[order])
        return out

    def crossing_times(self, level: float, until: float | None = None) -> np.ndarray:
        if self.f_now >= level:
            return np.full(self.n, self.t0)
        end = self.t0 + HORIZON_YEARS if until is None else until
        grid = self.t0 + GRID_STEP * np.arange(1, int(np.ceil((end - self.t0) / GRID_STEP)) + 1)
        hit = self.draw(grid) >= level
        return np.where(hit.any(axis=1), grid[np.argmax(hit, axis=1)], np.inf)

    def probability_by(self, level: float, t: float) -> float:
        if self.f_now >= level:
            return 1.0
        return float(np.mean(self.frontier_at(np.array([t]))[:, 0] >= level))


@dataclass(frozen=True)
class Forecast:
    """Frontier timelines of one benchmark from one method. Scores are in percent."""

    benchmark: str
    as_of: date
    floor: float
    data: BenchmarkData = field(repr=False)
    paths: FrontierPaths = field(repr=False)
    diagnostics: Diagnostics | None
    prior_cutoff: date | None
    notes: tuple[str, ...] = ()
    method: str = "saturation"
    weights: dict[str, Any] | None = None
    theta: np.ndarray | None = field(default=None, repr=False)
    #: For the ensemble: each member's own paths (the draws it mixes), by member name.
    members: dict[str, FrontierPaths] = field(default_factory=dict, repr=False)

    def member(self, name: str) -> Forecast:
        """The forecast of one ensemble member alone (the paths the ensemble mixed)."""
        if name not in self.members:
            raise InvalidQuery(f"{name!r} is not a member of this forecast; members: {', '.join(self.members) or 'none'}")
        return replace(self, paths=self.members[name], method=name, weights=None, members={})

    @property
    def frontier(self) -> Frontier | None:
        return self.data.frontier

    def _t(self, when: str | date, what: str = "date") -> float:
        day = parse_date(when, what)
        if day < self.as_of:
            raise InvalidQuery(f"{what} {day} is before the as-of date {self.as_of}; forecasts look forward "
                               "(forecast from an earlier as-of date instead)")
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

    def record_stands(self, when: str | date) -> float | None:
        """P(no new record by `when`): the share of paths still at today's frontier (None when
        nothing is known yet). The activity model's "nobody reports a result" is part of it."""
        if self.frontier is None:
            return None
        x = self.paths.frontier_at(np.array([self._t(when)]))[:, 0]
        return float(np.mean(x <= self.paths.f_now + 1e-9))

    def probability(self, threshold: float, by: str | date) -> float:
        """P(frontier >= threshold on or before `by`)."""
        return self.paths.probability_by(self._level(threshold), self._t(by, "by date"))

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
            "method": self.method,
            "frontier": {"score": f.score, "date": f.date.isoformat(), "model": f.model} if f else None,
            "at": [],
            "thresholds": [],
            "crossing": [],
            "diagnostics": self.diagnostics.as_dict() if self.diagnostics else None,
        }
        if self.weights is not None:
            out["weights"] = self.weights
        if self.members:
            out["members"] = {}
            for name in self.members:
                alone = self.member(name).to_json(at, thresholds, [])
                out["members"][name] = {"at": alone["at"], "thresholds": alone["thresholds"]}
        for d in at:
            qs = self.quantiles(d)
            stands = self.record_stands(d)
            out["at"].append({"date": d.isoformat(), "mean": round(self.mean(d), 3),
                              "quantiles": {str(q): round(v, 3) for q, v in qs.items()},
                              "p_record_stands": None if stands is None else round(stands, 4)})
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
