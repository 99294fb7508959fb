"""The reference-class model as an ensemble member (see `forecast.members`).

``prepare`` learns the gain model from every training benchmark's history known at the as-of
date (under a second); ``predict`` draws, per path, the parameters (Laplace posterior), the
benchmark's own effect (its conjugate posterior from its own past gains), one Student-t
deviate and one uniform for "a new record by then": all before looking at the targets, so a
path is one coherent future. Each path also draws its ceiling c above today's frontier
(`forecast.reference.ceiling`), and the gain model works on the share of the way to it (the
training histories are scaled by their own expected ceilings). At a horizon h the path's
frontier is::

    F(t0 + h) = c * sigmoid(logit(F(t0) / c) + g(h)),  g(h) = 0 unless the path has moved by h
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from forecast.members import MemberContext, Targets, as_paths, target_years
from forecast.reference.ceiling import Ceiling, ceilings, fit_histories
from forecast.reference.model import MOVED, GainModel, fit_gain_model, move_features, size_features
from forecast.reference.pairs import DATE_PIVOT, History, gain_pairs, histories, logit
from forecast.series import to_years
from priors.history import BenchmarkInfo

#: Shortest horizon used in the features (one day), so log h stays finite at the as-of date.
MIN_H = 1.0 / 365.25


def own_history(ctx: MemberContext) -> History:
    t = np.array([to_years(d) for d in ctx.results["date"]], dtype=float)
    y = np.clip(ctx.results["y"].to_numpy(dtype=float), 0.0, 1.0)
    return History(ctx.benchmark, to_years(ctx.released), t, y, t)


@dataclass(frozen=True)
class ReferenceFit:
    """A fitted gain model (on the share of the way to the ceiling), ready to draw paths."""

    model: GainModel
    ceiling: Ceiling | None = None

    def own_effects(self, hist: History, t0: float) -> tuple[float, float, float]:
        """The benchmark's move shift and its size effect (mean, variance), from its own past."""
        pairs = gain_pairs([hist], t0) if hist.t.size else None
        if pairs is None or pairs.size == 0:
            return 0.0, 0.0, self.model.tau**2
        moved = pairs.gain > MOVED
        shift = self.model.move_effect(move_features(pairs.h, pairs.staleness, pairs.level, pairs.date),
                                       moved.astype(float), pairs.weight)
        x = size_features(pairs.h, pairs.level, pairs.age, pairs.date)[moved]
        return (shift, *self.model.effect(x, np.log(pairs.gain[moved]), pairs.weight[moved]))

    def predict(self, ctx: MemberContext, targets: Targets, n: int, rng: np.random.Generator) -> np.ndarray:
        m = self.model
        hist = own_history(ctx)
        t0, now = ctx.t0, ctx.now
        c = ceilings(self.ceiling, ctx, n, rng)
        if hist.t.size and (self.ceiling is not None or ctx.ceiling is not None):
            hist = hist.scaled(max(ctx.ceiling, now) if ctx.ceiling is not None else self.ceiling.point(now))
        shift, u_mean, u_var = self.own_effects(hist, t0)
        v = rng.uniform(size=n)
        dev = m.deviations(n, rng)
        u = u_mean + np.sqrt(u_var) * rng.standard_normal(n)
        beta = rng.multivariate_normal(m.beta, m.beta_cov, size=n)
        h = np.maximum(target_years(targets) - t0, MIN_H)[None, :]
        level = logit(np.clip(now / c, 0.0, 1.0))[:, None]  # (n, 1): each path's own ceiling
        stale = float(t0 - hist.result_t.max()) if hist.result_t.size else 0.0
        age = max(t0 - to_years(ctx.released), 0.0)
        p = m.p_move(h, stale, level, t0 - DATE_PIVOT, shift)  # (n, K)
        x = size_features(h, level, age, t0 - DATE_PIVOT)  # (n, K, p)
        log_g = np.einsum("nkp,np->nk", x, beta) + (u + dev)[:, None]
        g = np.where(v[:, None] < p, np.exp(np.minimum(log_g, 10.0)), 0.0)
        return as_paths(c[:, None] / (1.0 + np.exp(-(level + g))), now)


@dataclass(frozen=True)
class ReferenceMember:
    """Learns the ceiling and the gain model at `prepare` (no sampler: Laplace/EM).
    `ceiling=False` gives the model on the plain logit scale (a ceiling of 1)."""

    name: str = "reference"
    ceiling: bool = True

    def prepare(self, train: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date) -> ReferenceFit:
        t0 = to_years(as_of)
        hists = histories(train, meta, as_of)
        if not self.ceiling:
            return ReferenceFit(fit_gain_model(gain_pairs(hists, t0)))
        ceiling = fit_histories(hists, t0)
        scaled = [h.scaled(ceiling.point(float(h.y.max()))) if h.t.size else h for h in hists]
        return ReferenceFit(fit_gain_model(gain_pairs(scaled, t0)), ceiling)
