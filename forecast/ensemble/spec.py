"""The ensemble as data: member names, stacking weights by horizon band, a recalibration map
and their provenance, saved as JSON (``priors/data/ensemble.json`` ships the default one,
written by ``benchcast backtest --held-out --save-weights``).

Weights at an as-of date (`EnsembleSpec.at`): the time-respecting weights of the latest month
on or before it (`forecast.ensemble.online`: exponential weights on the members' CRPS over the
forecasts resolved by then), else the stacked bands. A benchmark of the held-out backtest is
combined by its fold's cross-fitted spec (`for_benchmark`); `weights_report` says which weights
each spec used at each cut-off (what the backtests report).

Recalibration: none, the empirical PIT map or the beta transform of the pooled CDF
(`forecast.ensemble.recalibration`), whichever the held-out backtest favours.

Combining: each path draws one uniform ``u``; at a target h months ahead it takes the member
whose cumulative weight (in h's band) first passes ``u``. Each date's draws are then re-paired
comonotonically (ranked by the path's mean rank over the dates: members and bands never make
a path jump), recalibrated rank by rank, and the running maximum keeps the path a frontier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from forecast.ensemble.recalibration import Recalibration
from forecast.errors import InvalidQuery
from forecast.members import as_paths
from priors.errors import PriorFileError
from priors.history import data_path
from priors.jsonfile import read_json, write_json

SHIPPED_FILE = "ensemble.json"
FORMAT = "benchcast-ensemble/1"


@dataclass(frozen=True)
class Band:
    """Weights for horizons up to `max_months` (the last band: any longer horizon)."""

    max_months: float
    weights: tuple[float, ...]


@dataclass(frozen=True)
class EnsembleSpec:
    members: tuple[str, ...]
    bands: tuple[Band, ...]
    recalibration: Recalibration = field(default_factory=Recalibration.identity)
    provenance: dict[str, Any] = field(default_factory=dict)
    folds: dict[str, Any] = field(default_factory=dict)  # per-fold cross-fit specs, as JSON
    #: Time-respecting weights (`forecast.ensemble.online`): as-of month (ISO date) ->
    #: {"weights": [...], "resolved": n}; `at` picks the latest month on or before the as-of date.
    online: dict[str, Any] = field(default_factory=dict)
    online_as_of: str | None = None  # the month whose online weights `bands` hold (set by `at`)

    def at(self, as_of: date) -> EnsembleSpec:
        """The spec as used at `as_of`: one band holding the online weights of the latest month
        on or before `as_of` (the stacked bands when none has enough resolved forecasts)."""
        months = [m for m in self.online if date.fromisoformat(m) <= as_of]
        if not months:
            return self
        month = max(months, key=date.fromisoformat)
        w = tuple(float(x) for x in self.online[month]["weights"])
        return replace(self, bands=(Band(float("inf"), w),), online_as_of=month)

    def used_at(self, as_of: date) -> dict[str, Any]:
        """What `at(as_of)` combines with: ``{"online_as_of": month or None, "resolved": n or
        None, "bands": [...]}`` (the bands as in `describe`; None: the stacked bands)."""
        used = self.at(as_of)
        month = used.online_as_of
        return {"online_as_of": month, "resolved": int(self.online[month]["resolved"]) if month else None,
                "bands": used.describe()["bands"]}

    def fold_specs(self) -> dict[int, EnsembleSpec]:
        """The cross-fitted per-fold specs (`folds["specs"]`), by fold index (as in
        `folds["assignment"]`); empty when the spec has none."""
        specs = self.folds.get("specs") or {}
        return {int(k): EnsembleSpec.from_json(v, f"fold {k} of the ensemble") for k, v in specs.items()}

    def for_benchmark(self, name: str) -> EnsembleSpec:
        """The spec that combines `name`: its fold's (cross-fitted without that fold's held-out
        forecasts, `folds["assignment"]`), or this one for a benchmark without a fold."""
        fold = self.folds.get("assignment", {}).get(name)
        return self if fold is None else EnsembleSpec.from_json(self.folds["specs"][str(fold)], f"fold {fold} of the ensemble")

    def weights_report(self, cutoffs: Iterable[date], benchmarks: Iterable[str] | None = None) -> dict[str, list[dict]]:
        """Per cut-off (ISO date), the weights each spec that combined a benchmark used there
        (`used_at`): a row ``{"fold": k + 1, ...}`` per fold spec (fold k of `fold_specs`,
        counted from 1 as the backtest's progress and text output do) of a benchmark in
        `benchmarks`, and ``{"fold": "all", ...}`` for this spec itself if one of them has no
        fold. Without `benchmarks`: every fold spec, or this spec when it has none."""
        folds = self.fold_specs()
        assigned = self.folds.get("assignment", {})
        if benchmarks is None:
            used, overall = set(folds), not folds
        else:
            names = set(benchmarks)
            used = {assigned[b] for b in names if b in assigned}
            overall = any(b not in assigned for b in names)
        specs: list[tuple[int | str, EnsembleSpec]] = [(k + 1, folds[k]) for k in sorted(used)]
        specs += [("all", self)] if overall else []
        return {c.isoformat(): [{"fold": k, **v.used_at(c)} for k, v in specs] for c in sorted(cutoffs)}

    def weights_at(self, months: float) -> np.ndarray:
        for band in self.bands:
            if months <= band.max_months:
                return np.asarray(band.weights, dtype=float)
        return np.asarray(self.bands[-1].weights, dtype=float)

    def combine(self, paths: dict[str, np.ndarray], months: np.ndarray, rng: np.random.Generator,
                now: float) -> np.ndarray:
        """The ensemble's paths from each member's paths (n, K) at horizons `months` (K).

        A member missing from `paths` (it could not be fitted, e.g. too little history at an
        early cut-off) gives its weight to the others in proportion."""
        present = [m for m in self.members if m in paths]
        if not present:
            raise InvalidQuery(f"the ensemble needs at least one of the members {', '.join(self.members)}")
        keep = np.array([m in paths for m in self.members])
        n = paths[present[0]].shape[0]
        u, tiebreak = rng.uniform(size=n), rng.uniform(size=n)
        stacked = np.stack([paths[m] for m in present])  # (M, n, K)
        out = np.empty(stacked.shape[1:])
        for k, h in enumerate(np.atleast_1d(months)):
            w = self.weights_at(float(h))[keep]
            cum = np.cumsum(w) if w.sum() > 0 else np.cumsum(np.ones_like(w))
            pick = np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(present) - 1)
            out[:, k] = stacked[pick, np.arange(n), k]
        # Comonotone paths: each date's mixture draws, ranked by the path's mean rank over the
        # dates, so a path does not jump between members (and quantiles agree with crossings).
        score = np.argsort(np.argsort(out, axis=0), axis=0).mean(axis=1)
        order = np.lexsort((tiebreak, score))
        out[order] = np.sort(out, axis=0)
        return as_paths(self.recalibration.apply(out, tiebreak), now)

    def describe(self) -> dict[str, Any]:
        """The `weights` object of `benchcast forecast --json`."""
        return {"members": list(self.members),
                "bands": [{"max_months": b.max_months if np.isfinite(b.max_months) else None,
                           "weights": dict(zip(self.members, [round(w, 4) for w in b.weights]))}
                          for b in self.bands],
                "online_as_of": self.online_as_of,
                "recalibrated": not self.recalibration.is_identity,
                "recalibration": self._recalibration_json()}

    def _recalibration_json(self) -> dict[str, Any]:
        r = self.recalibration
        return {"kind": r.kind, **({"a": round(r.beta[0], 4), "b": round(r.beta[1], 4)} if r.beta else {})}

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "members": list(self.members),
                "bands": [{"max_months": b.max_months if np.isfinite(b.max_months) else None,
                           "weights": [round(w, 6) for w in b.weights]} for b in self.bands],
                "recalibration": self.recalibration.as_list(),
                "recalibration_beta": list(self.recalibration.beta) if self.recalibration.beta else None,
                "provenance": self.provenance,
                "folds": self.folds,
                "online": self.online}

    @classmethod
    def from_json(cls, obj: dict[str, Any], label: str = "ensemble") -> EnsembleSpec:
        try:
            if obj.get("format") != FORMAT:
                raise ValueError(f"format {obj.get('format')!r}, expected {FORMAT}")
            members = tuple(obj["members"])
            bands = tuple(Band(float("inf") if b["max_months"] is None else float(b["max_months"]),
                               tuple(float(w) for w in b["weights"])) for b in obj["bands"])
            if not bands or any(len(b.weights) != len(members) for b in bands):
                raise ValueError("every band needs one weight per member")
            ab = obj.get("recalibration_beta")
            recal = (Recalibration.from_beta(*map(float, ab)) if ab else
                     Recalibration(np.asarray(obj["recalibration"], dtype=float)))
            online = dict(obj.get("online") or {})
            for month, row in online.items():
                date.fromisoformat(month)
                if len(row["weights"]) != len(members):
                    raise ValueError(f"online weights of {month} need one weight per member")
            return cls(members, bands, recal,
                       dict(obj.get("provenance", {})), dict(obj.get("folds", {})), online)
        except (KeyError, TypeError, ValueError) as exc:
            raise PriorFileError(f"{label}: not a benchcast ensemble ({exc})") from None

    def save(self, path: Path) -> Path:
        return write_json(path, self.to_json())


def load_ensemble(path: Path | None = None) -> EnsembleSpec:
    """Read an ensemble spec (default: the one shipped with the package)."""
    path = Path(path) if path is not None else data_path(SHIPPED_FILE)
    obj = read_json(path, what="ensemble weights", how_to_make="benchcast backtest --held-out --save-weights")
    return EnsembleSpec.from_json(obj, str(path))
