"""The logit-trend method as an ensemble member: a benchmark's own momentum, spread by the
errors the same rule made on the training benchmarks' histories.

At the as-of date t0 the rule draws a line through ``logit F`` over the last 12 months of the
benchmark's own frontier (`forecast.baselines.History.trend_point`) and extrapolates it from
today's frontier; its spread at horizon h is the distribution of ``logit F(s + h) - logit
trend_point(s, h)`` over monthly starts s of every training benchmark (``s + h <= t0``). Each
path takes one uniform u and reads every horizon's error quantile at u (comonotone paths), so
a path is one coherent future. Horizons between the learned ones are interpolated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast.baselines import History, past_pairs
from forecast.members import MemberContext, Targets, as_paths, target_years
from forecast.reference.pairs import histories, logit
from forecast.series import to_years
from priors.history import BenchmarkInfo

#: Horizons (years) at which the error distribution is learned.
HORIZONS = (0.25, 0.5, 1.0, 1.5, 2.0)
LEVELS = np.linspace(0.0, 1.0, 101)


@dataclass(frozen=True)
class TrendFit:
    """Quantiles of the rule's past logit errors at each learned horizon."""

    horizons: np.ndarray = field(repr=False)
    quantiles: np.ndarray = field(repr=False)  # (len(horizons), len(LEVELS))

    def predict(self, ctx: MemberContext, targets: Targets, n: int, rng: np.random.Generator) -> np.ndarray:
        u = rng.uniform(size=n)
        t = np.array([to_years(d) for d in ctx.results["date"]], dtype=float)
        hist = History(t, np.clip(ctx.results["y"].to_numpy(dtype=float), 0.0, 1.0))
        now, t0 = ctx.now, ctx.t0
        h = np.maximum(target_years(targets) - t0, 1e-6)
        out = np.empty((n, h.size))
        for k, hk in enumerate(h):
            point = hist.trend_point(t0, float(hk)) if t.size else now
            q = np.array([np.interp(hk, self.horizons, self.quantiles[:, i]) for i in range(LEVELS.size)])
            err = np.interp(u, LEVELS, q)
            out[:, k] = 1.0 / (1.0 + np.exp(-(logit(point) + err)))
        return as_paths(out, now)


@dataclass(frozen=True)
class TrendMember:
    """Learns the rule's error distribution from the training histories at `prepare`."""

    name: str = "trend"

    def prepare(self, train: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date) -> TrendFit:
        hists = [History(h.t, h.y) for h in histories(train, meta, as_of)]
        t0 = to_years(as_of)
        rows = []
        for h in HORIZONS:
            err = past_pairs(hists, t0, h).trend_error
            rows.append(np.quantile(err, LEVELS) if err.size else np.zeros(LEVELS.size))
        return TrendFit(np.asarray(HORIZONS), np.asarray(rows))
