"""Bodies of the people-side routes: players, comments, activity, trade history, payouts; and
the functions that turn the services' values into them (money in units, events in words)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from benchcast.db.activity import CommentEvent, Event, QuestionEvent, ResolutionEvent, TradeEvent
from benchcast.db.comments import CommentView
from benchcast.db.history import PayoutRow, ResolvedRecord, TradeRecord
from benchcast.db.players import PlayerView
from benchcast.db.questions import ResolutionView
from benchcast.server.schemas import Strict, Text, utc
from benchcast.units import money, to_units

#: Longest comment quoted in the activity feed, in characters.
FEED_BODY = 80


class PlayerOut(BaseModel):
    name: str
    is_host: bool
    joined_at: str
    is_removed: bool
    cash: float


class LinkOut(BaseModel):
    name: str
    token: str
    link: str


class RemovedOut(BaseModel):
    name: str
    is_removed: bool = True


class CommentIn(Strict):
    body: Annotated[Text, Field(min_length=1, max_length=4000)]


class CommentOut(BaseModel):
    id: int
    question_id: int
    name: str
    body: str
    at: str


class ActivityOut(BaseModel):
    kind: str
    at: str
    question_id: int
    title: str
    text: str


class TradeOut(BaseModel):
    question_id: int
    title: str
    outcome: str
    side: str
    shares: float
    cost: float
    average_price: float | None
    at: str


class ResolvedOut(BaseModel):
    question_id: int
    title: str
    resolution: str
    paid_in: float
    payout: float
    profit: float


class HistoryMeOut(BaseModel):
    trades: list[TradeOut]
    resolved: list[ResolvedOut]


class PayoutOut(BaseModel):
    name: str
    paid_in: float
    payout: float
    profit: float


def player_out(p: PlayerView) -> dict:
    return {"name": p.name, "is_host": p.is_host, "joined_at": utc(p.joined_at), "is_removed": p.is_removed,
            "cash": to_units(p.cash)}


def comment_out(c: CommentView) -> dict:
    return {"id": c.id, "question_id": c.question_id, "name": c.name, "body": c.body, "at": utc(c.at)}


def trade_out(t: TradeRecord) -> dict:
    return {"question_id": t.question_id, "title": t.title, "outcome": t.outcome, "side": t.side,
            "shares": to_units(t.shares), "cost": to_units(t.cost), "average_price": t.average_price, "at": utc(t.at)}


def resolved_out(r: ResolvedRecord) -> dict:
    return {"question_id": r.question_id, "title": r.title, "resolution": resolution_text(r.resolution),
            "paid_in": to_units(r.paid_in), "payout": to_units(r.payout), "profit": to_units(r.profit)}


def payout_out(r: PayoutRow) -> dict:
    return {"name": r.name, "paid_in": to_units(r.paid_in), "payout": to_units(r.payout), "profit": to_units(r.profit)}


def resolution_text(r: ResolutionView) -> str:
    """How a resolution reads: "YES", "P(YES) = 0.30", "probabilities 0.50, 0.50", "cancelled (money refunded)"."""
    if r.kind == "cancel":
        return "cancelled (money refunded)"
    if r.outcome is not None:
        return r.outcome
    if isinstance(r.probability, tuple):
        return "probabilities " + ", ".join(f"{p:.2f}" for p in r.probability)
    return f"P(YES) = {r.probability:.2f}"


def event_text(e: Event) -> str:
    """An activity event in words."""
    if isinstance(e, TradeEvent):
        verb = (f"bought {e.outcome} for {money(e.cost)}" if e.side == "buy"
                else f"sold {money(e.shares)} {e.outcome} shares for {money(-e.cost)}")
        return f"{e.who} {verb}; {e.outcome} now {100 * e.price:.0f}%"
    if isinstance(e, QuestionEvent):
        return f"new question: {e.title}"
    if isinstance(e, ResolutionEvent):
        return f"resolved: {resolution_text(e.resolution)}"
    body = e.body if len(e.body) <= FEED_BODY else e.body[:FEED_BODY - 1] + "…"
    return f"{e.who}: {body}"


KINDS = {TradeEvent: "trade", QuestionEvent: "question", ResolutionEvent: "resolution", CommentEvent: "comment"}


def activity_out(e: Event) -> dict:
    """An activity event (`ActivityOut`): its time to the millisecond, in words."""
    return {"kind": KINDS[type(e)], "at": e.at.isoformat(timespec="milliseconds") + "Z", "question_id": e.question_id,
            "title": e.title, "text": event_text(e)}
