"""Bodies of the people-side routes: players, comments, activity, trade history, payouts."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from benchcast.server.schemas import Strict, Text


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
