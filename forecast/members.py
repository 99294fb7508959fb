"""The member interface: every forecasting method, seen from the ensemble.

A *method member* gives samples of a benchmark's normalised frontier
``F = (score - floor) / (100 - floor)`` (a running maximum, never below today's frontier) at
target dates, from what is known at the as-of date.

Work shared by many benchmarks at one (as-of date, fold) is done once::

    fitted = member.prepare(train, meta, as_of)        # e.g. a population prior, a regression
    paths = fitted.predict(ctx, targets, n, rng)         # per benchmark, shape (n, len(targets))

`train` is the results table of every *other* benchmark known at ``as_of`` (the held-out
benchmark removed); `ctx` carries the benchmark's own known results.

Path contract: the columns of one row are one path, non-decreasing in time when `targets` is
sorted, and ``>= ctx.now``. The randomness of a path is drawn before looking at `targets`,
so the same `rng` state gives the same paths at any set of targets (crossing dates and
quantiles at single dates agree).

The registry maps names to members: ``saturation``, ``reference``, ``trend`` and
``capability`` (when `forecast.capability.forecast` is importable).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery
from forecast.series import BenchmarkData, to_years
from priors.history import BenchmarkInfo

Targets = Sequence[date] | np.ndarray


@dataclass(frozen=True)
class MemberContext:
    """What is known about one benchmark at the as-of date.

    `results` holds the primary series, single-attempt results known at `as_of`, with
    columns ``date, score, model, y`` (``y`` normalised). `train` is every other benchmark's
    results known at `as_of` (the read_results columns). `data` is the prepared record data
    of every series (the saturation model uses the non-primary series with an offset).
    `ceiling`, when the caller knows it, replaces the ceiling the members would draw.
    """

    benchmark: str
    floor: float
    released: date
    as_of: date
    results: pd.DataFrame = field(repr=False)
    train: pd.DataFrame = field(repr=False)
    meta: dict[str, BenchmarkInfo] = field(repr=False)
    data: BenchmarkData | None = field(default=None, repr=False)
    ceiling: float | None = None  # a known normalised ceiling (the caller's), else members learn one

    @property
    def now(self) -> float:
        """Today's normalised frontier (0 when nothing is known)."""
        return float(max(self.results["y"].max(), 0.0)) if len(self.results) else 0.0

    @property
    def t0(self) -> float:
        return to_years(self.as_of)

    def normalise(self, score: float | np.ndarray) -> np.ndarray:
        return (np.asarray(score, dtype=float) - self.floor) / (100.0 - self.floor)


@runtime_checkable
class FittedMember(Protocol):
    """A member fitted at one (as-of date, fold)."""

    def predict(self, ctx: MemberContext, targets: Targets, n: int,
                rng: np.random.Generator) -> np.ndarray: ...


@runtime_checkable
class Member(Protocol):
    """A forecasting method: a name and a `prepare` step."""

    name: str

    def prepare(self, train: pd.DataFrame, meta: dict[str, BenchmarkInfo],
                as_of: date) -> FittedMember: ...


def target_years(targets: Targets) -> np.ndarray:
    """Targets as years since 2020 (dates, or floats already in years)."""
    arr = np.asarray(targets)
    if arr.dtype.kind == "f":
        return arr.astype(float)
    return np.array([to_years(d) for d in targets], dtype=float)


def as_paths(samples: np.ndarray, now: float) -> np.ndarray:
    """Enforce the path contract: at least `now`, non-decreasing along each row."""
    return np.maximum.accumulate(np.maximum(np.asarray(samples, dtype=float), now), axis=1)


@dataclass(frozen=True)
class CapabilityMember:
    """The two-step capability forecaster (`forecast.capability.forecast.fit_for_members`)."""

    seed: int = 0
    name: str = "capability"

    def prepare(self, train: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date) -> FittedMember:
        module = importlib.import_module("forecast.capability.forecast")
        return module.fit_for_members(train, meta, as_of, seed=self.seed)


#: name -> (module that must import, module of the factory, factory)
_REGISTRY: dict[str, tuple[str, str, str]] = {
    "saturation": ("forecast.saturation.model", "forecast.saturation_member", "SaturationMember"),
    "reference": ("forecast.reference", "forecast.reference.member", "ReferenceMember"),
    "trend": ("forecast.reference", "forecast.reference.trend", "TrendMember"),
    "capability": ("forecast.capability.forecast", "forecast.members", "CapabilityMember"),
}


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def available() -> tuple[str, ...]:
    """Names of the members that can be built here (capability only once it is installed)."""
    return tuple(name for name, (need, _, _) in _REGISTRY.items() if _importable(need))


def get_member(name: str, **options: Any) -> Member:
    """The member called `name`, built with `options` (e.g. sampler settings, seed)."""
    if name not in available():
        raise InvalidQuery(f"method {name!r} is not one of {', '.join(available())}")
    _, module, factory = _REGISTRY[name]
    build: Callable[..., Member] = getattr(importlib.import_module(module), factory)
    return build(**options)
