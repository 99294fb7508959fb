"""Questions: opening a market (funded by the house), listing them with prices, price history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from benchcast.db import ledger, markdown
from benchcast.db.errors import InvalidRequest, NotFound
from benchcast.db.marketstate import dump_market
from benchcast.db.models import MarketState, Outcome, Question, Resolution, Trade, utcnow
from benchcast.db.tx import run_write
from benchcast.units import quoted, to_micro, to_units
from markets import binary_question, create_market, multiple_choice_question, prices


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


def create_question(engine: Engine, *, created_by: int, question_in: NewQuestion) -> dict:
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


def _rows(conn: Connection, question_id: int | None = None) -> list[dict]:
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
        ps = json.loads(row.prices)
        res = resolutions.get(row.id)
        out.append({
            "id": row.id, "title": row.title, "kind": row.kind, "mechanism": row.mechanism, "status": row.status,
            "criteria": row.criteria, "description": row.description, "description_html": markdown.render(row.description),
            "is_closed": row.status == "open" and row.closes_at is not None and row.closes_at <= now,
            "outcomes": [{"name": n, "price": p} for n, p in zip(names.get(row.id, []), ps)],
            "subsidy": to_units(row.subsidy),
            "closes_at": row.closes_at.isoformat() + "Z" if row.closes_at else None,
            "created_at": row.created_at.isoformat() + "Z",
            "trades": row.trades, "volume": to_units(row.volume),
            "resolution": None if res is None else {
                "kind": res.kind, "probability": json.loads(res.probabilities) if res.probabilities else res.probability,
                "outcome": None if res.outcome_idx is None else names[row.id][res.outcome_idx],
                "at": res.created_at.isoformat() + "Z",
            },
        })
    return out


def list_questions(engine: Engine) -> list[dict]:
    """Every question with its current prices, newest last."""
    with engine.connect() as conn:
        return _rows(conn)


def get_question(engine: Engine, question_id: int) -> dict:
    """One question with its current prices (NotFound if there is none)."""
    with engine.connect() as conn:
        rows = _rows(conn, question_id)
    if not rows:
        raise NotFound(f"question {question_id} does not exist")
    return rows[0]


def price_history(engine: Engine, question_id: int, limit: int = 2000) -> dict:
    """Opening prices, then the prices after every trade (the last `limit` points)."""
    with engine.connect() as conn:
        q = conn.execute(select(Question.initial_prices, Question.created_at).where(Question.id == question_id)).first()
        if q is None:
            raise NotFound(f"question {question_id} does not exist")
        names = [r.name for r in conn.execute(select(Outcome.name).where(Outcome.question_id == question_id).order_by(Outcome.idx))]
        trades = conn.execute(
            select(Trade.created_at, Trade.prices_after).where(Trade.question_id == question_id).order_by(Trade.id.desc()).limit(limit)
        ).all()
    points = [{"t": q.created_at.isoformat() + "Z", "prices": json.loads(q.initial_prices)}]
    points += [{"t": t.created_at.isoformat() + "Z", "prices": json.loads(t.prices_after)} for t in reversed(trades)]
    return {"question_id": question_id, "outcomes": names, "points": points}
