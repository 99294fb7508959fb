"""Resolving a question: the engine computes payouts; the ledger pays them and redeems shares."""

from __future__ import annotations

import json

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection, Engine

from benchcast.db import ledger
from benchcast.db.errors import InvalidRequest
from benchcast.db.marketstate import load_market, remember
from benchcast.db.models import Order, Question, Resolution, utcnow
from benchcast.db.questions import QuestionView, get_question
from benchcast.db.trading import cache_key, lock_market, save_market
from benchcast.db.tx import run_write
from markets import resolve


def resolve_question(
    engine: Engine, *, question_id: int, resolved_by: int, outcome: str | None = None,
    probability: float | list[float] | None = None, cancel: bool | None = None,
) -> QuestionView:
    """Resolve to `outcome`, to a `probability` (P(YES), or one per outcome), or `cancel`;
    pay everyone in one transaction."""
    given = (outcome is not None) + (probability is not None) + bool(cancel)
    if given != 1:
        raise InvalidRequest('give exactly one of {"outcome": NAME}, {"probability": P} or {"cancel": true}')
    holder: dict = {}

    def work(conn: Connection) -> None:
        text, version = lock_market(conn, question_id)
        market = load_market(text, key=cache_key(engine, question_id, version))
        new, payouts = resolve(market, outcome, probability=probability, cancel=bool(cancel))
        res = new.resolution
        moves: list[tuple[str, int]] = []
        for trader, paid in payouts.items():
            uid = int(trader)
            released = res.released.get(trader, 0)
            if released:
                moves += [(ledger.user_escrow(uid, question_id), -released), (ledger.user_cash(uid), released)]
            if paid - released:
                moves += [(ledger.maker_cash(question_id), -(paid - released)), (ledger.user_cash(uid), paid - released)]
        for trader, acct in new.accounts.items():  # shares are redeemed: positions go to zero
            for i, held in enumerate(acct.shares):
                if held:
                    moves += [(ledger.user_shares(int(trader), question_id, i), -held), (ledger.maker_shares(question_id, i), held)]
        ledger.post(conn, "resolve", moves, question_id=question_id, memo=f"{res.kind} {outcome or probability or ''}".strip()[:200],
                    allow_debt=res.kind == "cancel")
        idx = market.question.index(outcome) if outcome is not None else None
        vector = isinstance(probability, list)
        conn.execute(insert(Resolution).values(
            question_id=question_id, kind=res.kind, outcome_idx=idx, probability=None if vector else probability,
            probabilities=json.dumps(probability) if vector else None, resolved_by=resolved_by, created_at=utcnow()))
        conn.execute(update(Question).where(Question.id == question_id).values(status=new.status))
        conn.execute(update(Order).where(Order.question_id == question_id, Order.status == "resting").values(status="released"))
        save_market(conn, question_id, version, new)
        holder["cache"] = (cache_key(engine, question_id, version + 1), new)

    run_write(engine, work)
    remember(*holder["cache"])
    return get_question(engine, question_id)
