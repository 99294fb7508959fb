"""Request and response bodies of the REST API (pydantic; the shell's edge).

Request bodies are strict: a number must be a JSON number (``true`` or ``"5"`` is refused with
422, not read as 1 or 5), amounts, shares and prices finite and positive, and unknown fields
are refused.

Answers: the services return frozen values in micro-units with naive UTC times; the `*_out`
functions here (and in `people_schemas`) turn them into the JSON clients see, once: money and
shares in units (`benchcast.units.to_units`), times as ISO text with a ``Z``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from benchcast.db import markdown
from benchcast.db.linked import LinkSpec, LinkView, NewLinkedQuestion
from benchcast.db.portfolio import LeaderRow as Leader
from benchcast.db.portfolio import Portfolio
from benchcast.db.questions import NewQuestion, PriceHistory, QuestionView, ResolutionView, parse_time
from benchcast.db.trading import NewOrder, PlacedOrder, Quote
from benchcast.units import to_micro, to_units


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    return text


#: Text without NUL characters (PostgreSQL cannot store them).
Text = Annotated[str, AfterValidator(_no_nul)]
#: A finite positive number of units (money or shares), no larger than a sane market could see.
Money = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=1e12)]
#: A price strictly between 0 and 1.
Price = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, lt=1)]
#: A probability in [0, 1] (the engine checks that a vector sums to 1).
Probability = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=1)]
Key = Annotated[Text, Field(min_length=1, max_length=128)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class JoinIn(Strict):
    name: Annotated[Text, Field(min_length=1, max_length=64)]
    invite: Annotated[Text, Field(max_length=128)] | None = None


class JoinOut(BaseModel):
    user_id: int
    name: str
    token: str
    balance: float
    link: str = Field("", description="Your personal re-entry link (the token in the URL fragment): keep it.")


class LinkIn(Strict):
    """Ties a question to the data (see benchcast/db/linked.py): a threshold or a leader link."""

    benchmark: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    threshold: Annotated[float, Field(allow_inf_nan=False)] | None = None
    by: Annotated[Text, Field(max_length=10)] | None = None
    series: Literal["independent", "self_reported", "any"] | None = None
    settings: Literal["single_attempt", "any"] | None = None
    leader: Literal["country", "organization"] | None = None
    metric: Annotated[Text, Field(max_length=200)] | None = None
    at: Annotated[Text, Field(max_length=10)] | None = None
    grace_days: Annotated[int, Field(ge=0, le=3650)] = 30
    auto: bool = True
    model_forecast: Annotated[list[Annotated[float, Field(allow_inf_nan=False, ge=0, le=1)]], Field(max_length=20)] | None = None
    model_basis: Annotated[Text, Field(max_length=200)] = ""

    def to_service(self) -> LinkSpec:
        return LinkSpec(
            benchmark=self.benchmark, threshold=self.threshold, by=self.by, series=self.series, settings=self.settings,
            leader=self.leader, metric=self.metric, at=self.at, grace_days=self.grace_days, auto=self.auto,
            model_forecast=tuple(self.model_forecast) if self.model_forecast is not None else None,
            model_basis=self.model_basis)


class QuestionCreate(Strict):
    title: Annotated[Text, Field(min_length=1, max_length=300)] | None = None
    kind: Literal["binary", "multiple_choice"] = "binary"
    outcomes: Annotated[list[Annotated[Text, Field(min_length=1, max_length=120)]], Field(max_length=20)] | None = None
    mechanism: Literal["lmsr", "cpmm"] = "lmsr"
    subsidy: Money = 100.0
    closes_at: Annotated[Text, Field(max_length=40)] | None = None
    initial_prices: Annotated[list[Price], Field(max_length=20)] | None = None
    criteria: Annotated[Text, Field(max_length=2000)] = Field("", description="How the question resolves: the source and the rule.")
    description: Annotated[Text, Field(max_length=10_000)] = Field("", description="Background, in markdown (rendered without raw HTML).")
    link: LinkIn | None = Field(None, description="Tie the question to the benchmark data; title and criteria are written from it.")

    def to_service(self) -> NewQuestion:
        """The service's input: money in micro-units, the close time parsed (400 if it is not a time)."""
        return NewQuestion(
            title=self.title or "", kind=self.kind, outcomes=tuple(self.outcomes) if self.outcomes else None,
            mechanism=self.mechanism, subsidy=to_micro(self.subsidy, "subsidy"), closes_at=parse_time(self.closes_at),
            initial_prices=tuple(self.initial_prices) if self.initial_prices else None,
            criteria=self.criteria, description=self.description)

    def to_linked_service(self) -> NewLinkedQuestion:
        """The input of a question with a `link` (the link sets the kind; 400 for a close time that is not a time)."""
        return NewLinkedQuestion(
            link=(self.link or LinkIn()).to_service(), title=self.title or "", outcomes=tuple(self.outcomes) if self.outcomes else None,
            mechanism=self.mechanism, subsidy=to_micro(self.subsidy, "subsidy"), closes_at=parse_time(self.closes_at),
            initial_prices=tuple(self.initial_prices) if self.initial_prices else None,
            criteria=self.criteria, description=self.description)


class OutcomeOut(BaseModel):
    name: str
    price: float


class QuestionOut(BaseModel):
    id: int
    title: str
    kind: str
    mechanism: str
    status: str
    outcomes: list[OutcomeOut]
    subsidy: float
    closes_at: str | None = None
    created_at: str
    volume: float = 0.0
    trades: int = 0
    resolution: dict | None = None
    criteria: str = ""
    description: str = ""
    description_html: str = ""
    is_closed: bool = False
    link: dict | None = None


class OrderIn(Strict):
    outcome: Key
    side: Literal["buy", "sell"]
    amount: Money | None = None
    shares: Money | None = None
    limit_price: Price | None = None
    resting: bool = Field(False, description="Rest as a limit order until the price reaches limit_price (fills what it can now).")
    idempotency_key: Key | None = Field(
        None, description="Send the same key to retry safely: the same order replays its first answer; a different order "
                          "with a used key is refused with 422. Keys expire 24 hours after first use.")

    def to_service(self, question_id: int) -> NewOrder:
        """The service's input: money and shares in micro-units."""
        return NewOrder(question_id, self.outcome, self.side, to_micro(self.amount, "amount"), to_micro(self.shares, "shares"),
                        self.limit_price, self.resting, self.idempotency_key)


class QuoteIn(Strict):
    outcome: Key
    side: Literal["buy", "sell"]
    amount: Money | None = None
    shares: Money | None = None
    limit_price: Price | None = None
    resting: bool = False

    def to_service(self, question_id: int) -> NewOrder:
        """The service's input: money and shares in micro-units."""
        return NewOrder(question_id, self.outcome, self.side, to_micro(self.amount, "amount"), to_micro(self.shares, "shares"),
                        self.limit_price, self.resting)


class OrderOut(BaseModel):
    order_id: int
    status: str
    outcome: str
    side: str
    shares: float
    cost: float
    average_price: float | None = None
    prices_after: list[float]
    balance: float | None = None
    replayed: bool = False


def order_out(p: PlacedOrder) -> dict:
    """The answer to an order or a cancel (`OrderOut`): money and shares in units."""
    return {"order_id": p.order_id, "status": p.status, "outcome": p.outcome, "side": p.side, "shares": to_units(p.shares),
            "cost": to_units(p.cost), "average_price": p.average_price, "prices_after": list(p.prices_after),
            "balance": to_units(p.balance), "replayed": p.replayed}


def utc(t: datetime | None) -> str | None:
    """A naive UTC time as the API writes it: ISO with a ``Z`` (None stays None)."""
    return None if t is None else t.isoformat() + "Z"


def resolution_out(r: ResolutionView | None) -> dict | None:
    """A question's `resolution` entry."""
    if r is None:
        return None
    probability = list(r.probability) if isinstance(r.probability, tuple) else r.probability
    return {"kind": r.kind, "probability": probability, "outcome": r.outcome, "at": utc(r.at)}


def link_out(v: LinkView | None) -> dict | None:
    """A question's `link` entry: the link's fields that are set, its model forecast, decision and evidence."""
    if v is None:
        return None
    fields: dict[str, Any] = {k: x for k, x in asdict(v.link).items() if x is not None}
    return fields | {"model_forecast": None if v.model_forecast is None else list(v.model_forecast), "model_basis": v.model_basis,
                     "decided": v.decided, "decided_at": utc(v.decided_at), "evidence": v.evidence}


def question_out(q: QuestionView) -> dict:
    """A question (`QuestionOut`): money in units, the description also as HTML (raw HTML left out)."""
    return {"id": q.id, "title": q.title, "kind": q.kind, "mechanism": q.mechanism, "status": q.status,
            "criteria": q.criteria, "description": q.description, "description_html": markdown.render(q.description),
            "is_closed": q.is_closed, "outcomes": [{"name": o.name, "price": o.price} for o in q.outcomes],
            "subsidy": to_units(q.subsidy), "closes_at": utc(q.closes_at), "created_at": utc(q.created_at),
            "trades": q.trades, "volume": to_units(q.volume), "resolution": resolution_out(q.resolution), "link": link_out(q.link)}


def history_out(h: PriceHistory) -> dict:
    """A question's price history (`HistoryOut`)."""
    return {"question_id": h.question_id, "outcomes": list(h.outcomes),
            "points": [{"t": utc(p.t), "prices": list(p.prices)} for p in h.points]}


def quote_out(q: Quote) -> dict:
    """What an order would do (`QuoteOut`): money and shares in units."""
    return {"outcome": q.outcome, "side": q.side, "shares": to_units(q.shares), "cost": to_units(q.cost),
            "average_price": q.average_price, "prices_before": list(q.prices_before), "prices_after": list(q.prices_after),
            "fills_now": q.fills_now}


def portfolio_out(p: Portfolio) -> dict:
    """A trader's portfolio (`MeOut`): money and shares in units."""
    positions = [{"question_id": x.question_id, "title": x.title, "status": x.status, "outcome": x.outcome,
                  "shares": to_units(x.shares), "price": x.price, "value": to_units(x.value)} for x in p.positions]
    orders = [{"order_id": o.order_id, "question_id": o.question_id, "title": o.title, "side": o.side, "outcome": o.outcome,
               "limit_price": o.limit_price, "amount": to_units(o.amount), "shares": to_units(o.shares),
               "remaining": to_units(o.remaining)} for o in p.open_orders]
    return {"user_id": p.user_id, "name": p.name, "is_host": p.is_host, "balance": to_units(p.balance),
            "reserved": to_units(p.reserved), "positions": positions, "open_orders": orders, "value": to_units(p.value),
            "profit": to_units(p.profit)}


def leader_out(r: Leader) -> dict:
    """A leaderboard row (`LeaderRow`): money in units."""
    return {"rank": r.rank, "user_id": r.user_id, "name": r.name, "balance": to_units(r.balance), "value": to_units(r.value),
            "profit": to_units(r.profit)}


class QuoteOut(BaseModel):
    outcome: str
    side: str
    shares: float
    cost: float
    average_price: float | None = None
    prices_before: list[float]
    prices_after: list[float]
    fills_now: bool = True


class ResolveIn(Strict):
    outcome: Key | None = None
    probability: (
        Probability
        | Annotated[list[Probability], Field(min_length=2, max_length=20)]
        | None
    ) = Field(None, description="P(YES) of a binary question, or one probability per outcome (summing to 1).")
    cancel: bool | None = None


class Position(BaseModel):
    question_id: int
    title: str
    status: str
    outcome: str
    shares: float
    price: float
    value: float


class MeOut(BaseModel):
    user_id: int
    name: str
    is_host: bool
    balance: float
    positions: list[Position]
    open_orders: list[dict]
    reserved: float = 0.0
    value: float
    profit: float


class LeaderRow(BaseModel):
    rank: int
    user_id: int
    name: str
    balance: float
    value: float
    profit: float


class PricePoint(BaseModel):
    t: str
    prices: list[float]


class HistoryOut(BaseModel):
    question_id: int
    outcomes: list[str]
    points: list[PricePoint]
