"""Learning an ensemble from held-out forecasts (`forecast.backtest.heldout`).

Weights: stacking by CRPS (`forecast.ensemble.stacking`) pulled towards equal weights, overall;
per horizon band pulled towards the overall weights (a band with fewer than `MIN_BAND`
forecasts keeps them). Only forecasts that every member made enter the weights. Which members
enter the pool, and how hard the weights are pulled towards equal ones, is chosen by the
cross-fitted out-of-fold CRPS (`select_members`).
Recalibration of the stacked mixture on the same forecasts (`forecast.ensemble.recalibration`):
``"none"``, ``"pit"`` (the empirical PIT map) or ``"beta"`` (the beta-transformed pool, its
``(a, b)`` fitted by CRPS). `cross_fit` learns one spec per fold from the other folds'
forecasts only, so no forecast is scored by an ensemble that learned from it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import combinations
from typing import Any

import numpy as np

from forecast.ensemble.recalibration import Recalibration, fit_beta
from forecast.ensemble.spec import Band, EnsembleSpec
from forecast.ensemble.stacking import SHRINK, StackingTerms, stack, stacking_terms
from forecast.scoring import pit

#: Upper ends of the horizon bands, months (6-month, 12-month and longer forecasts).
BANDS = (9.0, 15.0, float("inf"))
MIN_BAND = 40
RECALIBRATIONS = ("none", "pit", "beta")


def _items(forecasts, exclude_fold: int | None, members: tuple[str, ...]) -> list[tuple[Any, int]]:
    return [(f, j) for f in forecasts if f.fold != exclude_fold and all(m in f.paths for m in members)
            for j, truth in enumerate(f.truths) if truth is not None]


def band_weights(terms: StackingTerms, months: np.ndarray, shrink: float) -> tuple[np.ndarray, list[Band]]:
    """Overall stacking weights and one `Band` per horizon band (pulled towards the overall ones)."""
    overall = stack(terms, shrink)
    bands, lo = [], -np.inf
    for hi in BANDS:
        mask = (months > lo) & (months <= hi)
        w = stack(terms.subset(mask), shrink, overall) if mask.sum() >= MIN_BAND else overall
        bands.append(Band(hi, tuple(float(x) for x in w)))
        lo = hi
    return overall, bands


def select_members(forecasts: list, members: tuple[str, ...], shrinks: tuple[float, ...],
                   seed: int = 0) -> tuple[tuple[str, ...], float, dict[str, float]]:
    """The members (two or more) and the pull towards equal weights whose cross-fitted pool
    has the lowest out-of-fold CRPS (the exact mixture CRPS of the stacking terms): a
    member left out gets weight 0. Returns them and every candidate's CRPS."""
    rng = np.random.default_rng([seed, 99])
    items = _items(forecasts, None, members)
    folds = np.array([f.fold for f, _ in items])
    months = np.array([f.horizons[j] for f, j in items], dtype=float)
    truths = np.array([f.truths[j] for f, j in items], dtype=float)
    terms = stacking_terms([[f.paths[m][:, j] for m in members] for f, j in items], truths, rng, len(members))
    table: dict[str, float] = {}
    best = None
    for r in range(2, len(members) + 1):
        for subset in combinations(range(len(members)), r):
            sub = terms.members(np.array(subset))
            for shrink in shrinks:
                crps = np.empty(len(items))
                for k in np.unique(folds):
                    _, bands = band_weights(sub.subset(folds != k), months[folds != k], shrink)
                    spec = EnsembleSpec(tuple(members[i] for i in subset), tuple(bands))
                    test = folds == k
                    w = np.stack([spec.weights_at(h) for h in months[test]])
                    crps[test] = np.sum(sub.a[test] * w, axis=1) - 0.5 * np.einsum("ikl,ik,il->i", sub.b[test], w, w)
                name = f"{'+'.join(members[i] for i in subset)} shrink {shrink:g}"
                table[name] = round(float(crps.mean()), 5)
                if best is None or crps.mean() < best[0] - 1e-9:
                    best = (crps.mean(), tuple(members[i] for i in subset), shrink)
    return best[1], best[2], table


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
    terms = stacking_terms([[f.paths[m][:, j] for m in members] for f, j in items], truths, rng, len(members))
    overall, bands = band_weights(terms, months, shrink)
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
