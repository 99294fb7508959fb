"""Two-step forecasts: date -> frontier capability -> a benchmark's frontier (an ensemble member).

Step 1 (`fit_for_members`, once per as-of date and fold): the capability index over the
training results and the frontier trend (`forecast.capability.frontier`).

Step 2 (`CapabilityFit.predict`, per benchmark): the benchmark's *frontier* curve on the
capability scale, under a ceiling,

    logit(F_r / c) = a (x_r - d) + e_r,     e_r ~ Normal(0, TAU^2 + (a sx)^2)

fitted to its record-setting results ``F_r`` (each beats every earlier result), where ``x_r``
is the capability of the model that set the record: its index draw when the name resolves to
a model in the index (`priors.models`), else the frontier trend at its release date. Fitting
records, not all results, matters: the best score is the maximum of many models and sits
above the curve through all of them. ``sx`` is how far a model's capability on one benchmark
scatters around its index (`capability_scatter`, measured on the training items): without it a
few records over a narrow capability range make the curve implausibly steep. ``log a ~
Normal(mu, sd)`` of the training series' slopes (pooled), ``d`` flat: the posterior of ``log a``
is computed on a grid with ``d`` integrated out exactly, then ``d | a`` is Normal. The ceiling
``c`` has an honest prior below 1 for label noise (`ceiling_draws`, truncated above today's
frontier); its draws are reweighted by the records' marginal likelihood.

A path is anchored at today's frontier ``F0``. It stays there until the benchmark's next
*record*, after a wait ``w`` drawn from the activity model fitted to the training series'
record dates (`forecast.activity`; a new result on an old benchmark usually sets none), then
jumps by one record step ``s`` (drawn from the training series' steps between successive
records, in logits) and climbs the curve as far as the frontier capability ``C(t)`` climbs
(a path of `forecast.capability.frontier`, whose spread grows with the horizon), at the
benchmark's own slope ``a`` (fast coding and agentic benchmarks have steep ones):

    F(t) = c * sigmoid(logit(F0 / c) + s + a (C(t) - C(t0 + w)) + WALK * sqrt(t - t0) * z)

for ``t >= t0 + w``, made a running maximum at or above ``F0``; ``z ~ Normal(0, 1)`` is the
benchmark's own drift (new scaffolds, prompting, evaluators). Anchoring replaced a curve
through the benchmark's own lagging records, which predicted catch-up jumps that abandoned
benchmarks never made; waiting for a record rather than any result, with a record step, fixed
paths that moved too often and too little (held-out CRPS over five cut-offs: 0.071 -> 0.054 ->
0.051). A benchmark with no result yet starts from its curve through one pseudo-record,
`START_SCORE` at its release date, with a wide offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

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
#: Ceiling prior: label errors cap benchmarks below 100 (MMLU's are estimated at several
#: percent): the normalised gap ``1 - c`` has median 5% and a 90% range of about 1% to 21%.
CEILING_GAP_MU = float(np.log(0.05 / 0.95))
CEILING_GAP_SD = 1.0
#: A benchmark's frontier also drifts on its own (new prompting, scaffolds, evaluators): a
#: logit random walk of this scale per sqrt-year.
WALK = 0.3
#: Record steps are learned from records above this normalised score.
MIN_STEP_FROM = 0.02
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
    sx: float = 0.0
    steps: np.ndarray = field(default_factory=lambda: np.zeros(1), repr=False)

    def capability(self, model: str, day: date | pd.Timestamp, draws: np.ndarray) -> np.ndarray:
        """Capability draws of `model` (released `day`) at posterior rows `draws`: its own when the
        index knows it, else the frontier trend at its release date."""
        key = self.data.resolver.resolve(model, day) if self.data.resolver is not None else None
        where = {m: i for i, m in enumerate(self.data.models)}
        if key in where:
            return self.posterior.C[draws, where[key]]
        level = self.trend.level(to_years(day))[:, 0]
        return level[draws % level.size]

    def curve(self, ctx: Any, k: int, rng: np.random.Generator) -> Curve:
        """`k` posterior draws of the benchmark's frontier curve (see `Curve`)."""
        rows = ctx.results.sort_values("date", kind="stable")
        y = np.asarray(rows["y"] if "y" in rows else ctx.normalise(rows["score"]), dtype=float)
        rec = records(y)
        draws = rng.integers(0, self.posterior.n_draws, size=k)
        now = float(max(y.max(), 0.0)) if y.size else 0.0
        c = ceiling_draws(now, k, rng)
        if rec.size:
            x = np.column_stack([self.capability(str(rows["model"].iloc[j]), rows["date"].iloc[j], draws) for j in rec])
            yr, tau = y[rec][None, :], TAU
        else:
            x = self.trend.level(to_years(ctx.released))[draws % self.trend.beta.shape[0], :1]
            yr, tau = np.full((1, 1), START_SCORE), 3 * TAU
        z = _logit(yr / c[:, None])                                    # (k, n)
        mu, sd = self.log_slope
        la_grid = mu + sd * _GRID
        a = np.exp(la_grid)[None, :, None]                             # (1, G, 1)
        n = x.shape[1]
        d_hat = (x[:, None, :] - z[:, None, :] / a).mean(axis=2)       # (k, G)
        resid = z[:, None, :] - a * (x[:, None, :] - d_hat[:, :, None])
        # a model's capability on one benchmark scatters by `sx` around its index: steep
        # curves through a few records are not trusted more than the index can place them
        v = tau**2 + (a[:, :, 0] * self.sx) ** 2                       # (1, G)
        logw = (-0.5 * (resid**2).sum(axis=2) / v - 0.5 * (n - 1) * np.log(v)
                - np.log(a[:, :, 0]) - 0.5 * _GRID**2)
        # the ceiling's weight: the marginal likelihood of the records (and the Jacobian of
        # z = logit(y / c)) under each draw's ceiling; resample draws by it
        logm = _logsumexp(logw, axis=1) - np.log1p(-np.clip(yr / c[:, None], 0, 1 - 1e-9)).sum(axis=1)
        pick = rng.choice(k, size=k, p=_softmax(logm))
        logw, d_hat, x, c = logw[pick], d_hat[pick], x[pick], c[pick]
        w = _softmax(logw, axis=1)
        g = (w.cumsum(axis=1) < rng.uniform(size=(k, 1))).sum(axis=1).clip(max=_GRID.size - 1)
        a_k = np.exp(la_grid[g])
        d_k = d_hat[np.arange(k), g] + rng.standard_normal(k) * np.sqrt(v[0, g]) / (a_k * np.sqrt(n))
        return Curve(a_k, d_k, c)

    def predict(self, ctx: Any, targets: Any, n: int, rng: np.random.Generator) -> np.ndarray:
        """Samples (n, len(targets)) of the benchmark's normalised frontier at `targets`
        (dates, or years since 2020): running maxima, never below today's frontier."""
        t = _years(targets)
        cv = self.curve(ctx, n, rng)
        grid, cap = self.trend.paths(n, rng)
        now = float(max(np.max(ctx.results["y"]) if "y" in ctx.results and len(ctx.results) else 0.0, 0.0))
        h = grid - grid[0]
        walk = WALK * np.sqrt(h)[None, :] * rng.standard_normal(n)[:, None]
        if len(ctx.results) and now > 0:
            # anchored at today's frontier: nothing moves before the next record; then one
            # record step, and from there the curve climbs with the frontier capability
            rows = ctx.results.sort_values("date", kind="stable")
            last = rows["date"].iloc[records(rows["y"].to_numpy(dtype=float))[-1]]
            stale = max(to_years(ctx.as_of) - to_years(pd.Timestamp(last)), 0.0)
            wait = self.activity.first_result_after(stale, rng.uniform(size=n)) if self.activity else np.zeros(n)
            step = self.steps[rng.integers(0, self.steps.size, size=n)]
            at = cap[np.arange(n), np.clip(np.searchsorted(h, wait), 0, h.size - 1)]
            z0 = _logit(np.minimum(now / cv.c, 1 - 1e-6))
            z = z0[:, None] + step[:, None] + cv.a[:, None] * (cap - at[:, None]) + walk
            z = np.where(h[None, :] >= wait[:, None], z, -np.inf)
        else:
            z = cv.a[:, None] * (cap - cv.d[:, None]) + rng.normal(0.0, TAU, size=(n, 1)) + walk
        y = cv.c[:, None] / (1.0 + np.exp(-z))
        y = np.maximum.accumulate(np.maximum(y, now), axis=1)
        out = interpolate(grid, y, t)
        order = np.argsort(t, kind="stable")
        out[:, order] = np.maximum.accumulate(out[:, order], axis=1)  # exact, despite rounding
        return out


@dataclass(frozen=True)
class Curve:
    """Draws of a benchmark's frontier curve ``c * sigmoid(a (x - d))``: slope `a`, difficulty
    `d` and ceiling `c`."""

    a: np.ndarray
    d: np.ndarray
    c: np.ndarray


def records(y: np.ndarray) -> np.ndarray:
    """Indices of the record-setting results (each beats every earlier one), in time order."""
    best, rec = -np.inf, []
    for j, v in enumerate(y):
        if v > best:
            best = v
            rec.append(j)
    return np.array(rec, dtype=int)


def record_times(rows: pd.DataFrame) -> list[np.ndarray]:
    """Dates (years) of each series' records in `rows` (normalised scores ``y``): a frontier
    moves only when one is set, and many new results on an old benchmark set none."""
    return [np.array([to_years(d) for d in g["date"]])[records(g["y"].to_numpy(dtype=float))]
            for _, g in _series(rows)]


def record_steps(rows: pd.DataFrame) -> np.ndarray:
    """Every training series' jumps between successive records, ``logit(F_k+1 / c) -
    logit(F_k / c)`` at the prior's median ceiling, from records above `MIN_STEP_FROM` (steps
    off the floor are unboundedly large in logits)."""
    c = 1.0 - 1.0 / (1.0 + np.exp(-CEILING_GAP_MU))
    out: list[float] = []
    for _, g in _series(rows):
        y = g["y"].to_numpy(dtype=float)[records(g["y"].to_numpy(dtype=float))]
        z = _logit(np.minimum(y / c, 1.0))
        out.extend(np.diff(z)[y[:-1] > MIN_STEP_FROM])
    return np.array(out) if out else np.zeros(1)


def _series(rows: pd.DataFrame):
    """(key, frame sorted by date) of each benchmark series in `rows`."""
    for key, g in rows.groupby(["benchmark", "provenance"]):
        yield key, g.sort_values("date", kind="stable")


def ceiling_draws(now: float, k: int, rng: np.random.Generator) -> np.ndarray:
    """`k` prior draws of the normalised ceiling ``c``, above today's frontier `now`:
    ``logit(1 - c) ~ Normal(CEILING_GAP_MU, CEILING_GAP_SD)`` truncated to ``c > now``."""
    hi = (_logit(np.array([max(1.0 - now, 2e-4) - 1e-4]))[0] - CEILING_GAP_MU) / CEILING_GAP_SD
    u = rng.uniform(size=k) * norm.cdf(hi)
    gap = 1.0 / (1.0 + np.exp(-(CEILING_GAP_MU + CEILING_GAP_SD * norm.ppf(np.clip(u, 1e-12, 1)))))
    return 1.0 - gap


def _softmax(v: np.ndarray, axis: int | None = None) -> np.ndarray:
    w = np.exp(v - np.max(v, axis=axis, keepdims=True))
    return w / w.sum(axis=axis, keepdims=True)


def _logsumexp(v: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(v, axis=axis, keepdims=True)
    return (m + np.log(np.exp(v - m).sum(axis=axis, keepdims=True))).squeeze(axis)


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
    floors = rows["benchmark"].map(lambda b: meta[b].floor)
    rows = rows.assign(y=np.clip((rows["score"] - floors) / (100.0 - floors), 0.0, 1.0))
    activity = fit_activity(record_times(rows), to_years(as_of))
    fit = CapabilityFit(data, post, trend, as_of, (float(np.mean(la)), float(np.std(la) + 0.1)), activity, seed,
                        sx=capability_scatter(data, post), steps=record_steps(rows))
    return fit


def capability_scatter(data: ItemData, post: Posterior) -> float:
    """Robust spread (MAD) of the capability a model shows on one item around its index,
    ``logit(y / c) / alpha - (C - D)``, over the observations on the steep part of their curves."""
    c = post.ceiling.mean(axis=0)[data.item_idx]
    a = post.alpha.mean(axis=0)[data.item_idx]
    mid = (data.y > 0.1) & (data.y < 0.9 * c)
    if mid.sum() < 10:
        return 0.0
    r = (_logit(data.y / c) / a - (post.C.mean(axis=0)[data.model_idx] - post.D.mean(axis=0)[data.item_idx]))[mid]
    return float(1.4826 * np.median(np.abs(r - np.median(r))))
