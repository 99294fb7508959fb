"""The scoreboard: over resolved questions, who forecast better, the market, the model or each
trader.

Per resolved question (cancelled ones are skipped), with truth ``o`` (what one share of each
outcome paid):

- market at close: the prices after the last trade before trading stopped (the question's
  ``closes_at`` or its resolution, whichever came first);
- market time-weighted: the prices averaged over the question's life, each weighted by how long
  it stood, ``sum_k p_k (t_{k+1} - t_k) / (t_end - t_0)``;
- the model: the forecast stored when the question opened (linked questions);
- each trader: the prices their last trade left (what they moved the market to).

Scores (from `markets.scoring`): Brier ``0.5 * sum_i (p_i - o_i)^2`` (for a binary question
``(p_yes - o_yes)^2``; lower is better) and log ``sum_i o_i ln p_i`` (higher is better).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine

from benchcast.db.linked import LinkView, link_rows
from benchcast.db.models import Question, Resolution, Trade, User
from markets.scoring import brier, log_score

MARKET_CLOSE, MARKET_TW, MODEL = "market_close", "market_time_weighted", "model"
LABELS = {MARKET_CLOSE: "market (at close)", MARKET_TW: "market (time-weighted)", MODEL: "model (at opening)"}


def _truth(row, n: int) -> list[float] | None:  # type: ignore[no-untyped-def]
    """What one share of each outcome paid; None for a cancelled question."""
    if row.rkind == "outcome" and row.outcome_idx is not None:
        return [1.0 if i == row.outcome_idx else 0.0 for i in range(n)]
    if row.rkind == "probability":
        if row.probabilities:
            return [float(x) for x in json.loads(row.probabilities)]
        return [float(row.probability), 1.0 - float(row.probability)]
    return None


def _path(q, trades: list, end: datetime) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Prices at close and time-weighted over [created_at, end]."""
    points = [(q.created_at, json.loads(q.initial_prices))] + [(t.created_at, json.loads(t.prices_after)) for t in trades
                                                              if t.created_at <= end]
    close = points[-1][1]
    span = (end - q.created_at).total_seconds()
    if span <= 0:
        return close, close
    acc = np.zeros(len(close))
    for (t0, p), (t1, _) in zip(points, points[1:] + [(end, close)]):
        acc += np.asarray(p) * max((t1 - t0).total_seconds(), 0.0)
    return close, list(acc / span)


@dataclass(frozen=True)
class Scores:
    """Brier (lower is better) and log score (higher is better) of one forecast."""

    brier: float
    log: float


@dataclass(frozen=True)
class ScoredQuestion:
    """One resolved question: what each forecaster gave, what happened, and the scores.

    `scores` is keyed by forecaster: ``market_close``, ``market_time_weighted``, ``model`` (when
    the question has a model forecast) and ``trader:NAME``; `traders` by name."""

    question_id: int
    title: str
    truth: tuple[float, ...]
    market_close: tuple[float, ...]
    market_time_weighted: tuple[float, ...]
    model: tuple[float, ...] | None
    traders: dict[str, tuple[float, ...]]
    scores: dict[str, Scores]


@dataclass(frozen=True)
class ForecasterScore:
    """A forecaster's mean scores over its `n` questions."""

    forecaster: str
    n: int
    brier: float
    log: float


@dataclass(frozen=True)
class HeadToHead:
    """Market at close against the model, on the `n` questions that have both."""

    n: int
    market_brier: float | None = None
    model_brier: float | None = None
    market_better: int = 0
    model_better: int = 0


@dataclass(frozen=True)
class Scoreboard:
    """Per-question forecasts and scores, and each forecaster's means."""

    questions: tuple[ScoredQuestion, ...]
    summary: tuple[ForecasterScore, ...]
    head_to_head: HeadToHead

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`benchcast market scoreboard --json`); the head-to-head is ``{"n": 0}`` when empty."""
        h = asdict(self.head_to_head) if self.head_to_head.n else {"n": 0}
        return {"questions": [asdict(q) for q in self.questions], "summary": [asdict(x) for x in self.summary], "head_to_head": h}


def _scores(p: Sequence[float], o: Sequence[float]) -> Scores:
    return Scores(round(brier(list(p), list(o)), 6), round(log_score(list(p), list(o)), 6))


def _entry(q, trades: list, link: LinkView | None, names: dict[int, str]) -> ScoredQuestion | None:  # type: ignore[no-untyped-def]
    """One resolved question's forecasts and scores (None for a cancelled one)."""
    o = _truth(q, len(json.loads(q.initial_prices)))
    if o is None:
        return None
    end = min(q.closes_at, q.resolved_at) if q.closes_at else q.resolved_at
    close, tw = _path(q, trades, end)
    model = link.model_forecast if link is not None and link.model_forecast else None
    scores = {MARKET_CLOSE: _scores(close, o), MARKET_TW: _scores(tw, o)}
    if model:
        scores[MODEL] = _scores(model, o)
    last: dict[int, list[float]] = {}
    for t in trades:
        if t.created_at <= end:
            last[t.user_id] = json.loads(t.prices_after)
    traders = {}
    for uid, p in last.items():
        traders[names.get(uid, str(uid))] = tuple(p)
        scores[f"trader:{names.get(uid, uid)}"] = _scores(p, o)
    return ScoredQuestion(q.id, q.title, tuple(o), tuple(close), tuple(tw), model, traders, scores)


def build_scoreboard(engine: Engine) -> Scoreboard:
    """Per-question forecasts and scores, and each forecaster's mean over its questions."""
    with engine.connect() as conn:
        resolved = conn.execute(select(Question, Resolution.kind.label("rkind"), Resolution.outcome_idx, Resolution.probability,
                                       Resolution.probabilities, Resolution.created_at.label("resolved_at"))
                                .join(Resolution, Resolution.question_id == Question.id).order_by(Question.id)).all()
        trades = conn.execute(select(Trade).order_by(Trade.id)).all()
        names = {u.id: u.name for u in conn.execute(select(User.id, User.name))}
    links = link_rows(engine)
    by_q: dict[int, list] = {}
    for t in trades:
        by_q.setdefault(t.question_id, []).append(t)
    rows = [e for e in (_entry(q, by_q.get(q.id, []), links.get(q.id), names) for q in resolved) if e is not None]
    totals: dict[str, list[Scores]] = {}
    for entry in rows:
        for who, sc in entry.scores.items():
            totals.setdefault(who, []).append(sc)
    summary = [ForecasterScore(who, len(s), round(float(np.mean([x.brier for x in s])), 4), round(float(np.mean([x.log for x in s])), 4))
               for who, s in totals.items()]
    summary.sort(key=lambda r: (r.forecaster.startswith("trader:"), r.brier))
    return Scoreboard(tuple(rows), tuple(summary), _head_to_head(rows))


def _head_to_head(rows: list[ScoredQuestion]) -> HeadToHead:
    """Market at close against the model on the questions that have both."""
    both = [r for r in rows if r.model]
    if not both:
        return HeadToHead(0)
    m = [r.scores[MARKET_CLOSE].brier for r in both]
    f = [r.scores[MODEL].brier for r in both]
    return HeadToHead(len(both), round(float(np.mean(m)), 4), round(float(np.mean(f)), 4),
                      int(sum(a < b for a, b in zip(m, f))), int(sum(b < a for a, b in zip(m, f))))


def render_lines(board: Scoreboard) -> list[str]:
    """The scoreboard as text: one line per question, then the summary table."""
    if not board.questions:
        return ["no resolved questions yet"]
    out = ["probability each gave to what happened:  market at close / time-weighted / model at opening"]
    for r in board.questions:
        won = r.truth.index(max(r.truth))
        model = f"{r.model[won]:.2f}" if r.model else "  - "
        out.append(f"#{r.question_id:<3} {r.title[:62]:<62}  {r.market_close[won]:.2f} / {r.market_time_weighted[won]:.2f} / {model}")
    width = max(len(LABELS.get(s.forecaster, s.forecaster)) for s in board.summary)
    out += ["", f"{'forecaster':<{width}}  {'n':>3}  {'Brier':>7}  {'log':>8}   (Brier: lower is better; log: higher)"]
    out += [f"{LABELS.get(s.forecaster, s.forecaster):<{width}}  {s.n:>3}  {s.brier:>7.4f}  {s.log:>8.4f}" for s in board.summary]
    h = board.head_to_head
    if h.n:
        out.append(f"market vs model on {h.n} questions: Brier {h.market_brier:.4f} vs {h.model_brier:.4f}; "
                   f"market better on {h.market_better}, model on {h.model_better}")
    return out


def calibration_plot(board: Scoreboard, path: str | Path) -> Path:
    """PNG: observed frequency against forecast probability, market at close and model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5), dpi=110)
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfect calibration")
    for key, color in ((MARKET_CLOSE, "tab:blue"), (MODEL, "tab:orange")):
        f, o = _pairs(board.questions, key)
        if not f:
            continue
        edges = np.linspace(0, 1, 6)
        idx = np.clip(np.digitize(f, edges) - 1, 0, 4)
        xs = [float(np.mean(np.asarray(f)[idx == k])) for k in range(5) if (idx == k).any()]
        ys = [float(np.mean(np.asarray(o)[idx == k])) for k in range(5) if (idx == k).any()]
        ax.scatter(f, o, color=color, alpha=0.25, s=12)
        ax.plot(xs, ys, marker="o", color=color, label=f"{LABELS[key]} ({len(f)} forecasts)")
    ax.set(xlim=(0, 1), ylim=(-0.03, 1.03), xlabel="forecast probability", ylabel="observed frequency",
           title="Calibration on resolved questions")
    ax.legend(loc="lower right", fontsize=8)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def _pairs(rows: Sequence[ScoredQuestion], key: str) -> tuple[list[float], list[float]]:
    f: list[float] = []
    o: list[float] = []
    for r in rows:
        p = getattr(r, key)
        if not p:
            continue
        k = 1 if len(p) == 2 else len(p)
        f += list(p[:k])
        o += list(r.truth[:k])
    return f, o
