"""Two-step forecasts: date -> frontier capability -> a benchmark's frontier (an ensemble member).

Step 1 (`fit_for_members`, once per as-of date and fold): the capability index over the
training results and the frontier trend (`forecast.capability.frontier`).

Step 2 (`CapabilityFit.predict`, per benchmark): the benchmark's *frontier* curve on the
capability scale,

    logit(F_r) = a (x_r - d) + e_r,     e_r ~ Normal(0, TAU)

fitted to its record-setting results ``F_r`` (each beats every earlier result), where ``x_r``
is the capability of the model that set the record: its index draw when the name resolves to
a model in the index (`priors.models`), else the frontier trend at its release date. Fitting
records, not all results, matters: the best score is the maximum of many models and sits
above the curve through all of them. ``log a ~ Normal(mu, sd)`` of the training series'
slopes (pooled), ``d`` flat: the posterior of ``log a`` is computed on a grid with ``d``
integrated out exactly, then ``d | a`` is Normal. A benchmark with no result yet gets one
pseudo-record, `START_SCORE` at its release date, with a wide offset.

A path is ``sigmoid(a (C(t) - d) + e)`` with ``C(t)`` a frontier-capability path (from today's
record holder) and ``e ~ Normal(0, TAU)`` a persistent offset of the benchmark's frontier from
its curve, made a running maximum at or above today's frontier. A benchmark only moves when
someone reports a new result: each path waits for its first new result as the activity model
fitted to the training series says (`forecast.activity`; abandoned benchmarks such as MMLU
rarely get one), and stays at today's frontier until then. It is not anchored at today's
frontier on purpose: a benchmark's best result often lags the frontier (the newest models have
not all been run on it), and the curve says how far it should catch up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from forecast.capability.data import ItemData, known_rows, prepare_items
from forecast.capability.frontier import FrontierTrend, fit_frontier, interpolate
from forecast.activity import Activity, fit_activity
from forecast.capability.model import Posterior, fit_laplace
from forecast.series import EPS, to_years
from priors.history import BenchmarkInfo

#: Scatter of a frontier's logit around its capability curve (logit units): records of one
#: benchmark sit within about +-0.3 of a smooth curve in the shipped history.
TAU = 0.35
#: A benchmark with no result: its frontier at release is taken as this normalised score.
START_SCORE = 0.05
#: Draws of the capability posterior in a member fit (fewer than the product's 1000: the
#: held-out backtest refits once per benchmark and cut-off).
MEMBER_DRAWS = 400
_GRID = np.linspace(-3.0, 3.0, 61)


@dataclass(frozen=True)
class CapabilityFit:
    """The index and frontier trend at one as-of date; `predict` makes a benchmark's paths."""

    data: ItemData = field(repr=False)
    posterior: Posterior = field(repr=False)
    trend: FrontierTrend = field(repr=False)
    as_of: date
    log_slope: tuple[float, float] = (0.0, 1.0)
    activity: Activity | None = None
    seed: int = 0

    def capability(self, model: str, day: date | pd.Timestamp, draws: np.ndarray) -> np.ndarray:
        """Capability draws of `model` (released `day`) at posterior rows `draws`: its own when the
        index knows it, else the frontier trend at its release date."""
        key = self.data.resolver.resolve(model, day) if self.data.resolver is not None else None
        where = {m: i for i, m in enumerate(self.data.models)}
        if key in where:
            return self.posterior.C[draws, where[key]]
        level = self.trend.level(to_years(day))[:, 0]
        return level[draws % level.size]

    def curve(self, ctx: Any, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`k` draws of the benchmark's frontier curve: (slope a, difficulty d, offset e)."""
        rows = ctx.results.sort_values("date", kind="stable")
        y = np.asarray(rows["y"] if "y" in rows else ctx.normalise(rows["score"]), dtype=float)
        best, rec = -np.inf, []
        for j, v in enumerate(y):
            if v > best:
                best = v
                rec.append(j)
        draws = rng.integers(0, self.posterior.n_draws, size=k)
        if rec:
            x = np.column_stack([self.capability(str(rows["model"].iloc[j]), rows["date"].iloc[j], draws) for j in rec])
            z = _logit(y[rec])
            tau = TAU
        else:
            x = self.trend.level(to_years(ctx.released))[draws % self.trend.beta.shape[0], :1]
            z = _logit(np.array([START_SCORE]))
            tau = 3 * TAU
        mu, sd = self.log_slope
        la_grid = mu + sd * _GRID
        a = np.exp(la_grid)[None, :, None]                       # (1, G, 1)
        n = x.shape[1]
        d_hat = (x[:, None, :] - z[None, None, :] / a).mean(axis=2)  # (k, G)
        resid = z[None, None, :] - a * (x[:, None, :] - d_hat[:, :, None])
        logw = -0.5 * (resid**2).sum(axis=2) / tau**2 - np.log(a[:, :, 0]) - 0.5 * _GRID**2
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        g = np.array([rng.choice(_GRID.size, p=row) for row in w])
        a_k = np.exp(la_grid[g])
        d_k = d_hat[np.arange(k), g] + rng.standard_normal(k) * tau / (a_k * np.sqrt(n))
        return a_k, d_k, rng.normal(0.0, tau, size=k)

    def predict(self, ctx: Any, targets: Any, n: int, rng: np.random.Generator) -> np.ndarray:
        """Samples (n, len(targets)) of the benchmark's normalised frontier at `targets`
        (dates, or years since 2020): running maxima, never below today's frontier."""
        t = _years(targets)
        a, d, e = self.curve(ctx, n, rng)
        grid, cap = self.trend.paths(n, rng)
        now = float(max(np.max(ctx.results["y"]) if "y" in ctx.results and len(ctx.results) else 0.0, 0.0))
        y = 1.0 / (1.0 + np.exp(-(a[:, None] * (cap - d[:, None]) + e[:, None])))
        if self.activity is not None and len(ctx.results):
            # abandoned benchmarks stop moving: nothing changes before the path's next result
            stale = max(to_years(ctx.as_of) - to_years(pd.Timestamp(ctx.results["date"].max())), 0.0)
            wait = self.activity.first_result_after(stale, rng.uniform(size=n))
            y = np.where(grid[None, :] - grid[0] < wait[:, None], now, y)
        y = np.maximum.accumulate(np.maximum(y, now), axis=1)
        out = interpolate(grid, y, t)
        order = np.argsort(t, kind="stable")
        out[:, order] = np.maximum.accumulate(out[:, order], axis=1)  # exact, despite rounding
        return out


def _logit(y: np.ndarray) -> np.ndarray:
    y = np.clip(y, EPS, 1 - EPS)
    return np.log(y / (1 - y))


def _years(targets: Any) -> np.ndarray:
    arr = np.asarray(targets)
    if arr.dtype.kind == "f":
        return arr.astype(float)
    return np.array([to_years(d) for d in targets], dtype=float)


def fit_for_members(train: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date, *,
                    seed: int = 0) -> CapabilityFit:
    """The capability index and frontier trend fitted to `train` known at `as_of`.

    Raises
    ------
    NotEnoughData
        when too few results are known at `as_of` for an index or a trend.
    """
    data = prepare_items(train, meta, as_of)
    post = fit_laplace(data, seed=seed, draws=MEMBER_DRAWS)
    trend = fit_frontier(post.C, data.model_dates, as_of, n_items=data.items_per_model(), seed=seed)
    la = post.log_alpha.mean(axis=0)
    rows = known_rows(train, meta, as_of)
    times = [np.array([to_years(d) for d in g["date"]]) for _, g in rows.groupby(["benchmark", "provenance"])]
    activity = fit_activity(times, to_years(as_of))
    return CapabilityFit(data, post, trend, as_of, (float(np.mean(la)), float(np.std(la) + 0.1)), activity, seed)
