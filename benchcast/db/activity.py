"""The activity feed: trades, new questions, resolutions and comments, newest first, in words."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.engine import Engine

from benchcast.db.history import resolution_text
from benchcast.db.models import Comment, Outcome, Question, Resolution, Trade, User
from benchcast.units import money


def _item(kind: str, at, qid: int, title: str, text: str) -> dict:  # type: ignore[no-untyped-def]
    return {"kind": kind, "at": at.isoformat(timespec="milliseconds") + "Z", "question_id": qid, "title": title, "text": text}


def feed(engine: Engine, limit: int = 40, question_id: int | None = None) -> list[dict]:
    """The latest `limit` events of the session (or of one question)."""
    def only(q, col):  # type: ignore[no-untyped-def]
        return q if question_id is None else q.where(col == question_id)

    with engine.connect() as conn:
        titles = {r.id: r.title for r in conn.execute(only(select(Question.id, Question.title), Question.id))}
        names = {(r.question_id, r.idx): r.name for r in conn.execute(only(select(Outcome), Outcome.question_id))}
        users = dict(conn.execute(select(User.id, User.name)).all())
        trades = conn.execute(only(select(Trade), Trade.question_id).order_by(Trade.id.desc()).limit(limit)).all()
        made = conn.execute(only(select(Question), Question.id).order_by(Question.id.desc()).limit(limit)).all()
        res = conn.execute(only(select(Resolution), Resolution.question_id).order_by(Resolution.id.desc()).limit(limit)).all()
        said = conn.execute(only(select(Comment), Comment.question_id).order_by(Comment.id.desc()).limit(limit)).all()
    items = []
    for t in trades:
        outcome, who = names[(t.question_id, t.outcome_idx)], users.get(t.user_id, "someone")
        p = json.loads(t.prices_after)[t.outcome_idx]
        verb = f"bought {outcome} for {money(t.cost)}" if t.side == "buy" else f"sold {money(t.shares)} {outcome} shares for {money(-t.cost)}"
        items.append(_item("trade", t.created_at, t.question_id, titles[t.question_id], f"{who} {verb}; {outcome} now {100 * p:.0f}%"))
    for q in made:
        items.append(_item("question", q.created_at, q.id, q.title, f"new question: {q.title}"))
    for r in res:
        prob = json.loads(r.probabilities) if r.probabilities else r.probability
        outcome = None if r.outcome_idx is None else names[(r.question_id, r.outcome_idx)]
        items.append(_item("resolution", r.created_at, r.question_id, titles[r.question_id],
                           f"resolved: {resolution_text(r.kind, outcome, prob)}"))
    for c in said:
        body = c.body if len(c.body) <= 80 else c.body[:79] + "…"
        items.append(_item("comment", c.created_at, c.question_id, titles[c.question_id], f"{users.get(c.user_id, 'someone')}: {body}"))
    items.sort(key=lambda i: i["at"], reverse=True)
    return items[:limit]
