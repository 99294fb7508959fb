"""Resolution from the data: every open linked question whose answer the data now settles is
resolved through the same service (and ledger) as a host's resolution, with its evidence.

- threshold: YES as soon as a qualifying result dated on or before ``by`` exists; NO once
  ``by + grace_days`` has passed without one (today is later than that day).
- leader: once ``at + grace_days`` has passed, the group of the best open-weight model dated on
  or before ``at`` ('other' when the question does not list it).

Questions the host resolved by hand, or whose link has ``auto`` off, are left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from benchcast.db.linked import Link, link_rows
from benchcast.db.models import QuestionLink, User, utcnow
from benchcast.db.questions import list_questions
from benchcast.db.resolutions import resolve_question
from benchcast.db.tx import run_write
from priors.history import is_single_attempt

#: Evidence rows kept per decision.
MAX_EVIDENCE = 5


@dataclass(frozen=True)
class Decision:
    """What the data says about one question."""

    outcome: str
    reason: str
    evidence: list[dict[str, Any]] = field(default_factory=list)  # result rows as stored with the link (JSON)


@dataclass(frozen=True)
class Resolved:
    """A question the data settled and that was resolved: to what, why, on which rows."""

    question_id: int
    title: str
    outcome: str
    reason: str
    evidence: list[dict[str, Any]]


def _evidence(rows: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for r in rows.head(MAX_EVIDENCE).itertuples(index=False):
        d = r._asdict()
        out.append({
            "benchmark": d.get("benchmark") or d.get("metric"), "model": d["model"], "date": d["date"].date().isoformat(),
            "score": float(d["score"]), "provenance": d.get("provenance", ""), "score_column": d.get("score_column", ""),
            "organization": d.get("organization", ""), "country": d.get("country", ""),
            "source": str(d.get("source", ""))[:200],
            "origin": "shipped" if not d.get("import_id") else f"import {int(d['import_id'])}",
        })
    return out


def qualifying(results: pd.DataFrame, link: Link) -> pd.DataFrame:
    """The results of the link's benchmark, series and settings dated on or before ``by``."""
    rows = results[(results["benchmark"] == link.benchmark) & (results["date"] <= pd.Timestamp(link.by))]
    if link.series == "independent":
        rows = rows[rows["provenance"] != "self_reported"]
    elif link.series == "self_reported":
        rows = rows[rows["provenance"] == "self_reported"]
    if link.settings == "single_attempt":
        rows = rows[rows["score_column"].map(is_single_attempt).astype(bool)]
    return rows


def decide(link: Link, outcomes: list[str], results: pd.DataFrame, open_weight: pd.DataFrame,
           today: date) -> Decision | None:
    """The outcome the data settles for a linked question, or None while it is undecided."""
    if link.kind == "leader":
        return _decide_leader(link, outcomes, open_weight, today)
    rows = qualifying(results, link)
    hits = rows[rows["score"] >= link.threshold].sort_values(["date", "score"], ascending=[True, False], kind="stable")
    if len(hits):
        first = hits.iloc[0]
        return Decision("YES", f"{first['model']} scored {round(first['score'], 2):g}% (dated {first['date'].date()})", _evidence(hits))
    deadline = date.fromisoformat(link.by) + timedelta(days=link.grace_days)  # type: ignore[arg-type]
    if today > deadline:
        best = rows.sort_values(["score", "date"], ascending=[False, True], kind="stable")
        top = f"best {round(best.iloc[0]['score'], 2):g}% by {best.iloc[0]['model']}" if len(best) else "no qualifying result"
        return Decision("NO", f"no result >= {link.threshold:g}% by {link.by} ({top}; grace ended {deadline})",
                        _evidence(best.head(1)))
    return None


def _decide_leader(link: Link, outcomes: list[str], open_weight: pd.DataFrame, today: date) -> Decision | None:
    deadline = date.fromisoformat(link.at) + timedelta(days=link.grace_days)  # type: ignore[arg-type]
    if today <= deadline:
        return None
    rows = open_weight[(open_weight["metric"] == link.metric) & (open_weight["known_at"] <= pd.Timestamp(link.at))
                       & (open_weight["open_weights"] == True) & (open_weight["lab"] != "")]  # noqa: E712
    if rows.empty:
        return None
    best = rows.sort_values(["score", "date"], ascending=[False, True], kind="stable")
    top = best.iloc[0]
    group = str(top["country"] if link.leader == "country" else top["lab"]) or "?"
    outcome = group if group in outcomes else ("other" if "other" in outcomes else None)
    if outcome is None:
        return None
    return Decision(outcome, f"{top['model']} ({group}) leads with {top['score']:g} on {link.at}", _evidence(best.head(3)))


def _host_id(engine: Engine) -> int:
    from benchcast.errors import ConfigError

    with engine.connect() as conn:
        uid = conn.execute(select(User.id).where(User.is_host.is_(True)).order_by(User.id)).first()
    if uid is None:
        raise ConfigError("the database has no host user to resolve as; start `benchcast serve` on it once")
    return int(uid[0])


def autoresolve(engine: Engine, *, today: date | None = None, results: pd.DataFrame | None = None,
                open_weight: pd.DataFrame | None = None) -> list[Resolved]:
    """Resolve every open, auto-resolving linked question the data settles; returns what was done.

    `results` and `open_weight` default to the shipped plus imported data (`priors.store`)."""
    from priors.store import load_all, load_open_weight

    today = today or date.today()
    links = {qid: lk.link for qid, lk in link_rows(engine).items() if lk.link.auto}
    if not links:
        return []
    questions = {q.id: q for q in list_questions(engine) if q.id in links and q.status == "open"}
    if not questions:
        return []
    results = load_all() if results is None else results
    open_weight = load_open_weight() if open_weight is None else open_weight
    host, done = None, []
    for qid, q in sorted(questions.items()):
        decision = decide(links[qid], [o.name for o in q.outcomes], results, open_weight, today)
        if decision is None:
            continue
        host = host or _host_id(engine)
        _record(engine, qid, decision)
        resolve_question(engine, question_id=qid, resolved_by=host, outcome=decision.outcome)
        done.append(Resolved(qid, q.title, decision.outcome, decision.reason, decision.evidence))
    return done


def _record(engine: Engine, question_id: int, decision: Decision) -> None:
    """Store the decision and its evidence before paying out, so a resolution never lacks them."""
    payload = json.dumps({"reason": decision.reason, "rows": decision.evidence})
    run_write(engine, lambda conn: conn.execute(update(QuestionLink).where(QuestionLink.question_id == question_id).values(
        decided=decision.outcome, decided_at=utcnow(), evidence=payload)))


def autoresolve_url(url: str | None, today: date | None = None) -> list[Resolved]:
    """`autoresolve` on the database at `url` (the CLI's entry point)."""
    from benchcast.db.engine import create_all, make_engine

    engine = make_engine(url)
    try:
        create_all(engine)
        return autoresolve(engine, today=today)
    finally:
        engine.dispose()


__all__ = ["Decision", "Resolved", "autoresolve", "autoresolve_url", "decide", "qualifying"]


def start_periodic(engine: Engine, every_s: float, report=None) -> "threading.Event":  # type: ignore[no-untyped-def]
    """Run `autoresolve` every `every_s` seconds in a daemon thread (what `benchcast serve`
    does); `report(list)` receives each non-empty result, `report(error)` each failure.
    Returns the event that stops the thread."""
    import threading

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_s):
            try:
                done = autoresolve(engine)
            except Exception as exc:  # keep serving: one bad pass must not stop the next
                done = exc
            if report and done:
                report(done)

    threading.Thread(target=loop, name="benchcast-autoresolve", daemon=True).start()
    return stop
