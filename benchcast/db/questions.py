"""Questions: opening a market (funded by the house), listing them with prices, price history.

Answers are frozen values in micro-units with naive UTC times (`QuestionView`, `PriceHistory`);
the HTTP edge (`benchcast.server.schemas`) turns them into the JSON clients see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from benchcast.db import ledger
from benchcast.db.errors import InvalidRequest, NotFound
from benchcast.db.marketstate import dump_market
from benchcast.db.models import MarketState, Outcome, Question, Resolution, Trade, utcnow
from benchcast.db.tx import run_write
from benchcast.units import quoted
from markets import binary_question, create_market, multiple_choice_question, prices

if TYPE_CHECKING:
    from benchcast.db.linked import LinkView


def parse_time(text: str | None) -> datetime | None:
    """An ISO time as naive UTC (a date means its midnight UTC); None stays None."""
    if text is None or text == "":
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise InvalidRequest(f"closes_at {quoted(str(text))} is not an ISO time such as 2027-12-31T00:00:00Z") from None
    if t.tzinfo is not None:
        t = t.astimezone(UTC).replace(tzinfo=None)
    return t


def check_closes_at(closes_at: datetime | None, now: datetime | None = None) -> None:
    """Refuse a close time that is not in the future (checked at the edge on the time a person
    gave; a data-linked question may close on a past date that its data already decides)."""
    now = now or utcnow()
    if closes_at is not None and closes_at <= now:
        raise InvalidRequest(f"closes_at {closes_at.isoformat(timespec='minutes')}Z is in the past: "
                             f"give a time after now ({now.isoformat(timespec='minutes')}Z), or none")


@dataclass(frozen=True)
class NewQuestion:
    """What opening a question takes: money in micro-units, the close time as naive UTC (the
    HTTP edge and the CLI convert what people type; see `benchcast.units` and `parse_time`)."""

    title: str
    kind: str = "binary"  # binary | multiple_choice
    outcomes: tuple[str, ...] | None = None  # multiple_choice only; binary is YES, NO
    mechanism: str = "lmsr"  # lmsr | cpmm
    subsidy: int = 100_000_000
    closes_at: datetime | None = None
    initial_prices: tuple[float, ...] | None = None
    criteria: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class OutcomePrice:
    """An outcome and its current price."""

    name: str
    price: float


@dataclass(frozen=True, slots=True)
class ResolutionView:
    """How a question was resolved: to an outcome, to probabilities (P(YES), or one per outcome), or cancelled."""

    kind: str  # outcome | probability | cancel
    probability: float | tuple[float, ...] | None
    outcome: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question with its current prices; money in micro-units, times naive UTC."""

    id: int
    title: str
    kind: str
    mechanism: str
    status: str
    criteria: str
    description: str  # markdown
    is_closed: bool  # open, but past its close time
    outcomes: tuple[OutcomePrice, ...]
    subsidy: int
    closes_at: datetime | None
    created_at: datetime
    trades: int
    volume: int
    resolution: ResolutionView | None
    link: LinkView | None = None  # filled in by `linked.attach_links`


@dataclass(frozen=True, slots=True)
class PricePoint:
    t: datetime
    prices: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class PriceHistory:
    """The opening prices, then the prices after every trade."""

    question_id: int
    outcomes: tuple[str, ...]
    points: tuple[PricePoint, ...]


def resolution_view(row, names: list[str] | dict[int, str]) -> ResolutionView:  # type: ignore[no-untyped-def]
    """A `Resolution` row as a value (`names`: the question's outcomes by index)."""
    prob = tuple(json.loads(row.probabilities)) if row.probabilities else row.probability
    return ResolutionView(row.kind, prob, None if row.outcome_idx is None else names[row.outcome_idx], row.created_at)


def create_question(engine: Engine, *, created_by: int, question_in: NewQuestion) -> QuestionView:
    """Open a market on a new question, funded by the house; return it as `get_question` does."""
    q = question_in
    closes_at = q.closes_at
    title, criteria, description = q.title.strip(), q.criteria.strip(), q.description.strip()
    if q.kind == "binary":
        if q.outcomes not in (None, ("YES", "NO")):
            raise InvalidRequest("a binary question has the outcomes YES and NO: leave out outcomes, or use kind multiple_choice")
        question = binary_question(title, criteria=criteria, closes_at=closes_at)
    else:
        if not q.outcomes:
            raise InvalidRequest("a multiple_choice question needs 'outcomes': 2 to 20 names")
        question = multiple_choice_question(title, [o.strip() for o in q.outcomes], criteria=criteria, closes_at=closes_at)
    market = create_market(question, q.mechanism, q.subsidy, list(q.initial_prices) if q.initial_prices else None)
    start = list(prices(market))

    def work(conn: Connection) -> int:
        qid = conn.execute(
            insert(Question).values(
                title=question.title, kind=question.kind, mechanism=market.mechanism, status="open", subsidy=market.subsidy,
                closes_at=closes_at, created_by=created_by, created_at=utcnow(), initial_prices=json.dumps(start), criteria=criteria,
                description=description,
                initial_state=dump_market(market),
            ).returning(Question.id)
        ).scalar_one()
        conn.execute(insert(Outcome), [{"question_id": qid, "idx": i, "name": o} for i, o in enumerate(question.outcomes)])
        conn.execute(insert(MarketState).values(question_id=qid, state=dump_market(market), version=0, prices=json.dumps(start),
                                          trades=0, volume=0, updated_at=utcnow()))
        ledger.post(conn, "reserve", [(ledger.BANK, -market.reserve), (ledger.maker_cash(qid), market.reserve)],
                    question_id=qid, memo="market maker's reserve")
        return qid

    return get_question(engine, run_write(engine, work))


def _rows(conn: Connection, question_id: int | None = None) -> list[QuestionView]:
    q = select(Question, MarketState.prices, MarketState.trades, MarketState.volume).join(MarketState, MarketState.question_id == Question.id)
    o = select(Outcome.question_id, Outcome.idx, Outcome.name).order_by(Outcome.question_id, Outcome.idx)
    r = select(Resolution)
    if question_id is not None:
        q, o, r = q.where(Question.id == question_id), o.where(Outcome.question_id == question_id), r.where(Resolution.question_id == question_id)
    names: dict[int, list[str]] = {}
    for row in conn.execute(o):
        names.setdefault(row.question_id, []).append(row.name)
    resolutions = {row.question_id: row for row in conn.execute(r)}
    out = []
    now = utcnow()
    for row in conn.execute(q.order_by(Question.id)):
        res = resolutions.get(row.id)
        out.append(QuestionView(
            id=row.id, title=row.title, kind=row.kind, mechanism=row.mechanism, status=row.status, criteria=row.criteria,
            description=row.description, is_closed=row.status == "open" and row.closes_at is not None and row.closes_at <= now,
            outcomes=tuple(OutcomePrice(n, p) for n, p in zip(names.get(row.id, []), json.loads(row.prices))),
            subsidy=row.subsidy, closes_at=row.closes_at, created_at=row.created_at, trades=row.trades, volume=row.volume,
            resolution=None if res is None else resolution_view(res, names[row.id])))
    return out


def list_questions(engine: Engine) -> list[QuestionView]:
    """Every question with its current prices, newest last."""
    with engine.connect() as conn:
        return _rows(conn)


def get_question(engine: Engine, question_id: int) -> QuestionView:
    """One question with its current prices (NotFound if there is none)."""
    with engine.connect() as conn:
        rows = _rows(conn, question_id)
    if not rows:
        raise NotFound(f"question {question_id} does not exist")
    return rows[0]


def price_history(engine: Engine, question_id: int, limit: int = 2000) -> PriceHistory:
    """Opening prices, then the prices after every trade (the last `limit` points)."""
    with engine.connect() as conn:
        q = conn.execute(select(Question.initial_prices, Question.created_at).where(Question.id == question_id)).first()
        if q is None:
            raise NotFound(f"question {question_id} does not exist")
        names = [r.name for r in conn.execute(select(Outcome.name).where(Outcome.question_id == question_id).order_by(Outcome.idx))]
        trades = conn.execute(
            select(Trade.created_at, Trade.prices_after).where(Trade.question_id == question_id).order_by(Trade.id.desc()).limit(limit)
        ).all()
    points = [PricePoint(q.created_at, tuple(json.loads(q.initial_prices)))]
    points += [PricePoint(t.created_at, tuple(json.loads(t.prices_after))) for t in reversed(trades)]
    return PriceHistory(question_id, tuple(names), tuple(points))
