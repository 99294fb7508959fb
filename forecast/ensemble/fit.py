"""Learning an ensemble from held-out forecasts (`forecast.backtest.heldout`).

Weights: stacking by CRPS (`forecast.ensemble.stacking`) pulled towards equal weights, overall;
per horizon band pulled towards the overall weights (a band with fewer than `MIN_BAND`
forecasts keeps them). Only forecasts that every member made enter the weights.
Recalibration of the stacked mixture on the same forecasts (`forecast.ensemble.recalibration`):
``"none"``, ``"pit"`` (the empirical PIT map) or ``"beta"`` (the beta-transformed pool, its
``(a, b)`` fitted by CRPS). `cross_fit` learns one spec per fold from the other folds'
forecasts only, so no forecast is scored by an ensemble that learned from it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import numpy as np

from forecast.ensemble.recalibration import Recalibration, fit_beta
from forecast.ensemble.spec import Band, EnsembleSpec
from forecast.ensemble.stacking import SHRINK, stack, stacking_terms
from forecast.scoring import pit

#: Upper ends of the horizon bands, months (6-month, 12-month and longer forecasts).
BANDS = (9.0, 15.0, float("inf"))
MIN_BAND = 40
RECALIBRATIONS = ("none", "pit", "beta")


def _items(forecasts, exclude_fold: int | None, members: tuple[str, ...]) -> list[tuple[Any, int]]:
    return [(f, j) for f in forecasts if f.fold != exclude_fold and all(m in f.paths for m in members)
            for j, truth in enumerate(f.truths) if truth is not None]


def fit_spec(forecasts: list, members: tuple[str, ...], *, exclude_fold: int | None = None, seed: int = 0,
             provenance: dict[str, Any] | None = None, shrink: float = SHRINK,
             recalibrate: str = "none") -> EnsembleSpec:
    """Weights and recalibration from every held-out forecast not in `exclude_fold`."""
    if recalibrate not in RECALIBRATIONS:
        raise ValueError(f"recalibration {recalibrate!r} is not one of {', '.join(RECALIBRATIONS)}")
    rng = np.random.default_rng([seed, 0 if exclude_fold is None else exclude_fold + 1])
    items = _items(forecasts, exclude_fold, members)
    truths = np.array([f.truths[j] for f, j in items], dtype=float)
    months = np.array([f.horizons[j] for f, j in items], dtype=float)
    terms = stacking_terms([[f.paths[m][:, j] for m in members] for f, j in items], truths, rng)
    overall = stack(terms, shrink)
    bands, lo = [], -np.inf
    for hi in BANDS:
        mask = (months > lo) & (months <= hi)
        w = stack(terms.subset(mask), shrink, overall) if mask.sum() >= MIN_BAND else overall
        bands.append(Band(hi, tuple(float(x) for x in w)))
        lo = hi
    raw = EnsembleSpec(members, tuple(bands))
    prov = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "forecasts": len(items), "overall_weights": dict(zip(members, np.round(overall, 4).tolist())),
            "excluded_fold": exclude_fold, "shrink": shrink, "recalibration": recalibrate, **(provenance or {})}
    if recalibrate == "none":
        return EnsembleSpec(members, tuple(bands), Recalibration.identity(), prov)
    columns, outcomes = [], []
    for f in {id(f): f for f, _ in items}.values():
        mixed = raw.combine({m: f.paths[m] for m in members}, np.asarray(f.horizons, dtype=float), rng, f.now)
        for j, t in enumerate(f.truths):
            if t is not None:
                columns.append(mixed[:, j])
                outcomes.append(t)
    if recalibrate == "beta":
        recal = fit_beta(columns, np.asarray(outcomes))
    else:
        recal = Recalibration.fit(np.array([pit(c, t, rng) for c, t in zip(columns, outcomes)]))
    return EnsembleSpec(members, tuple(bands), recal, prov)


def cross_fit(forecasts: list, members: tuple[str, ...], folds: int, seed: int = 0,
              shrink: float = SHRINK, recalibrate: str = "none") -> dict[int, EnsembleSpec]:
    """One spec per fold, each learned without that fold's forecasts."""
    return {k: fit_spec(forecasts, members, exclude_fold=k, seed=seed, shrink=shrink, recalibrate=recalibrate)
            for k in range(folds)}
