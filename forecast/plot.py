"""Fan charts of a forecast: results, frontier, 50/80/95% bands, thresholds, the as-of line."""

from __future__ import annotations

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


def fan_chart(fc: Forecast, path: str | Path, *, until: date | None = None,
              thresholds: list[float] | None = None, results=None) -> Path:
    """Write the fan chart of `fc` to `path` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = to_years(fc.as_of)
    t_end = to_years(until) if until else t0 + 3.0
    t_end = max(t_end, t0 + 0.5)
    d = fc.data
    t_start = min(d.t.min() if d.n_records else t0 - 1.0, d.released) - 0.25
    fig, ax = plt.subplots(figsize=(9, 5.2), dpi=110)
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
    fut = np.linspace(t0, t_end, 120)
    fr = d.denormalise(fc.paths.frontier_at(fut))
    for lo, hi, alpha in ((0.025, 0.975, 0.15), (0.1, 0.9, 0.25), (0.25, 0.75, 0.4)):
        q = np.quantile(fr, [lo, hi], axis=0)
        ax.fill_between(_dates(fut), q[0], q[1], color="tab:blue", alpha=alpha, lw=0,
                        label=f"{round((hi - lo) * 100)}% band")
    ax.plot(_dates(fut), np.median(fr, axis=0), color="tab:blue", lw=2, label="median frontier")
    for thr in thresholds or []:
        ax.axhline(thr, color="tab:red", ls="--", lw=1)
        ax.text(_dates([t_start])[0], thr + 0.8, f"{thr:g}%", color="tab:red", fontsize=8)
    ax.axvline(fc.as_of, color="tab:green", lw=1)
    ax.text(fc.as_of, 101, f" as of {fc.as_of}", color="tab:green", fontsize=8, va="bottom")
    ax.axhline(fc.floor, color="grey", lw=0.8, ls=":")
    ax.set_ylim(max(fc.floor - 5, -2), 104)
    ax.set_ylabel("best score (%)")
    ax.set_title(f"{fc.benchmark}: frontier forecast ({getattr(fc, 'method', 'saturation')})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    fig.autofmt_xdate()
    fig.tight_layout()
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
