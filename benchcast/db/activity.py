"""The activity feed: trades, new questions, resolutions and comments, newest first.

Events are frozen values in micro-units (`TradeEvent`, `QuestionEvent`, `ResolutionEvent`,
`CommentEvent`); the HTTP edge words them for people (`benchcast.server.people_schemas`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from benchcast.db.models import Comment, Outcome, Question, Resolution, Trade, User
from benchcast.db.questions import ResolutionView, resolution_view

#: The name shown for a user who no longer exists.
SOMEONE = "someone"


@dataclass(frozen=True, slots=True)
class TradeEvent:
    """`who` bought (cost paid) or sold (shares, for -cost) `outcome`, leaving its price at `price`."""

    at: datetime
    question_id: int
    title: str
    who: str
    side: str
    outcome: str
    shares: int
    cost: int
    price: float


@dataclass(frozen=True, slots=True)
class QuestionEvent:
    """A question was opened."""

    at: datetime
    question_id: int
    title: str


@dataclass(frozen=True, slots=True)
class ResolutionEvent:
    """A question was resolved."""

    at: datetime
    question_id: int
    title: str
    resolution: ResolutionView


@dataclass(frozen=True, slots=True)
class CommentEvent:
    """`who` commented."""

    at: datetime
    question_id: int
    title: str
    who: str
    body: str


Event = TradeEvent | QuestionEvent | ResolutionEvent | CommentEvent


def _to_ms(t: datetime) -> datetime:
    """The time as the feed shows it (milliseconds), so events within one millisecond keep their kind order."""
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def feed(engine: Engine, limit: int = 40, question_id: int | None = None) -> list[Event]:
    """The latest `limit` events of the session (or of one question), newest first."""
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
    items: list[Event] = []
    for t in trades:
        items.append(TradeEvent(t.created_at, t.question_id, titles[t.question_id], users.get(t.user_id, SOMEONE), t.side,
                                names[(t.question_id, t.outcome_idx)], t.shares, t.cost, json.loads(t.prices_after)[t.outcome_idx]))
    items += [QuestionEvent(q.created_at, q.id, q.title) for q in made]
    for r in res:
        outcomes = {i: n for (qid, i), n in names.items() if qid == r.question_id}
        items.append(ResolutionEvent(r.created_at, r.question_id, titles[r.question_id], resolution_view(r, outcomes)))
    items += [CommentEvent(c.created_at, c.question_id, titles[c.question_id], users.get(c.user_id, SOMEONE), c.body) for c in said]
    items.sort(key=lambda e: _to_ms(e.at), reverse=True)
    return items[:limit]
