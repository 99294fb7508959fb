"""The REST routes: each checks the caller, calls one service and returns its answer as JSON
(the services' values are turned into response bodies by `schemas`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Path, Request
from sqlalchemy.engine import Engine

from benchcast.db import linked, outcomes, players, portfolio, questions, resolutions, trading, users
from benchcast.db.users import UserRef
from benchcast.db.tokens import hash_token
from benchcast.server import schemas
from benchcast.server.auth import bearer
from benchcast.units import to_units

router = APIRouter(prefix="/api")
QuestionId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # ids are 32-bit integers in PostgreSQL
OrderId = Annotated[int, Path(ge=1, le=2**31 - 1)]
UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}
AUTH_RESPONSES = {401: {"description": "missing or invalid token"}, 429: {"description": "rate limited"}}


async def engine_of(request: Request) -> Engine:
    return request.app.state.engine


async def read(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a reading service in a worker thread."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


async def write(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a writing service: on the event loop (SQLite, see `create_app`), or in a worker
    thread queued behind the app's writer limiter, so that waiting requests do not each hold a
    thread and fight over the database lock and the GIL.
    """
    if request.app.state.inline_writes:
        return fn(*args, **kwargs)
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=request.app.state.writers)


async def current_user(request: Request) -> UserRef:
    """The caller named by the bearer token (401 without a valid one; 429 when too fast)."""
    token = bearer(request.headers.get("authorization"))
    if token is None:
        raise HTTPException(401, "missing bearer token: send Authorization: Bearer TOKEN (from POST /api/join)", UNAUTHORIZED)
    cache: dict = request.app.state.user_cache
    key = hash_token(token)
    user = cache.get(key)
    if user is None:
        user = await read(request, _lookup, request.app.state.engine, token)
        if user is None:
            raise HTTPException(401, "invalid bearer token", UNAUTHORIZED)
        cache[key] = user
    if not request.app.state.limiter.allow(f"user:{user.id}"):
        raise HTTPException(429, "too many requests: slow down", {"Retry-After": "1"})
    return user


def _lookup(engine: Engine, token: str) -> UserRef | None:
    with engine.connect() as conn:
        return users.user_by_token(conn, token)


async def host_user(user: Annotated[UserRef, Depends(current_user)]) -> UserRef:
    """The caller, who must be the host (403 otherwise)."""
    if not user.is_host:
        raise HTTPException(403, "only the host may do this")
    return user


User = Annotated[UserRef, Depends(current_user)]
Host = Annotated[UserRef, Depends(host_user)]
EngineDep = Annotated[Engine, Depends(engine_of)]


@router.post("/join", response_model=schemas.JoinOut, status_code=201, responses={403: {}, 409: {}, 429: {}})
async def join(body: schemas.JoinIn, request: Request, engine: EngineDep) -> dict:
    """Join the session with a name; the answer holds your bearer token (shown only once)."""
    client = request.client.host if request.client else "?"
    if not request.app.state.join_limiter.allow(f"ip:{client}"):
        raise HTTPException(429, "too many joins: slow down", {"Retry-After": "1"})
    settings = request.app.state.settings
    user, token = await write(request, users.join, engine, name=body.name, invite=body.invite, expected_invite=settings.invite,
                              max_players=settings.max_players)
    return {"user_id": user.id, "name": user.name, "token": token, "balance": to_units(users.STARTING_BALANCE),
            "link": players.reentry_link(str(request.base_url), token)}


@router.get("/me", response_model=schemas.MeOut, responses=AUTH_RESPONSES)
async def me(request: Request, user: User, engine: EngineDep) -> dict:
    """Your balance, positions (valued at what selling them now would return), open limit orders and profit."""
    return schemas.portfolio_out(await read(request, portfolio.portfolio, engine, user_id=user.id))


@router.get("/leaderboard", response_model=list[schemas.LeaderRow])
async def leaderboard(request: Request, engine: EngineDep) -> list[dict]:
    """Traders ranked by value: cash plus what selling every position now would return (liquidation value)."""
    return [schemas.leader_out(r) for r in await read(request, portfolio.leaderboard, engine)]


@router.get("/questions", response_model=list[schemas.QuestionOut])
async def list_questions(request: Request, engine: EngineDep) -> list[dict]:
    """Every question with its current prices (and its data link, if any)."""
    return [schemas.question_out(q) for q in await read(request, linked.list_with_links, engine)]


@router.post("/questions", response_model=schemas.QuestionOut, status_code=201, responses={**AUTH_RESPONSES, 400: {}, 403: {}})
async def create_question(request: Request, body: schemas.QuestionCreate, host: Host, engine: EngineDep) -> dict:
    """Open a market on a new question (host only); the subsidy comes from the house.

    With `link`, the question is tied to the benchmark data and resolves itself from it."""
    questions.check_closes_at(questions.parse_time(body.closes_at))  # a close time given must be ahead
    if body.link is not None:
        return schemas.question_out(await write(request, linked.create_linked_question, engine, created_by=host.id,
                                                question_in=body.to_linked_service()))
    if not body.title:
        raise HTTPException(422, "body.title: Field required (or give a link to write it from)")
    return schemas.question_out(await write(request, questions.create_question, engine, created_by=host.id,
                                            question_in=body.to_service()))


@router.get("/questions/{question_id}", response_model=schemas.QuestionOut, responses={404: {}})
async def get_question(request: Request, question_id: QuestionId, engine: EngineDep) -> dict:
    """One question with its current prices (and its data link, with evidence once decided)."""
    return schemas.question_out(await read(request, linked.get_with_link, engine, question_id))


@router.get("/questions/{question_id}/history", response_model=schemas.HistoryOut, responses={404: {}})
async def history(request: Request, question_id: QuestionId, engine: EngineDep) -> dict:
    """Prices after every trade, from the opening prices on."""
    return schemas.history_out(await read(request, questions.price_history, engine, question_id))


@router.post("/questions/{question_id}/quote", response_model=schemas.QuoteOut, responses={**AUTH_RESPONSES, 400: {}, 404: {}, 409: {}})
async def quote(request: Request, question_id: QuestionId, body: schemas.QuoteIn, user: User, engine: EngineDep) -> dict:
    """What an order would do now, without doing it."""
    body.outcome = outcomes.canonical(engine, question_id, body.outcome)  # one query per question, then cached
    return schemas.quote_out(await read(request, trading.quote_order, engine, user_id=user.id, order_in=body.to_service(question_id)))


@router.post("/questions/{question_id}/orders", response_model=schemas.OrderOut, responses={**AUTH_RESPONSES, 400: {}, 404: {}, 409: {}})
async def place_order(request: Request, question_id: QuestionId, body: schemas.OrderIn, user: User, engine: EngineDep) -> dict:
    """Buy an outcome for an amount of money or sell shares held, optionally with a limit price.

    `limit_price` alone is the worst average price accepted (refused with 409 if not met);
    with `resting: true` the order rests until the price reaches it, filling what it can now.
    """
    body.outcome = outcomes.canonical(engine, question_id, body.outcome)  # one query per question, then cached
    placed = await write(request, trading.place_order, engine, user_id=user.id, order_in=body.to_service(question_id))
    return schemas.order_out(placed)


@router.post("/orders/{order_id}/cancel", response_model=schemas.OrderOut, responses={**AUTH_RESPONSES, 403: {}, 404: {}, 409: {}})
async def cancel_order(request: Request, order_id: OrderId, user: User, engine: EngineDep) -> dict:
    """Cancel one of your resting limit orders; what it held comes back."""
    return schemas.order_out(await write(request, trading.cancel_order, engine, user_id=user.id, order_id=order_id))


@router.post("/questions/{question_id}/resolve", response_model=schemas.QuestionOut, responses={**AUTH_RESPONSES, 400: {}, 403: {}, 404: {}, 409: {}})
async def resolve(request: Request, question_id: QuestionId, body: schemas.ResolveIn, host: Host, engine: EngineDep) -> dict:
    """Resolve a question to an outcome or a probability, or cancel it (host only)."""
    body.outcome = outcomes.canonical(engine, question_id, body.outcome)  # one query per question, then cached
    return schemas.question_out(await write(request, resolutions.resolve_question, engine, question_id=question_id,
                                            resolved_by=host.id, **body.model_dump()))
