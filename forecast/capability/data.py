"""From results to the capability model's matrix: models x items, as known at a date.

Definitions
-----------
item
    One benchmark's *series*: its results of one provenance (``GPQA Diamond [epoch_run]``,
    ``MMLU [self_reported]``). Independent and self-reported numbers of one benchmark differ
    by several points, so each series is its own item with its own difficulty and slope.
setting
    Only single-attempt settings count (`priors.history.is_single_attempt`: no cons@64, pass@k
    > 1 or parallel compute). Effort and thinking-budget variants of a model (``_high``,
    ``_32K``) are one model (`priors.models`); its score on an item is its best over them.
normalised score
    ``y = (score - floor) / (100 - floor)`` with the benchmark's random-chance floor.
known-at
    ``max(model release, benchmark release)``: `as_of` keeps results known by then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast.errors import NotEnoughData
from forecast.series import to_years
from priors.history import BenchmarkInfo, is_single_attempt
from priors.models import ModelResolver

#: An item needs this many models to place a difficulty and a slope.
MIN_MODELS_PER_ITEM = 3


def item_name(benchmark: str, provenance: str) -> str:
    """The label of one benchmark series: ``GPQA Diamond [epoch_run]``."""
    return f"{benchmark} [{provenance}]"


@dataclass(frozen=True)
class ItemData:
    """The observed matrix, long form: observation k is model ``model_idx[k]`` on item
    ``item_idx[k]`` with normalised score ``y[k]``."""

    models: tuple[str, ...]
    model_dates: np.ndarray = field(repr=False)  # years since 2020, earliest release of each model
    items: tuple[str, ...] = ()
    item_benchmark: tuple[str, ...] = ()
    item_series: tuple[str, ...] = ()
    item_floor: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    model_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int), repr=False)
    item_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int), repr=False)
    y: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    as_of: date | None = None
    resolver: ModelResolver | None = field(default=None, repr=False)

    @property
    def series(self) -> tuple[str, ...]:
        """The provenances among the items, sorted; each has its own noise."""
        return tuple(sorted(set(self.item_series)))

    @property
    def series_idx(self) -> np.ndarray:
        """Index into `series` of each item."""
        names = self.series
        return np.array([names.index(s) for s in self.item_series], dtype=int)

    @property
    def n_obs(self) -> int:
        return int(self.y.size)

    def items_per_model(self) -> np.ndarray:
        """How many items each model was scored on."""
        return np.bincount(self.model_idx, minlength=len(self.models))


def known_rows(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date | None) -> pd.DataFrame:
    """Single-attempt rows of benchmarks with a known floor, known by `as_of` (all if None)."""
    rows = results[[is_single_attempt(c) for c in results["score_column"]]]
    rows = rows[rows["benchmark"].isin(list(meta))]
    if as_of is None:
        return rows
    released = rows["benchmark"].map(lambda b: meta[b].released)
    known = [max(d.date(), r) if r is not None else d.date() for d, r in zip(rows["date"], released)]
    return rows[np.array([k <= as_of for k in known], dtype=bool)]


def prepare_items(results: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date | None = None,
                  *, resolver: ModelResolver | None = None) -> ItemData:
    """The model x item matrix of `results` known at `as_of`.

    Parameters
    ----------
    results
        A frame read by `priors.history.read_results` (any number of benchmarks).
    meta
        Floors and release dates; benchmarks without an entry are left out.
    as_of
        Keep only results known by then; None keeps all.
    resolver
        Model-name resolver; by default one built from the kept rows themselves.

    Raises
    ------
    NotEnoughData
        when fewer than two items or ten models remain.
    """
    rows = known_rows(results, meta, as_of)
    pairs = list(zip(rows["model"].astype(str), rows["date"]))
    resolver = ModelResolver.from_names(pairs) if resolver is None else resolver
    rows = rows.assign(
        key=[resolver.key(n, d) for n, d in pairs],
        item=[item_name(b, p) for b, p in zip(rows["benchmark"], rows["provenance"])],
        y=[(s - meta[b].floor) / (100.0 - meta[b].floor) for s, b in zip(rows["score"], rows["benchmark"])],
    )
    best = rows.groupby(["key", "item"], sort=True).agg(y=("y", "max"), benchmark=("benchmark", "first"),
                                                        series=("provenance", "first")).reset_index()
    counts = best.groupby("item")["key"].nunique()
    best = best[best["item"].isin(counts[counts >= MIN_MODELS_PER_ITEM].index)]
    if best["item"].nunique() < 2 or best["key"].nunique() < 10:
        raise NotEnoughData(
            f"{best['item'].nunique()} benchmark series and {best['key'].nunique()} models known by {as_of}:"
            " the capability index needs at least 2 series and 10 models"
        )
    models = tuple(sorted(best["key"].unique()))
    items_tab = best.drop_duplicates("item").sort_values("item")
    first_date = rows.groupby("key")["date"].min()
    m_index = {m: i for i, m in enumerate(models)}
    i_index = {it: i for i, it in enumerate(items_tab["item"])}
    return ItemData(
        models=models,
        model_dates=np.array([to_years(first_date[m]) for m in models]),
        items=tuple(items_tab["item"]),
        item_benchmark=tuple(items_tab["benchmark"]),
        item_series=tuple(items_tab["series"]),
        item_floor=np.array([meta[b].floor for b in items_tab["benchmark"]]),
        model_idx=best["key"].map(m_index).to_numpy(dtype=int),
        item_idx=best["item"].map(i_index).to_numpy(dtype=int),
        y=best["y"].to_numpy(dtype=float),
        as_of=as_of,
        resolver=resolver,
    )
