"""What happened to people: a player's trades, their resolved questions, a question's payouts.

paid in = the money a player's trades on a question cost, net of what their sales brought;
payout  = what the resolution moved into their cash (shares redeemed, reserved cash released,
          or refunds when the question was cancelled), read from the ledger's `resolve` posting;
profit  = payout - paid in.

Answers are frozen values in micro-units (`TradeRecord`, `ResolvedRecord`, `PayoutRow`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, join, or_, select
from sqlalchemy.engine import Connection, Engine

from benchcast.db.models import Account, LedgerEntry, LedgerTxn, Outcome, Question, Resolution, Trade, User
from benchcast.db.questions import ResolutionView, resolution_view


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One of a player's trades (micro-units; `cost` < 0 is money received)."""

    question_id: int
    title: str
    outcome: str
    side: str
    shares: int
    cost: int
    average_price: float | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ResolvedRecord:
    """A resolved question a player took part in: what they paid in, got back and made (micro-units)."""

    question_id: int
    title: str
    resolution: ResolutionView
    paid_in: int
    payout: int
    profit: int


@dataclass(frozen=True, slots=True)
class PayoutRow:
    """One player's paid in, payout and profit on a resolved question (micro-units)."""

    name: str
    paid_in: int
    payout: int
    profit: int


def _names(conn: Connection, qids: set[int]) -> dict[tuple[int, int], str]:
    rows = conn.execute(select(Outcome.question_id, Outcome.idx, Outcome.name).where(Outcome.question_id.in_(qids)))
    return {(r.question_id, r.idx): r.name for r in rows}


def trades_of(engine: Engine, user_id: int, limit: int = 200) -> list[TradeRecord]:
    """A player's trades, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(Trade, Question.title).join(Question, Question.id == Trade.question_id)
                            .where(Trade.user_id == user_id).order_by(Trade.id.desc()).limit(limit)).all()
        names = _names(conn, {r.question_id for r in rows})
    return [TradeRecord(r.question_id, r.title, names[(r.question_id, r.outcome_idx)], r.side, r.shares, r.cost,
                        abs(r.cost) / r.shares if r.shares else None, r.created_at) for r in rows]


def _paid_in(conn: Connection, question_id: int | None = None, user_id: int | None = None) -> dict[tuple[int, int], int]:
    q = select(Trade.question_id, Trade.user_id, func.sum(Trade.cost)).group_by(Trade.question_id, Trade.user_id)
    if question_id is not None:
        q = q.where(Trade.question_id == question_id)
    if user_id is not None:
        q = q.where(Trade.user_id == user_id)
    return {(r[0], r[1]): int(r[2]) for r in conn.execute(q)}


def _payouts(conn: Connection, question_id: int | None = None, user_id: int | None = None) -> dict[tuple[int, int], int]:
    q = (select(LedgerTxn.question_id, Account.user_id, func.sum(LedgerEntry.amount))
         .select_from(join(LedgerEntry, LedgerTxn, LedgerTxn.id == LedgerEntry.txn_id).join(Account, Account.id == LedgerEntry.account_id))
         .where(LedgerTxn.kind == "resolve", Account.user_id.is_not(None),
                or_(Account.key.like("%:cash"), Account.key.like("%:escrow")))
         .group_by(LedgerTxn.question_id, Account.user_id))
    if question_id is not None:
        q = q.where(LedgerTxn.question_id == question_id)
    if user_id is not None:
        q = q.where(Account.user_id == user_id)
    return {(r[0], r[1]): int(r[2]) for r in conn.execute(q)}


def _resolutions(conn: Connection, qids: set[int]) -> dict[int, tuple[str, ResolutionView]]:
    rows = conn.execute(select(Resolution, Question.title).join(Question, Question.id == Resolution.question_id)
                        .where(Resolution.question_id.in_(qids))).all()
    names = _names(conn, qids)
    return {r.question_id: (r.title, resolution_view(r, {i: n for (q, i), n in names.items() if q == r.question_id}))
            for r in rows}


def resolved_of(engine: Engine, user_id: int) -> list[ResolvedRecord]:
    """The resolved questions a player took part in: what they paid in, got back and made."""
    with engine.connect() as conn:
        paid, got = _paid_in(conn, user_id=user_id), _payouts(conn, user_id=user_id)
        qids = {qid for qid, _ in paid} | {qid for qid, _ in got}
        done = _resolutions(conn, qids)
    rows = []
    for qid in sorted(done, reverse=True):
        p, g = paid.get((qid, user_id), 0), got.get((qid, user_id), 0)
        rows.append(ResolvedRecord(qid, done[qid][0], done[qid][1], p, g, g - p))
    return rows


def payouts_of(engine: Engine, question_id: int) -> list[PayoutRow]:
    """Each player's paid in, payout and profit on a question (empty until it resolves), best first."""
    with engine.connect() as conn:
        if not conn.execute(select(Resolution.id).where(Resolution.question_id == question_id)).first():
            return []
        paid, got = _paid_in(conn, question_id=question_id), _payouts(conn, question_id=question_id)
        uids = {u for _, u in paid} | {u for _, u in got}
        names = {r.id: r.name for r in conn.execute(select(User.id, User.name).where(User.id.in_(uids)))}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (_, u), v in paid.items():
        totals[u][0] = v
    for (_, u), v in got.items():
        totals[u][1] = v
    rows = [PayoutRow(names[u], p, g, g - p) for u, (p, g) in totals.items()]
    return sorted(rows, key=lambda r: (-r.profit, r.name))
