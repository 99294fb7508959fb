"""A logarithmic pool of the model's leader probabilities and the recency baseline, and its weight.

The model (`forecast.rankings.forecast`) and the recency-weighted frequency
(`forecast.rankings.baselines.recency`) make different errors: the model is over-confident in
some cases, the recency rule is slow to see a new leader. The pooled forecast is the weighted
geometric mean of the two, renormalized (a logarithmic pool, Genest and Zidek 1986)::

    p_k  proportional to  max(p_model_k, f)^(1 - w) * p_recent_k^w

over the model's outcomes (its named entries plus ``"other"``); a baseline entry the model does
not name is added to ``"other"`` first, so both members share one outcome set. ``f = 1 / (2 D)``
for ``D`` simulated draws is the resolution of a frequency over draws: an entry no draw made
leader is "rarer than one in D", not impossible.

Why geometric, not linear (``(1 - w) p_model + w p_recent``, the rule of the previous release):
when both members agree that an entry is likely, the log pool keeps it sharp, where the linear
pool only averages; when one member calls an entry near-impossible, the other one's odds are
shrunk, not simply halved. On the backtest (docs/rankings.md) the log pool beat the linear one
in all six cells (grouping x horizon) with seed 0 and in five of six with seed 1 (-1.866 and
-1.867 against -1.907 and -1.906 over all questions), and beat every baseline in every cell.

The weight ``w`` maximizes the summed log score of the pool over backtest questions (the pooled,
renormalized probability of what happened) plus the log-density of a ``Beta(a, a)`` prior
(``a = PRIOR_STRENGTH``), on a grid of `GRID_SIZE` points: with few questions ``w`` stays near
0.5, with many the data decide. Only questions *resolved* (outcome date) on or before the as-of
date are used, per grouping (country / organization) and per horizon (3, 6, 12 months): a
forecast never learns its weight from an outcome it could not have seen. A forecast for a date
m months ahead uses the backtest horizon nearest m on a log scale (`Pool.horizon_for`).

The learned questions, with both members' whole distributions (the log pool's normalization
needs every entry, not only the outcome's), are saved as data (``priors/data/rankings_pool.json``,
written by ``benchcast rankings --backtest --save-pool PATH``), so the live forecast fits its
weight on the questions resolved by its own as-of date. Without that file `Pool.empty` gives
``w = 0.5``. numpy, and `priors` (inside the functions that read the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

import numpy as np

from forecast.rankings.simulate import OTHER

#: Beta(a, a) prior on w: a - 1 = 2 pseudo-questions' worth of pull towards 0.5 on each side.
PRIOR_STRENGTH = 3.0
GRID_SIZE = 401
DEFAULT_WEIGHT = 0.5
SHIPPED_FILE = "rankings_pool.json"
DAYS_PER_MONTH = 365.25 / 12
#: The questions with both members' distributions; weights are re-learned on load.
FORMAT = "benchcast-rankings-pool/2"
#: What the JSON's ``rule`` says.
RULE = "log pool: p ~ max(p_model, 1/(2 draws))^(1 - w) * p_recent^w, renormalized"


def draw_floor(n_draws: int) -> float:
    """``1 / (2 D)``, the resolution of a frequency over `n_draws` draws: what the pool (and the
    backtest's log score) gives an entry no draw chose; 0 without draws."""
    return 0.5 / n_draws if n_draws else 0.0


def _aligned(p_model: dict[str, float], p_recent: dict[str, float],
             floor: float) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The model's outcomes ("other" last) and both members' log-probabilities over them, the
    baseline's unnamed entries summed into "other"."""
    names = [k for k in p_model if k != OTHER] + [OTHER]
    recent = {k: 0.0 for k in names}
    for k, v in p_recent.items():
        recent[k if k in recent else OTHER] += v
    pm = np.array([p_model.get(k, 0.0) for k in names], dtype=float)
    pr = np.array([recent[k] for k in names], dtype=float)
    with np.errstate(divide="ignore"):
        return names, np.log(np.maximum(pm, floor)), np.log(pr)


def _normalized(logits: np.ndarray) -> np.ndarray:
    """Log-probabilities from unnormalized log-weights along the last axis (-inf stays -inf)."""
    top = np.max(logits, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return logits - top - np.log(np.sum(np.exp(logits - top), axis=-1, keepdims=True))


def combine(p_model: dict[str, float], p_recent: dict[str, float], w: float,
            floor: float = 0.0) -> dict[str, float]:
    """The log pool ``max(p_model, floor)^(1 - w) p_recent^w``, renormalized, over the model's
    outcomes (the baseline's other entries go to "other"); named entries by decreasing
    probability, "other" last."""
    if not 0.0 <= w <= 1.0:
        raise ValueError(f"pool weight {w} is outside 0-1")
    names, lm, lr = _aligned(p_model, p_recent, floor)
    with np.errstate(invalid="ignore"):
        logits = np.where(np.isneginf(lm) & (w == 1.0), 0.0, (1.0 - w) * lm) \
            + np.where(np.isneginf(lr) & (w == 0.0), 0.0, w * lr)
    p = np.exp(_normalized(logits))
    out = {k: float(v) for k, v in zip(names[:-1], p[:-1])}
    named = dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))
    return {**named, OTHER: float(p[-1])}


@dataclass(frozen=True)
class PoolQuestion:
    """One scored backtest question: both members' distributions, the floor of the model's
    frequencies, and what happened."""

    by: str
    as_of: date
    horizon: int
    resolved: date
    actual: str
    p_model: dict[str, float]
    p_recent: dict[str, float]
    floor: float

    def log_members(self) -> tuple[np.ndarray, np.ndarray, int]:
        """Both members' log-probabilities over the model's outcomes, and the outcome's index."""
        names, lm, lr = _aligned(self.p_model, self.p_recent, self.floor)
        return lm, lr, names.index(self.actual if self.actual in names else OTHER)

    def to_dict(self) -> dict[str, object]:
        return {"by": self.by, "as_of": self.as_of.isoformat(), "horizon": self.horizon,
                "resolved": self.resolved.isoformat(), "actual": self.actual,
                "p_model": dict(self.p_model), "p_recent": dict(self.p_recent), "floor": self.floor}


def pooled_log_scores(questions: Sequence[PoolQuestion], grid: np.ndarray) -> np.ndarray:
    """Summed log score of the pool at each weight of `grid` over `questions`."""
    total = np.zeros(grid.size)
    for q in questions:
        lm, lr, k = q.log_members()
        logits = (1.0 - grid)[:, None] * lm[None, :] + grid[:, None] * lr[None, :]
        total += _normalized(logits)[:, k]
    return total


def fit_weight(questions: Sequence[PoolQuestion], prior_strength: float = PRIOR_STRENGTH) -> float:
    """The pool weight maximizing the questions' summed log score of the log pool plus
    ``log Beta(w; a, a)``, on a grid; 0.5 with no question."""
    grid = np.linspace(0.0, 1.0, GRID_SIZE)
    with np.errstate(divide="ignore"):
        ll = pooled_log_scores(questions, grid) + (prior_strength - 1.0) * np.log(grid * (1.0 - grid))
    return float(grid[int(np.argmax(ll))])


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
        return fit_weight(qs), len(qs)

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
        return {"format": FORMAT, "rule": RULE, "provenance": self.provenance,
                "prior_strength": PRIOR_STRENGTH, "weights": per_h,
                "weights_all_horizons_not_used": overall,
                "questions": [q.to_dict() for q in self.questions]}


def _probabilities(obj: object, what: str) -> dict[str, float]:
    if not isinstance(obj, dict) or not obj:
        raise ValueError(f"{what} is not a non-empty object of probabilities")
    return {str(k): float(v) for k, v in obj.items()}


def pool_from_dict(obj: dict, source: str) -> Pool:
    """A `Pool` from its JSON form (`Pool.to_dict`); ValueError naming a bad file."""
    if isinstance(obj, dict) and obj.get("format") == "benchcast-rankings-pool/1":
        raise ValueError(f"format 1 is the previous release's linear pool, which kept only the outcomes' "
                         f"probabilities; the log pool needs {FORMAT}")
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ValueError(f"format {FORMAT!r} expected")
    qs = tuple(PoolQuestion(q["by"], date.fromisoformat(q["as_of"]), int(q["horizon"]),
                            date.fromisoformat(q["resolved"]), str(q["actual"]),
                            _probabilities(q["p_model"], "p_model"), _probabilities(q["p_recent"], "p_recent"),
                            float(q["floor"]))
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
