"""Charts of the capability index: models over time with the frontier trend, and scatter plots
against Epoch's published figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.plot import _save
from forecast.series import from_years

if TYPE_CHECKING:
    from forecast.capability.index import CapabilityIndex

#: Years past the as-of date that the chart projects the frontier.
PROJECT_YEARS = 2.0


def plot_index(ci: CapabilityIndex, path: str | Path, *, seed: int = 0) -> Path:
    """Every model's index (dot, 90% bar) against its release date, the frontier records, and
    the trend's 50% and 90% bands for `PROJECT_YEARS` after the as-of date."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = ci.models
    fig, ax = plt.subplots(figsize=(10, 6), dpi=110)
    dates = list(m["date"])
    ax.errorbar(dates, m["index"], yerr=[m["index"] - m["lo"], m["hi"] - m["index"]], fmt="o", ms=2.5,
                color="tab:blue", ecolor="tab:blue", alpha=0.35, elinewidth=0.6, label="models (90% interval)")
    best = -np.inf
    rx, ry = [], []
    for day, value in sorted(zip(dates, m["index"])):
        if value > best:
            best = value
            rx.append(day)
            ry.append(value)
    ax.step(rx, ry, where="post", color="black", lw=1.2, label="frontier record")
    tr = ci.trend
    t_fit = np.linspace(tr.k - (tr.t_now - tr.k), tr.t_now, 40)
    ax.plot([from_years(t) for t in t_fit], np.median(ci.scale(tr.level(t_fit)), axis=0), color="tab:red",
            lw=1.5, label=f"broken-line trend (ratio {ci.frontier['ratio']['median']:.2f})")
    t_fut = np.linspace(tr.t_now, tr.t_now + PROJECT_YEARS, 25)
    paths = ci.scale(tr.sample(t_fut, 2000, np.random.default_rng(seed)))
    days = [from_years(t) for t in t_fut]
    for lo, hi, alpha in ((5, 95, 0.15), (25, 75, 0.3)):
        ax.fill_between(days, np.percentile(paths, lo, 0), np.percentile(paths, hi, 0), color="tab:red",
                        alpha=alpha, lw=0)
    ax.plot(days, np.median(paths, 0), color="tab:red", ls="--", lw=1, label="frontier forecast (50/90%)")
    ax.axvline(ci.as_of, color="grey", ls=":", lw=1)
    ax.set_ylabel("capability index" + (" (Epoch scale)" if ci.scale.name == "eci" else " (latent)"))
    ax.set_title(f"Capability index as of {ci.as_of}: {len(m)} models, {len(ci.benchmarks)} benchmark series")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def plot_scatter(x: np.ndarray, y: np.ndarray, labels: list[str], path: str | Path, *, xlabel: str, ylabel: str,
                 title: str, annotate: int = 0) -> Path:
    """A scatter of `y` against `x` with the title naming the Spearman correlation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5.5), dpi=110)
    ax.scatter(x, y, s=12, alpha=0.7)
    for i in np.argsort(-np.abs(y - np.poly1d(np.polyfit(x, y, 1))(x)))[:annotate]:
        ax.annotate(labels[i], (x[i], y[i]), fontsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)
