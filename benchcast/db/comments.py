"""Comments on questions: plain text (the page shows them as text), length- and rate-limited.

The rate limit lives in the database (at most `MAX_PER_MINUTE` comments a minute per player),
so it holds across server processes and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine

from benchcast.db.errors import Conflict, InvalidRequest, NotFound
from benchcast.db.models import Comment, Question, User, utcnow
from benchcast.db.tx import run_write

#: Longest comment, in characters.
MAX_LENGTH = 1000
#: Comments a player may post in any minute.
MAX_PER_MINUTE = 5


@dataclass(frozen=True, slots=True)
class CommentView:
    """A stored comment, with its author's name."""

    id: int
    question_id: int
    name: str
    body: str
    at: datetime


def clean_body(body: str) -> str:
    """`body` stripped and checked: 1 to MAX_LENGTH characters."""
    body = body.strip()
    if not body:
        raise InvalidRequest("a comment needs some text")
    if len(body) > MAX_LENGTH:
        raise InvalidRequest(f"a comment is at most {MAX_LENGTH} characters; this one has {len(body)}")
    return body


def add_comment(engine: Engine, *, user_id: int, question_id: int, body: str) -> CommentView:
    """Store a comment by `user_id` on `question_id` and return it."""
    body = clean_body(body)

    def work(conn: Connection) -> CommentView:
        if conn.execute(select(Question.id).where(Question.id == question_id)).first() is None:
            raise NotFound(f"question {question_id} does not exist")
        now = utcnow()
        recent = conn.execute(select(func.count()).select_from(Comment).where(
            Comment.user_id == user_id, Comment.created_at > now - timedelta(minutes=1))).scalar_one()
        if recent >= MAX_PER_MINUTE:
            raise Conflict(f"you have posted {recent} comments in the last minute; wait a little (at most {MAX_PER_MINUTE} a minute)")
        cid = conn.execute(insert(Comment).values(question_id=question_id, user_id=user_id, body=body, created_at=now)
                           .returning(Comment.id)).scalar_one()
        name = conn.execute(select(User.name).where(User.id == user_id)).scalar_one()
        return CommentView(cid, question_id, name, body, now)

    return run_write(engine, work)


def list_comments(engine: Engine, question_id: int, limit: int = 200) -> list[CommentView]:
    """The comments on a question, oldest first (the last `limit`)."""
    with engine.connect() as conn:
        if conn.execute(select(Question.id).where(Question.id == question_id)).first() is None:
            raise NotFound(f"question {question_id} does not exist")
        rows = conn.execute(select(Comment, User.name).join(User, User.id == Comment.user_id)
                            .where(Comment.question_id == question_id).order_by(Comment.id.desc()).limit(limit)).all()
    return [CommentView(r.id, r.question_id, r.name, r.body, r.created_at) for r in reversed(rows)]
