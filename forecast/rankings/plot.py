"""A chart of open-weight rankings: records so far, the forecast band, and leader odds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery
from forecast.rankings.forecast import RankingsForecast, simulate
from forecast.rankings.data import known_at


def _steps(rows: pd.DataFrame) -> tuple[list[pd.Timestamp], list[float]]:
    """The running record of `rows` as step points."""
    xs, ys, best = [], [], -np.inf
    for day, score in rows.sort_values("date")[["date", "score"]].itertuples(index=False):
        if score > best:
            best = score
            xs.append(day)
            ys.append(score)
    return xs, ys


def plot_rankings(frame: pd.DataFrame, result: RankingsForecast, path: str | Path, seed: int = 0) -> Path:
    """Write a PNG: left, each entry's open-weight record and the closed record up to the as-of
    date, then the 80% bands of the simulated open and closed records; right, leader odds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if result.fit is None:
        raise InvalidQuery("this forecast keeps no posterior to plot; make it with forecast_rankings")
    data = result.fit.data
    key = "lab" if result.by == "organization" else "country"
    rows = frame[(frame["metric"] == result.metric) & (known_at(frame) <= pd.Timestamp(result.as_of))]
    last = max(a.date for a in result.at)
    grid = [result.as_of + timedelta(days=int(d)) for d in np.linspace(15, (last - result.as_of).days, 12)]
    sim = simulate(result.fit, grid, seed)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [2, 1]})
    named = [n for n in result.at[-1].leader_probabilities if n != "other"][:6]
    for name in named:
        xs, ys = _steps(rows[(rows["open_weights"] == True) & (rows[key] == name)])
        if xs:
            left.step(xs + [pd.Timestamp(result.as_of)], ys + [ys[-1]], where="post", label=f"open: {name}")
    xs, ys = _steps(rows[rows["open_weights"] == False])
    left.step(xs + [pd.Timestamp(result.as_of)], ys + [ys[-1]], where="post", color="black", label="closed record")
    days = [pd.Timestamp(d) for d in grid]
    for arr, color, label in ((sim.open_best, "tab:green", "open record (80%)"),
                              (sim.closed_best, "grey", "closed record (80%)")):
        q = data.scale.from_z(np.quantile(arr, [0.1, 0.5, 0.9], axis=0))
        left.fill_between(days, q[0], q[2], color=color, alpha=0.25, label=label)
        left.plot(days, q[1], color=color, lw=1)
    left.axvline(pd.Timestamp(result.as_of), color="k", ls=":", lw=1)
    left.set_title(f"{result.metric}: records and forecast")
    left.legend(fontsize=7, loc="upper left")
    bottoms = np.zeros(len(result.at))
    labels = [a.date.isoformat() for a in result.at]
    names = list(dict.fromkeys(n for a in result.at for n in a.leader_probabilities))
    for name in names:
        vals = np.array([a.leader_probabilities.get(name, 0.0) for a in result.at])
        right.bar(labels, vals, bottom=bottoms, label=name)
        bottoms += vals
    right.set_ylim(0, 1)
    right.set_title(f"P(top open-weight model) by {result.by}")
    right.legend(fontsize=7)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_reliability(rows: list, path: str | Path, bins: int = 5) -> Path:
    """Write a PNG reliability diagram of the backtest's leader probabilities: per bin of forecast
    probability, the share of entries that did lead, for the model and the three baselines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from forecast.rankings.backtest import METHODS, reliability

    if not rows:
        raise InvalidQuery("the backtest scored no question; nothing to plot")
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.plot([0, 1], [0, 1], color="k", ls=":", lw=1, label="perfect calibration")
    for method, marker in zip(METHODS, ("o", "s", "^", "v", "D")):
        rel = reliability(rows, method, bins)
        lw = 2.0 if method in ("model", "pooled") else 1.0
        ax.plot(rel["mean_p"], rel["observed"], marker=marker, lw=lw, label=method)
        if method == "model":
            for r in rel.itertuples(index=False):
                ax.annotate(str(r.n), (r.mean_p, r.observed), textcoords="offset points", xytext=(5, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast probability that an entry leads")
    ax.set_ylabel("share that did lead")
    ax.set_title(f"Leader forecasts: reliability over {len(rows)} questions (n per bin)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
