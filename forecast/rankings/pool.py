"""A linear pool of the model's leader probabilities and the recency baseline, and its weight.

The model (`forecast.rankings.forecast`) and the recency-weighted frequency
(`forecast.rankings.baselines.recency`) make different errors: the model is over-confident in
some cases, the recency rule is slow to see a new leader. The pooled forecast is

    p = (1 - w) p_model + w p_recent

over the model's outcomes (its named entries plus ``"other"``); a baseline entry the model does
not name is added to ``"other"``, so the pool sums to 1 when both members do.

The weight ``w`` maximizes the summed log score of the pool over backtest questions plus the
log-density of a ``Beta(a, a)`` prior (``a = PRIOR_STRENGTH``), on a grid of `GRID_SIZE` points:
with few questions ``w`` stays near 0.5, with many the data decide. Only questions *resolved*
(outcome date) on or before the as-of date are used, per grouping (country / organization) and
per horizon (3, 6, 12 months): a forecast never learns its weight from an outcome it could not
have seen. A weight per horizon because the model's edge over the baseline changes with the
horizon (its leader odds are sharpest at 3 months, the baseline's long-run frequencies catch up
at 12); a forecast for a date m months ahead uses the backtest horizon nearest m on a log scale
(`Pool.horizon_for`). In the backtest of the model of this release, one weight per horizon
scored better than one per grouping in five of six cells and the same in the sixth
(docs/rankings.md).

The learned questions are saved as data (``priors/data/rankings_pool.json``, written by
``benchcast rankings --backtest --save-pool PATH``), so the live forecast fits its weight on the
questions resolved by its own as-of date. Without that file `Pool.empty` gives ``w = 0.5``.
numpy, and `priors` (inside the functions that read the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

import numpy as np

from forecast.rankings.simulate import OTHER

#: Beta(a, a) prior on w: a - 1 = 2 pseudo-questions' worth of pull towards 0.5 on each side.
PRIOR_STRENGTH = 3.0
GRID_SIZE = 401
DEFAULT_WEIGHT = 0.5
SHIPPED_FILE = "rankings_pool.json"
DAYS_PER_MONTH = 365.25 / 12
FORMAT = "benchcast-rankings-pool/1"  # the questions; weights are re-learned on load


def combine(p_model: dict[str, float], p_recent: dict[str, float], w: float) -> dict[str, float]:
    """``(1 - w) p_model + w p_recent`` over the model's outcomes (the baseline's other entries go
    to "other"); named entries by decreasing probability, "other" last."""
    if not 0.0 <= w <= 1.0:
        raise ValueError(f"pool weight {w} is outside 0-1")
    out = {k: (1.0 - w) * v for k, v in p_model.items() if k != OTHER}
    rest = (1.0 - w) * p_model.get(OTHER, 0.0)
    for k, v in p_recent.items():
        if k in out:
            out[k] += w * v
        else:
            rest += w * v
    named = dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))
    return {**named, OTHER: rest}


def fit_weight(p_model: Iterable[float], p_recent: Iterable[float],
               prior_strength: float = PRIOR_STRENGTH) -> float:
    """The pool weight maximizing ``sum log((1 - w) p_model + w p_recent) + log Beta(w; a, a)``
    on a grid, given each question's probabilities of what happened; 0.5 with no question."""
    pm, pr = np.asarray(list(p_model), float), np.asarray(list(p_recent), float)
    if pm.shape != pr.shape:
        raise ValueError(f"{pm.size} model probabilities but {pr.size} baseline probabilities")
    grid = np.linspace(0.0, 1.0, GRID_SIZE)
    with np.errstate(divide="ignore"):
        ll = np.log((1.0 - grid)[:, None] * pm[None, :] + grid[:, None] * pr[None, :]).sum(axis=1)
        ll = ll + (prior_strength - 1.0) * np.log(grid * (1.0 - grid))
    return float(grid[int(np.argmax(ll))])


@dataclass(frozen=True)
class PoolQuestion:
    """One scored backtest question: what the model and the recency baseline gave the outcome."""

    by: str
    as_of: date
    horizon: int
    resolved: date
    p_model: float
    p_recent: float

    def to_dict(self) -> dict[str, object]:
        return {"by": self.by, "as_of": self.as_of.isoformat(), "horizon": self.horizon,
                "resolved": self.resolved.isoformat(), "p_model": self.p_model,
                "p_recent": self.p_recent}


@dataclass(frozen=True)
class Pool:
    """Backtest questions the pool weight is learned from, and where they came from."""

    questions: tuple[PoolQuestion, ...]
    provenance: dict[str, object] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def empty(cls, source: str) -> "Pool":
        """No questions: every weight is the prior's 0.5."""
        return cls((), {}, source)

    def horizon_for(self, by: str, months: float) -> int | None:
        """The backtest horizon (months) of grouping `by` nearest `months` on a log scale (the
        shorter on a tie); None when the pool has no question of that grouping."""
        hs = sorted({q.horizon for q in self.questions if q.by == by})
        if not hs:
            return None
        m = max(float(months), 1e-3)
        return min(hs, key=lambda h: abs(np.log(m / h)))

    def usable(self, by: str, as_of: date, horizon: int | None = None) -> list[PoolQuestion]:
        """Questions of grouping `by` (and `horizon`, when given) resolved on or before `as_of`."""
        return [q for q in self.questions if q.by == by and q.resolved <= as_of
                and (horizon is None or q.horizon == horizon)]

    def weight(self, by: str, as_of: date, horizon: int | None = None) -> tuple[float, int]:
        """The pool weight at `as_of` for grouping `by` and the number of questions it rests on."""
        qs = self.usable(by, as_of, horizon)
        return fit_weight([q.p_model for q in qs], [q.p_recent for q in qs]), len(qs)

    def weight_at(self, by: str, as_of: date, target: date) -> tuple[float, int, int | None]:
        """The pool weight of a forecast made at `as_of` for `target`: the weight of the nearest
        backtest horizon (`horizon_for`), the number of questions it rests on, and that horizon."""
        h = self.horizon_for(by, (target - as_of).days / DAYS_PER_MONTH)
        w, n = self.weight(by, as_of, h)
        return w, n, h

    def to_dict(self, last: date) -> dict[str, object]:
        """The JSON file: provenance, the weights learned from every question resolved by `last`
        (per grouping and horizon: used; per grouping over all horizons: for information), and
        the questions."""
        bys = sorted({q.by for q in self.questions})
        hs = sorted({q.horizon for q in self.questions})
        per_h = {f"{by}/{h}": dict(zip(("weight", "n"), self.weight(by, last, h))) for by in bys for h in hs}
        overall = {by: dict(zip(("weight", "n"), self.weight(by, last))) for by in bys}
        return {"format": FORMAT, "provenance": self.provenance, "prior_strength": PRIOR_STRENGTH,
                "weights": per_h, "weights_all_horizons_not_used": overall,
                "questions": [q.to_dict() for q in self.questions]}


def pool_from_dict(obj: dict, source: str) -> Pool:
    """A `Pool` from its JSON form (`Pool.to_dict`); ValueError naming a bad file."""
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ValueError(f"{source}: not a rankings pool file (format {FORMAT!r} expected)")
    qs = tuple(PoolQuestion(q["by"], date.fromisoformat(q["as_of"]), int(q["horizon"]),
                            date.fromisoformat(q["resolved"]), float(q["p_model"]), float(q["p_recent"]))
               for q in obj["questions"])
    return Pool(qs, dict(obj.get("provenance", {})), source)


def shipped_pool_path() -> Path:
    """Where the shipped pool file lives (``priors/data/rankings_pool.json``)."""
    from priors.history import data_path

    return Path(data_path(SHIPPED_FILE))


def load_pool(path: str | Path | None = None) -> Pool:
    """The pool file at `path`; without a path the shipped one, or `Pool.empty` (w = 0.5) with a
    note when none is shipped. A missing or bad file named explicitly is one `PriorFileError` line."""
    from priors.errors import PriorFileError
    from priors.jsonfile import read_json

    source = str(path)
    if path is None:
        path, source = shipped_pool_path(), f"priors/data/{SHIPPED_FILE}"
        if not path.is_file():
            return Pool.empty(f"default w = {DEFAULT_WEIGHT}: no pool file at {path}")
    how = "benchcast rankings --backtest --save-pool PATH"
    obj = read_json(Path(path), what="rankings pool file", how_to_make=how)
    try:
        return pool_from_dict(obj, source)
    except (KeyError, TypeError, ValueError) as exc:
        raise PriorFileError(f"{path}: not a rankings pool file ({exc}); run `{how}`") from None
