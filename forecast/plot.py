"""Fan charts of a forecast: results, frontier, 50/80/95% bands, thresholds, the as-of line; the
forecast on its own scale and the chance of a new record and of each threshold by each date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.series import from_years, to_years

if TYPE_CHECKING:
    from forecast.api import Forecast


def _dates(ts: np.ndarray) -> list[date]:
    return [from_years(t) for t in ts]


def _save(fig, path: str | Path) -> Path:
    """Write `fig` as a PNG at `path` (creating its folder) and release it."""
    import matplotlib.pyplot as plt

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


@dataclass(frozen=True)
class FanData:
    """What the fan chart draws of the future, from one set of paths (percent, years)."""

    t: np.ndarray  # dates from the as-of date on (years since 2020)
    bands: dict[tuple[float, float], np.ndarray]  # (lo, hi) quantile levels -> (2, len(t))
    median: np.ndarray
    p_new_record: np.ndarray  # P(a record above today's frontier by t)
    p_reached: dict[float, np.ndarray]  # threshold -> P(best >= threshold by t)


BANDS = ((0.025, 0.975), (0.1, 0.9), (0.25, 0.75))
THRESHOLD_COLOURS = ("tab:red", "tab:purple", "tab:orange", "tab:brown", "tab:pink")


def fan_data(fc: Forecast, until: date | None = None, thresholds: list[float] | None = None,
             points: int = 120) -> FanData:
    """The fan chart's future: quantile bands, the median, and by each date the chance of a new
    record and of reaching each threshold. The frontier is a running maximum, so "reached by t" is
    "the path's frontier at t is at least the threshold": every curve comes from the same paths."""
    t0 = to_years(fc.as_of)
    t_end = max(to_years(until) if until else t0 + 3.0, t0 + 0.5)
    fut = np.linspace(t0, t_end, points)
    paths = fc.paths.frontier_at(fut)
    fr = fc.data.denormalise(paths)
    bands = {(lo, hi): np.quantile(fr, [lo, hi], axis=0) for lo, hi in BANDS}
    new = np.mean(paths > fc.paths.f_now + 1e-9, axis=0) if fc.frontier is not None else np.ones(fut.size)
    reached = {float(thr): np.mean(fr >= thr - 1e-9, axis=0) for thr in thresholds or []}
    return FanData(fut, bands, np.median(fr, axis=0), new, reached)


def _colour(i: int) -> str:
    return THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)]


def fan_chart(fc: Forecast, path: str | Path, *, until: date | None = None,
              thresholds: list[float] | None = None, results=None) -> Path:
    """Write the fan chart of `fc` to `path` (PNG): the history with the forecast on the left; on
    the right the forecast alone on its own scale, and below it the chance of a new record and of
    reaching each threshold by each date."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    thresholds = list(thresholds or [])
    t0 = to_years(fc.as_of)
    fan = fan_data(fc, until, thresholds)
    d = fc.data
    t_start = min(d.t.min() if d.n_records else t0 - 1.0, d.released) - 0.25
    fig = plt.figure(figsize=(13, 5.8), dpi=110)
    grid = fig.add_gridspec(2, 2, width_ratios=(1.3, 1.0), height_ratios=(1.55, 1.0), hspace=0.08, wspace=0.16)
    ax = fig.add_subplot(grid[:, 0])
    zoom = fig.add_subplot(grid[0, 1])
    odds = fig.add_subplot(grid[1, 1], sharex=zoom)
    if results is not None and len(results):
        for prov, grp in results.groupby("provenance"):
            ax.scatter(grp["date"], grp["score"], s=10, alpha=0.35, label=f"results ({prov})")
    for i, name in enumerate(d.series_names):
        sel = d.series == i
        if sel.any():
            ts = np.append(d.t[sel], t0)
            ys = d.denormalise(np.append(d.y[sel], d.y[sel][-1]))
            ax.step(_dates(ts), ys, where="post", lw=2 if i == 0 else 1,
                    color="black" if i == 0 else "grey", label=f"frontier ({name})")
    if hasattr(fc.paths, "curve_at"):  # the saturation model has a fitted curve to draw over the past
        past = np.linspace(t_start, t0, 80)
        cp = d.denormalise(np.quantile(fc.paths.curve_at(past), [0.1, 0.5, 0.9], axis=0))
        ax.fill_between(_dates(past), cp[0], cp[2], color="tab:blue", alpha=0.12, lw=0)
        ax.plot(_dates(past), cp[1], color="tab:blue", lw=1, ls=":", label="fitted curve (past)")
    days = _dates(fan.t)
    for target in (ax, zoom):
        for (lo, hi), alpha in zip(BANDS, (0.15, 0.25, 0.4)):
            q = fan.bands[(lo, hi)]
            target.fill_between(days, q[0], q[1], color="tab:blue", alpha=alpha, lw=0,
                                label=f"{round((hi - lo) * 100)}% band")
        target.plot(days, fan.median, color="tab:blue", lw=2, label="median frontier")
        for i, thr in enumerate(thresholds):
            target.axhline(thr, color=_colour(i), ls="--", lw=1)
        target.grid(alpha=0.3)
    for i, thr in enumerate(thresholds):
        ax.text(0.01, thr + 0.8, f"{thr:g}%", color=_colour(i), fontsize=8, transform=ax.get_yaxis_transform())
    ax.axvline(fc.as_of, color="tab:green", lw=1)
    ax.text(fc.as_of, 101, f" as of {fc.as_of}", color="tab:green", fontsize=8, va="bottom")
    ax.axhline(fc.floor, color="grey", lw=0.8, ls=":")
    ax.set_ylim(max(fc.floor - 5, -2), 104)
    ax.set_ylabel("best score (%)")
    ax.set_title(f"{fc.benchmark}: frontier forecast ({getattr(fc, 'method', 'saturation')})")
    ax.legend(fontsize=7, loc="lower right", ncols=2)
    # The forecast alone, on a scale that shows it: from the lowest band to the highest.
    lo, hi = float(fan.bands[BANDS[0]][0].min()), float(fan.bands[BANDS[0]][1].max())
    lo, hi = min([lo, *[t for t in thresholds if t >= lo - 5]]), max([hi, *[t for t in thresholds if t <= hi + 5]])
    pad = max((hi - lo) * 0.08, 0.5)
    zoom.set_ylim(lo - pad, min(hi + pad, 100.5))
    for i, thr in enumerate(thresholds):
        if lo - pad < thr < hi + pad:
            zoom.text(days[0], thr, f" {thr:g}%", color=_colour(i), fontsize=8, va="bottom")
    zoom.set_title("the forecast, on its own scale", fontsize=9)
    zoom.yaxis.tick_right()
    zoom.tick_params(labelbottom=False)
    if fc.frontier is not None:  # with no result yet, "a new record" is any first result
        odds.plot(days, fan.p_new_record, color="black", lw=1.5, label="a new record")
    for i, (thr, p) in enumerate(fan.p_reached.items()):
        odds.plot(days, p, color=_colour(i), lw=1.5, ls="--", label=f"best >= {thr:g}%")
    odds.set_ylim(-0.02, 1.02)
    odds.set_ylabel("chance by then", fontsize=8)
    odds.yaxis.set_label_position("right")
    odds.yaxis.tick_right()
    odds.grid(alpha=0.3)
    odds.legend(fontsize=7, loc="best")
    for label in odds.get_xticklabels():
        label.set_rotation(30)
        label.set_ha("right")
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_ha("right")
    fig.subplots_adjust(left=0.06, right=0.95, top=0.93, bottom=0.12)
    return _save(fig, path)


def backtest_chart(scores, path: str | Path) -> Path:
    """Calibration (coverage of central intervals against their level) and PIT histograms."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from forecast.scoring import coverage

    models = list(dict.fromkeys(s.model for s in scores))
    levels = np.linspace(0.1, 0.9, 9)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), dpi=110)
    ax = axes[0]
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="ideal")
    for m in models:
        mine = [s for s in scores if s.model == m]
        cov = [np.mean([coverage(s.samples, s.truth, lv) for s in mine]) for lv in levels]
        ax.plot(levels, cov, marker="o", ms=3, label=f"{m} (n={len(mine)})", lw=2 if m == "benchcast" else 1)
    ax.set_xlabel("nominal central-interval level")
    ax.set_ylabel("share of outcomes inside")
    ax.set_title("Calibration")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax = axes[1]
    bins = np.linspace(0, 1, 11)
    for m in models:
        p = [s.pit for s in scores if s.model == m]
        ax.hist(p, bins=bins, histtype="step", density=True, lw=2 if m == "benchcast" else 1, label=m)
    ax.axhline(1.0, color="grey", ls="--", lw=1)
    ax.set_xlabel("PIT")
    ax.set_ylabel("density")
    ax.set_title("PIT histogram (flat = calibrated)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, path)
