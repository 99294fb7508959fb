"""The logit-trend method as an ensemble member: a benchmark's own momentum, spread by the
errors the same rule made on the training benchmarks' histories.

At the as-of date t0 the rule draws a line through ``logit F`` over the last `WINDOW_MONTHS`
(3) months of the benchmark's own frontier (`forecast.baselines.History.trend_point`) and
extrapolates it from today's frontier; its spread at horizon h is the distribution of
``logit F(s + h) - logit trend_point(s, h)`` over monthly starts s of every training benchmark
(``s + h <= t0``), for the same 3-month rule.

Why a quarter and not a year: progress comes in bursts (a new model family lifts a benchmark
within weeks, e.g. GPQA Diamond and MATH Level 5 with the first reasoning models) and the pace
changes between eras, so the last quarter says whether a burst is under way, while a 12-month
line averages a burst with the quiet months before it. A benchmark with no record in the last
quarter gets today's frontier as its point, spread by what followed such quiet quarters on the
training benchmarks. Chosen on the held-out backtest's overall CRPS (windows 2, 3, 4, 6, 9, 12
and 18 months: 0.0382, 0.0368, 0.0381, 0.0394, 0.0402, 0.0408, 0.0412; averaging the 3-, 6- and
12-month slopes 0.0386) and confirmed on the ordinary backtest, which did not choose it
(ensemble 0.0392 -> 0.0355). The logit-trend *baseline* keeps the 12-month line. Each
path takes one uniform u and reads every horizon's error quantile at u (comonotone paths), so
a path is one coherent future. Horizons between the learned ones are interpolated.

Half of those past errors are exactly 0: quiet quarters that stayed quiet. For a benchmark whose
frontier rose within the quarter, that half would put every such path exactly on the line, and
the chance of a threshold would jump (by 0.19 within five days on a three-result benchmark) on
the day the line crosses it. So for a rising benchmark the errors are a smoothed bootstrap:
each path adds one normal draw times the horizon's kernel width (Scott's rule on that horizon's
errors, 0.19 logits at three months to 0.77 at two years), and its paths spread around the line.
A quiet benchmark's errors are read as they are, so its "nothing happens" stays exact. On the
held-out backtest this moved the member from 0.0369 to 0.0366 and the ensemble's 80% coverage
from 0.794 to 0.800 (CRPS 0.0337 both).

With a ceiling (`forecast.reference.ceiling`) the rule works on ``logit(F / c)``: each path
draws its ceiling c above today's frontier, the line is drawn through the shares of the way
to it, and the errors are learned on the training histories scaled by their own expected
ceilings.

Abandoned benchmarks stand still: each path draws when the benchmark's next result comes
(`forecast.activity`, learned on the training histories' result dates); before it the
frontier stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast.activity import Activity, fit_activity
from forecast.baselines import MONTH, History, past_pairs
from forecast.members import MemberContext, Targets, as_paths, target_years
from forecast.reference.ceiling import Ceiling, ceilings, fit_histories
from forecast.reference.pairs import histories, logit
from forecast.series import to_years
from priors.history import BenchmarkInfo

#: Horizons (years) at which the error distribution is learned.
HORIZONS = (0.25, 0.5, 1.0, 1.5, 2.0)
LEVELS = np.linspace(0.0, 1.0, 101)
#: Months of the benchmark's own frontier the trend line is drawn through (module docstring).
WINDOW_MONTHS = 3


def trend_points(hist: History, t0: float, h: np.ndarray, c: np.ndarray, months: int = 12) -> np.ndarray:
    """The rule's point forecasts on the share-of-ceiling logit scale, per path ceiling `c` (n)
    and horizon `h` (K): ``logit(F(t0) / c) + max(slope_c * h, 0)`` with slope_c the least-squares
    slope of ``logit(F / c)`` over the last `months` months (`forecast.baselines.History.trend_point`)."""
    grid = t0 - np.arange(months, -1, -1) * MONTH
    f = hist.frontier(grid)
    ok = ~np.isnan(f)
    now = float(hist.frontier(t0)[0])
    z_now = logit(np.clip(now / c, 0.0, 1.0))
    if ok.sum() < 2 or np.ptp(f[ok]) == 0:
        return np.repeat(z_now[:, None], h.size, axis=1)
    g = grid[ok] - grid[ok].mean()
    z = logit(np.clip(f[ok][None, :] / c[:, None], 0.0, 1.0))
    slope = (z - z.mean(axis=1, keepdims=True)) @ g / np.sum(g**2)
    return z_now[:, None] + np.maximum(slope[:, None] * h[None, :], 0.0)


def scott_bandwidth(errors: np.ndarray) -> float:
    """Scott's rule, ``1.06 sd n^(-1/5)``: the kernel width of a smoothed bootstrap of `errors`."""
    if errors.size < 2:
        return 0.0
    return float(1.06 * np.std(errors) * errors.size ** -0.2)


@dataclass(frozen=True)
class TrendFit:
    """Quantiles of the rule's past logit errors at each learned horizon."""

    horizons: np.ndarray = field(repr=False)
    quantiles: np.ndarray = field(repr=False)  # (len(horizons), len(LEVELS))
    ceiling: Ceiling | None = None
    activity: Activity | None = None
    window: int = WINDOW_MONTHS
    #: Kernel width (logits) of the smoothed bootstrap at each horizon; None: no smoothing.
    bandwidth: np.ndarray | None = field(default=None, repr=False)

    def predict(self, ctx: MemberContext, targets: Targets, n: int, rng: np.random.Generator) -> np.ndarray:
        u = rng.uniform(size=n)
        now, t0 = ctx.now, ctx.t0
        c = ceilings(self.ceiling, ctx, n, rng)
        t = np.array([to_years(d) for d in ctx.results["date"]], dtype=float)
        first = np.full(n, 0.0)  # years until each path's first new result
        if self.activity is not None and t.size:
            first = self.activity.first_result_after(max(t0 - float(t.max()), 0.0), rng.uniform(size=n))
        hist = History(t, np.clip(ctx.results["y"].to_numpy(dtype=float), 0.0, 1.0))
        h = np.maximum(target_years(targets) - t0, 1e-6)
        point = trend_points(hist, t0, h, c, self.window) if t.size else np.repeat(logit(np.clip(now / c, 0, 1))[:, None], h.size, 1)
        # A rising benchmark's line: the past errors are smoothed (one normal draw per path,
        # scaled by each horizon's bandwidth), so that the paths on the line spread around it
        # instead of crossing a threshold on one day.
        z = np.zeros(n)
        if self.bandwidth is not None and t.size and hist.rising(t0, self.window):
            z = rng.standard_normal(n)
        out = np.empty((n, h.size))
        for k, hk in enumerate(h):
            q = np.array([np.interp(hk, self.horizons, self.quantiles[:, i]) for i in range(LEVELS.size)])
            err = np.interp(u, LEVELS, q)
            if self.bandwidth is not None:
                err = err + float(np.interp(hk, self.horizons, self.bandwidth)) * z
            moved = c / (1.0 + np.exp(-(point[:, k] + err)))
            out[:, k] = np.where(first <= hk, moved, now)
        return as_paths(out, now)


@dataclass(frozen=True)
class TrendMember:
    """Learns the ceiling and the rule's error distribution from the training histories at
    `prepare` (`ceiling=False`: on the plain logit scale; `window`: months of the trend line)."""

    name: str = "trend"
    ceiling: bool = True
    activity: bool = True
    window: int = WINDOW_MONTHS

    def prepare(self, train: pd.DataFrame, meta: dict[str, BenchmarkInfo], as_of: date) -> TrendFit:
        t0 = to_years(as_of)
        raw = histories(train, meta, as_of)
        ceiling = fit_histories(raw, t0) if self.ceiling else None
        if ceiling is not None:
            raw = [h.scaled(ceiling.point(float(h.y.max()))) if h.t.size else h for h in raw]
        hists = [History(h.t, h.y) for h in raw]
        rows, widths = [], []
        for h in HORIZONS:
            err = past_pairs(hists, t0, h, self.window).trend_error
            rows.append(np.quantile(err, LEVELS) if err.size else np.zeros(LEVELS.size))
            widths.append(scott_bandwidth(err))
        activity = fit_activity([h.result_t for h in raw], t0) if self.activity else None
        return TrendFit(np.asarray(HORIZONS), np.asarray(rows), ceiling, activity, self.window, np.asarray(widths))
