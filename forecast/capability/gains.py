"""Capability gains of a benchmark's best-run model: reference classes on the capability scale.

A benchmark's frontier moves only when a stronger model is run on it. For a series with results
``(t_j, y_j, x_j)`` (date, normalised score, capability of the model), its *holder* at time
``u`` is the capability of the models that set its records by then,

    x(u) = max { x_j : result j set a record (beat every earlier score) and t_j <= u },

its *lag* is the frontier capability minus the holder, ``L(u) = F(u) - x(u)``, and its
staleness ``u - max{t_j <= u}``. Every training series and monthly origin ``s`` with
``s + HORIZON_YEARS <= as_of`` gives a trajectory of gains ``g_s(h) = x(s + h) - x(s)`` for
``h = 0, 1/12, ..., HORIZON_YEARS``. A held-out benchmark draws whole trajectories, weighted by
how close their origin's staleness and lag are to its own today and by how recent the origin
is (the frontier has sped up):

    w = exp(-(log1p S - log1p S0)^2 / (2 BW_STALE^2) - (L - L0)^2 / (2 BW_LAG^2)
            - (as_of - s) / RECENCY_YEARS)

Beyond `HORIZON_YEARS` a trajectory continues at its mean rate. Abandoned benchmarks draw
trajectories of other abandoned series (which rarely gain), and a benchmark lagging far behind
the frontier draws from series that lagged as far, so the member needs no separate activity
model. Everything is fitted to results known at the as-of date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.series import to_years

#: Length of a stored trajectory, years; origins end this long before the as-of date.
HORIZON_YEARS = 1.5
#: Origins reach back this far before the as-of date.
HISTORY_YEARS = 4.0
#: Kernel widths: staleness on the log1p(years) scale, lag on the latent capability scale
#: (the frontier rises by about 0.15-0.3 latent units a year).
BW_STALE = 0.3
BW_LAG = 0.25
#: Older origins count less: weight exp(-age / RECENCY_YEARS).
RECENCY_YEARS = 2.0
_STEPS = int(round(HORIZON_YEARS * 12))


@dataclass(frozen=True)
class Gains:
    """Stored trajectories ``traj`` (P, steps + 1) of holder gains, with the staleness, lag and
    time (years) of each origin."""

    traj: np.ndarray = field(repr=False)
    stale: np.ndarray = field(repr=False)
    lag: np.ndarray = field(repr=False)
    origin: np.ndarray = field(repr=False)
    as_of: float = 0.0

    def weights(self, stale: float, lag: float) -> np.ndarray:
        """Normalised kernel weights of the stored origins for a benchmark at (`stale`, `lag`)."""
        logw = (-0.5 * ((np.log1p(self.stale) - np.log1p(stale)) / BW_STALE) ** 2
                - 0.5 * ((self.lag - lag) / BW_LAG) ** 2 - (self.as_of - self.origin) / RECENCY_YEARS)
        w = np.exp(logw - logw.max())
        return w / w.sum()

    def sample(self, stale: float, lag: float, grid_years: np.ndarray, n: int,
               rng: np.random.Generator) -> np.ndarray:
        """`n` gain paths (n, len(grid_years)) at `grid_years` after today (non-decreasing)."""
        pick = rng.choice(self.traj.shape[0], size=n, p=self.weights(stale, lag))
        traj = self.traj[pick]
        h = np.asarray(grid_years, dtype=float)
        steps = np.arange(_STEPS + 1) / 12.0
        inside = np.column_stack([np.interp(np.minimum(h, HORIZON_YEARS), steps, row) for row in traj]).T
        rate = traj[:, -1] / HORIZON_YEARS
        return inside + rate[:, None] * np.maximum(h - HORIZON_YEARS, 0.0)[None, :]


def holder_path(times: np.ndarray, y: np.ndarray, x: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The holder capability ``x(u)`` of one series at times `at` (-inf before its first result)."""
    order = np.argsort(times, kind="stable")
    times, y, x = times[order], y[order], x[order]
    best, hold, out_t, out_x = -np.inf, -np.inf, [], []
    for t, v, c in zip(times, y, x):
        if v > best:
            best, hold = v, max(hold, c)
            out_t.append(t)
            out_x.append(hold)
    idx = np.searchsorted(np.array(out_t), at, side="right") - 1
    return np.where(idx >= 0, np.array(out_x + [-np.inf])[idx], -np.inf)


def fit_gains(series: list[pd.DataFrame], capability: Callable[[str, pd.Timestamp], float],
              frontier: Callable[[np.ndarray], np.ndarray], as_of: float) -> Gains:
    """Trajectories of every series in `series` (frames with ``date, y, model``).

    `capability(model, date)` is a model's mean capability; `frontier(times)` the frontier
    capability at `times` (years). Raises nothing: a history too short gives no trajectories,
    and then `Gains.sample` would fail, so callers check ``traj.shape[0]``.
    """
    origins = np.arange(as_of - HISTORY_YEARS, as_of - HORIZON_YEARS + 1e-9, 1.0 / 12.0)
    steps = np.arange(_STEPS + 1) / 12.0
    traj, stale, lag, when = [], [], [], []
    for rows in series:
        t = np.array([to_years(d) for d in rows["date"]])
        y = rows["y"].to_numpy(dtype=float)
        x = np.array([capability(str(m), d) for m, d in zip(rows["model"], rows["date"])])
        at = origins[:, None] + steps[None, :]
        hold = holder_path(t, y, x, at.ravel()).reshape(at.shape)
        ok = np.isfinite(hold[:, 0])
        if not ok.any():
            continue
        last = np.array([t[t <= s].max() if (t <= s).any() else np.nan for s in origins])
        traj.append(hold[ok] - hold[ok, :1])
        stale.append(origins[ok] - last[ok])
        lag.append(frontier(origins[ok]) - hold[ok, 0])
        when.append(origins[ok])
    if not traj:
        empty = np.zeros(0)
        return Gains(np.zeros((0, _STEPS + 1)), empty, empty, empty, as_of)
    return Gains(np.vstack(traj), np.concatenate(stale), np.concatenate(lag), np.concatenate(when), as_of)
