"""Live updates by Server-Sent Events (sse-starlette): `GET /api/events`.

The server sends a `change` event whenever the session's state moves: a trade, a cancel or a
resolution (the sum of the markets' versions), a new question, a new player or a comment. The
page then fetches what it shows. The state's fingerprint is one small query, asked at most
every `POLL_S` seconds however many pages listen, and it reads the database, so writes made by
any process (bots, the CLI, a second server) reach every page. Pages that cannot keep an
EventSource open fall back to polling the REST API.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, Request
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sse_starlette.sse import EventSourceResponse

from benchcast.db.models import Comment, MarketState, Question, User

router = APIRouter(prefix="/api")
#: Seconds between two looks at the database's fingerprint.
POLL_S = 0.3
#: Seconds between keep-alive comments on an idle stream.
PING_S = 15


def fingerprint(engine: Engine) -> str:
    """A string that changes whenever anything the page shows changes."""
    query = select(select(func.coalesce(func.sum(MarketState.version), 0)).scalar_subquery(),
                   select(func.coalesce(func.max(Question.id), 0)).scalar_subquery(),
                   select(func.count()).select_from(User).scalar_subquery(),
                   select(func.coalesce(func.max(Comment.id), 0)).scalar_subquery())
    with engine.connect() as conn:
        return ":".join(str(v) for v in conn.execute(query).one())


class Fingerprint:
    """The latest fingerprint, shared by every listener and refreshed at most every POLL_S."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.value = ""
        self.at = 0.0
        self.lock = anyio.Lock()

    async def current(self) -> str:
        async with self.lock:
            if time.monotonic() - self.at >= POLL_S:
                self.value = await anyio.to_thread.run_sync(fingerprint, self.engine)
                self.at = time.monotonic()
            return self.value


def _shared(request: Request) -> Fingerprint:
    state = request.app.state
    if getattr(state, "fingerprint", None) is None:
        state.fingerprint = Fingerprint(state.engine)
    return state.fingerprint


@router.get("/events", include_in_schema=True, response_class=EventSourceResponse)
async def events(request: Request) -> EventSourceResponse:
    """Server-Sent Events: `change` (data: a fingerprint) whenever the session's state moves."""
    shared = _shared(request)

    async def stream() -> AsyncIterator[dict]:
        last = None
        while not await request.is_disconnected():
            value = await shared.current()
            if value != last:
                last = value
                yield {"event": "change", "data": value}
            await anyio.sleep(POLL_S)

    return EventSourceResponse(stream(), ping=PING_S, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
