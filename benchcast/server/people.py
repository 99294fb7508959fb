"""Routes of the people side: players (host), re-entry links, comments, activity, histories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from benchcast.db import activity, comments, history, players
from benchcast.server import people_schemas as s
from benchcast.server.routes import AUTH_RESPONSES, EngineDep, Host, QuestionId, User, read, write

router = APIRouter(prefix="/api")
Name = Annotated[str, Path(min_length=1, max_length=64)]


def _forget(request: Request, user_id: int) -> None:
    """Drop a player's cached token look-ups, so an old token stops working at once."""
    cache: dict = request.app.state.user_cache
    for key in [k for k, v in cache.items() if v.id == user_id]:
        cache.pop(key, None)


@router.get("/players", response_model=list[s.PlayerOut], responses={**AUTH_RESPONSES, 403: {}})
async def list_players(request: Request, host: Host, engine: EngineDep) -> list[dict]:
    """Everyone who joined, with their cash (host only)."""
    return [s.player_out(p) for p in await read(request, players.list_players, engine)]


@router.post("/players/{name}/reissue", response_model=s.LinkOut, responses={**AUTH_RESPONSES, 403: {}, 404: {}})
async def reissue(request: Request, name: Name, host: Host, engine: EngineDep) -> dict:
    """A new re-entry link for a player who lost theirs (host only); the old link stops working."""
    user, token = await write(request, players.reissue, engine, name)
    _forget(request, user.id)
    return {"name": user.name, "token": token, "link": players.reentry_link(str(request.base_url), token)}


@router.delete("/players/{name}", response_model=s.RemovedOut, responses={**AUTH_RESPONSES, 403: {}, 404: {}})
async def remove(request: Request, name: Name, host: Host, engine: EngineDep) -> dict:
    """Remove a player (host only): their link stops working and they leave the leaderboard."""
    user = await write(request, players.remove, engine, name)
    _forget(request, user.id)
    return {"name": user.name, "is_removed": True}


@router.get("/me/history", response_model=s.HistoryMeOut, responses=AUTH_RESPONSES)
async def my_history(request: Request, user: User, engine: EngineDep) -> dict:
    """Your trades (newest first) and the resolved questions you took part in, with payouts."""
    trades = await read(request, history.trades_of, engine, user.id)
    resolved = await read(request, history.resolved_of, engine, user.id)
    return {"trades": [s.trade_out(t) for t in trades], "resolved": [s.resolved_out(r) for r in resolved]}


@router.get("/questions/{question_id}/payouts", response_model=list[s.PayoutOut])
async def payouts(request: Request, question_id: QuestionId, engine: EngineDep) -> list[dict]:
    """Each player's paid in, payout and profit once the question is resolved (else empty)."""
    return [s.payout_out(r) for r in await read(request, history.payouts_of, engine, question_id)]


@router.get("/questions/{question_id}/comments", response_model=list[s.CommentOut], responses={404: {}})
async def list_comments(request: Request, question_id: QuestionId, engine: EngineDep) -> list[dict]:
    """The comments on a question, oldest first."""
    return [s.comment_out(c) for c in await read(request, comments.list_comments, engine, question_id)]


@router.post("/questions/{question_id}/comments", response_model=s.CommentOut, status_code=201,
             responses={**AUTH_RESPONSES, 400: {}, 404: {}, 409: {}})
async def add_comment(request: Request, question_id: QuestionId, body: s.CommentIn, user: User, engine: EngineDep) -> dict:
    """Comment on a question (plain text, at most 1000 characters, 5 a minute)."""
    return s.comment_out(await write(request, comments.add_comment, engine, user_id=user.id, question_id=question_id, body=body.body))


@router.get("/activity", response_model=list[s.ActivityOut])
async def feed(request: Request, engine: EngineDep,
               question_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 40) -> list[dict]:
    """The latest trades, new questions, resolutions and comments, newest first."""
    return [s.activity_out(e) for e in await read(request, activity.feed, engine, limit, question_id)]
