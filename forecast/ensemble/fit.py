"""Learning an ensemble from held-out forecasts (`forecast.backtest.heldout`).

Weights: stacking by CRPS (`forecast.ensemble.stacking`) pulled towards equal weights, overall;
per horizon band pulled towards the overall weights (a band with fewer than `MIN_BAND`
forecasts keeps them). Recalibration: the empirical
PIT of the stacked mixture on the same forecasts (`forecast.ensemble.recalibration`).
`cross_fit` learns one spec per fold from the other folds' forecasts only, so no forecast is
scored by an ensemble that learned from it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import numpy as np

from forecast.ensemble.recalibration import Recalibration
from forecast.ensemble.spec import Band, EnsembleSpec
from forecast.ensemble.stacking import SHRINK, stack, stacking_terms
from forecast.scoring import pit

#: Upper ends of the horizon bands, months (6-month, 12-month and longer forecasts).
BANDS = (9.0, 15.0, float("inf"))
MIN_BAND = 40


def _items(forecasts, exclude_fold: int | None) -> list[tuple[Any, int]]:
    return [(f, j) for f in forecasts if f.fold != exclude_fold
            for j, truth in enumerate(f.truths) if truth is not None]


def fit_spec(forecasts: list, members: tuple[str, ...], *, exclude_fold: int | None = None, seed: int = 0,
             provenance: dict[str, Any] | None = None, shrink: float = SHRINK,
             recalibrate: bool = True) -> EnsembleSpec:
    """Weights and recalibration from every held-out forecast not in `exclude_fold`."""
    rng = np.random.default_rng([seed, 0 if exclude_fold is None else exclude_fold + 1])
    items = _items(forecasts, exclude_fold)
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
            "excluded_fold": exclude_fold, "shrink": shrink, "recalibrated": recalibrate, **(provenance or {})}
    if not recalibrate:
        return EnsembleSpec(members, tuple(bands), Recalibration.identity(), prov)
    pits = []
    for f in {id(f): f for f, _ in items}.values():
        mixed = raw.combine({m: f.paths[m] for m in members}, np.asarray(f.horizons, dtype=float), rng, f.now)
        pits += [pit(mixed[:, j], t, rng) for j, t in enumerate(f.truths) if t is not None]
    return EnsembleSpec(members, tuple(bands), Recalibration.fit(np.asarray(pits)), prov)


def cross_fit(forecasts: list, members: tuple[str, ...], folds: int, seed: int = 0,
              shrink: float = SHRINK, recalibrate: bool = True) -> dict[int, EnsembleSpec]:
    """One spec per fold, each learned without that fold's forecasts."""
    return {k: fit_spec(forecasts, members, exclude_fold=k, seed=seed, shrink=shrink, recalibrate=recalibrate)
            for k in range(folds)}
