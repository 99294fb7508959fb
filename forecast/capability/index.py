"""`capability_index`: every model and benchmark series on one scale, with intervals.

>>> from forecast import capability_index
>>> ci = capability_index(as_of="2026-04-08", seed=0)
>>> ci.models.head()        # model, index, lo, hi, date, n_series, latent
>>> ci.benchmarks.head()    # item, benchmark, series, difficulty(_lo/_hi), slope(_lo/_hi), ceiling, n_models
>>> ci.frontier             # trend and acceleration ratio, with 90% intervals
>>> ci.to_json(); ci.plot("index.png")

The scale is Epoch AI's convention: Claude 3.5 Sonnet (June 2024) is 130 and GPT-5 is 150 (an
affine map of the latent scale, so ranks and correlations do not depend on it). When an as-of
date comes before either anchor, the latent scale is shown as ``100 + 10 C`` and ``scale`` says
``"latent"``. Slopes are per index point, as Epoch's are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.capability.data import ItemData, prepare_items
from forecast.capability.frontier import FrontierTrend, fit_frontier
from forecast.capability.model import Posterior, fit_laplace
from forecast.errors import InvalidQuery
from forecast.result import parse_as_of
from forecast.series import from_years
from priors.history import BenchmarkInfo, load_metadata, read_results

#: Epoch's anchors: (model key, index value).
ANCHORS = (("claude-3-5-sonnet-20240620", 130.0), ("gpt-5-2025-08-07", 150.0))
LEVEL = 0.90


@dataclass(frozen=True)
class Scale:
    """``index = offset + factor * latent``."""

    offset: float
    factor: float
    name: str

    def __call__(self, latent: np.ndarray | float) -> np.ndarray:
        return self.offset + self.factor * np.asarray(latent)


def make_scale(data: ItemData, post: Posterior) -> Scale:
    """Epoch's scale when both anchors are in the fit, else ``100 + 10 C``."""
    where = {m: i for i, m in enumerate(data.models)}
    if all(k in where for k, _ in ANCHORS):
        (k1, v1), (k2, v2) = ANCHORS
        c1, c2 = post.C[:, where[k1]].mean(), post.C[:, where[k2]].mean()
        factor = (v2 - v1) / (c2 - c1)
        return Scale(v1 - factor * c1, factor, "eci")
    return Scale(100.0, 10.0, "latent")


def _q(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, mid, hi = np.quantile(x, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2], axis=axis)
    return mid, lo, hi


@dataclass(frozen=True)
class CapabilityIndex:
    """A fitted capability index: tables, frontier trend and the draws behind them."""

    models: pd.DataFrame
    benchmarks: pd.DataFrame
    frontier: dict[str, Any]
    as_of: date
    scale: Scale
    data: ItemData = field(repr=False)
    posterior: Posterior = field(repr=False)
    trend: FrontierTrend = field(repr=False)
    fit_seconds: float = 0.0
    unlinked: tuple[str, ...] = ()

    def top(self, n: int) -> pd.DataFrame:
        """The `n` highest models."""
        return self.models.head(n)

    def to_json(self) -> dict[str, Any]:
        """``{"as_of", "scale", "method", "models": [...], "benchmarks": [...], "frontier": {...}}``."""

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in df.to_dict(orient="records"):
                out.append({k: (v.isoformat() if isinstance(v, date) else
                                round(float(v), 4) if isinstance(v, (float, np.floating)) else
                                int(v) if isinstance(v, (np.integer,)) else v) for k, v in rec.items()})
            return out

        return {"as_of": self.as_of.isoformat(), "scale": self.scale.name, "method": self.posterior.method,
                "converged": self.posterior.converged, "fit_seconds": round(self.fit_seconds, 2),
                "models": rows(self.models), "benchmarks": rows(self.benchmarks), "frontier": self.frontier,
                "unlinked": list(self.unlinked)}

    def plot(self, path: str | Path) -> Path:
        """Write a PNG of the index over time with the frontier trend; returns the path."""
        from forecast.capability.plot import plot_index

        return plot_index(self, path)


def _model_table(data: ItemData, post: Posterior, scale: Scale) -> pd.DataFrame:
    idx = scale(post.C)
    mid, lo, hi = _q(idx)
    table = pd.DataFrame({
        "model": data.models, "index": mid, "lo": lo, "hi": hi,
        "date": [from_years(t) for t in data.model_dates], "n_series": data.items_per_model(),
        "latent": post.C.mean(0),
    })
    return table.sort_values("index", ascending=False, kind="stable").reset_index(drop=True)


def _benchmark_table(data: ItemData, post: Posterior, scale: Scale) -> pd.DataFrame:
    d_mid, d_lo, d_hi = _q(scale(post.D))
    s_mid, s_lo, s_hi = _q(post.alpha / scale.factor)
    return pd.DataFrame({
        "item": data.items, "benchmark": data.item_benchmark, "series": data.item_series,
        "difficulty": d_mid, "difficulty_lo": d_lo, "difficulty_hi": d_hi,
        "slope": s_mid, "slope_lo": s_lo, "slope_hi": s_hi,
        "ceiling": data.item_floor + (100 - data.item_floor) * np.median(post.ceiling, axis=0),
        "n_models": np.bincount(data.item_idx, minlength=len(data.items)),
    }).sort_values("difficulty", ascending=False, kind="stable").reset_index(drop=True)


def summarize_frontier(trend: FrontierTrend, scale: Scale) -> dict[str, Any]:
    """The frontier's slopes (index points per year) and acceleration ratio, with 90% intervals."""

    def q(x: np.ndarray) -> dict[str, float]:
        mid, lo, hi = _q(x)
        return {"median": round(float(mid), 3), "lo": round(float(lo), 3), "hi": round(float(hi), 3)}

    return {
        "trend": q(trend.slope_recent * scale.factor),
        "earlier_trend": q(trend.slope_early * scale.factor),
        "ratio": q(trend.ratio),
        "p_faster": round(float(np.mean(trend.ratio > 1)), 3),
        "recent_from": from_years(trend.k).isoformat(),
        "earlier_from": from_years(trend.start).isoformat(),
        "records": trend.n_records,
        "level": LEVEL,
        "units": "index points per year",
    }


def capability_index(results: str | Path | pd.DataFrame | None = None, *, as_of: date | str | None = None,
                     meta: dict[str, BenchmarkInfo] | None = None, seed: int = 0, draws: int = 1000) -> CapabilityIndex:
    """Fit the capability index to `results` (default: the shipped history) known at `as_of`.

    Parameters
    ----------
    results
        A CSV path or a frame read by `priors.history.read_results`; None for the shipped data.
    as_of
        Use only results known by then (default: the latest result's date).
    meta
        Floors and release dates (default: the shipped metadata).
    seed, draws
        Seed and number of draws of the Laplace posterior.

    Raises
    ------
    InvalidQuery
        for an as-of date that is not a date, or is after today.
    NotEnoughData
        when too few results are known at `as_of`.
    """
    frame = results if isinstance(results, pd.DataFrame) else read_results(results)
    meta = load_metadata() if meta is None else meta
    if as_of is None:
        day = frame["date"].max().date()
    else:
        day = parse_as_of(as_of)
    start = time.perf_counter()
    data = prepare_items(frame, meta, day)
    post = fit_laplace(data, seed=seed, draws=draws)
    trend = fit_frontier(post.C, data.model_dates, day, n_items=data.items_per_model(), seed=seed)
    seconds = time.perf_counter() - start
    scale = make_scale(data, post)
    unlinked = tuple(m for m, n in zip(data.models, data.items_per_model()) if n < 2)
    return CapabilityIndex(_model_table(data, post, scale), _benchmark_table(data, post, scale),
                           summarize_frontier(trend, scale), day, scale, data, post, trend, seconds, unlinked)
