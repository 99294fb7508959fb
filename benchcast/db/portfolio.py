"""Read models: a trader's portfolio and the leaderboard, valued at liquidation value.

value = cash + cash reserved by resting orders + the liquidation value of the shares held in
every open market (what selling each position now would return; see `valuation` for why not
the last price); profit = value - the money the trader was granted. Cash comes from the
account balances, which the ledger keeps exact (see `audit`). Players the host removed are
left off the leaderboard. Answers are frozen values in micro-units (`Portfolio`, `LeaderRow`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, join, select
from sqlalchemy.engine import Connection, Engine

from benchcast.db.errors import NotFound
from benchcast.db.marketstate import load_market
from benchcast.db.models import Account, LedgerEntry, LedgerTxn, MarketState, Order, Outcome, Question, User
from benchcast.db.trading import cache_key
from benchcast.db.players import removed_ids
from benchcast.db.valuation import liquidation_value, position_value
from markets import Market


@dataclass(frozen=True, slots=True)
class Position:
    """Shares of one outcome held, at its price now and their liquidation value (micro-units)."""

    question_id: int
    title: str
    status: str
    outcome: str
    shares: int
    price: float
    value: int


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """A resting limit order: what it was given (`amount` or `shares`) and what is left (micro-units)."""

    order_id: int
    question_id: int
    title: str
    side: str
    outcome: str
    limit_price: float | None
    amount: int | None
    shares: int | None
    remaining: int


@dataclass(frozen=True, slots=True)
class Portfolio:
    """One trader's cash, reserved cash, positions, open orders, value and profit (micro-units)."""

    user_id: int
    name: str
    is_host: bool
    balance: int
    reserved: int
    positions: tuple[Position, ...]
    open_orders: tuple[OpenOrder, ...]
    value: int
    profit: int


@dataclass(frozen=True, slots=True)
class LeaderRow:
    """A trader's place on the leaderboard (micro-units)."""

    rank: int
    user_id: int
    name: str
    balance: int
    value: int
    profit: int


def _prices(conn: Connection) -> dict[int, list[float]]:
    return {r.question_id: json.loads(r.prices) for r in conn.execute(select(MarketState.question_id, MarketState.prices))}


def _markets(engine: Engine, conn: Connection, question_ids: set[int] | None = None) -> dict[int, Market]:
    """Decoded market states (cached per version), of some questions or of all."""
    q = select(MarketState.question_id, MarketState.version, MarketState.state)
    if question_ids is not None:
        q = q.where(MarketState.question_id.in_(question_ids))
    return {r.question_id: load_market(r.state, key=cache_key(engine, r.question_id, r.version)) for r in conn.execute(q)}


def _shares_value(markets: dict[int, Market], user_id: int) -> int:
    trader = str(user_id)
    return sum(liquidation_value(m, trader) for m in markets.values() if trader in m.accounts)


def _granted(conn: Connection, user_id: int | None = None) -> dict[int, int]:
    q = (select(Account.user_id, func.sum(LedgerEntry.amount)).select_from(join(LedgerEntry, LedgerTxn, LedgerTxn.id == LedgerEntry.txn_id).join(Account, Account.id == LedgerEntry.account_id))
         .where(LedgerTxn.kind == "grant", Account.user_id.is_not(None)).group_by(Account.user_id))
    if user_id is not None:
        q = q.where(Account.user_id == user_id)
    return {r[0]: int(r[1]) for r in conn.execute(q)}


def _holdings(rows, prices: dict[int, list[float]]) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    """Per user: cash, reserved, positions [(qid, outcome index, shares, price)], cash value (micro)."""
    out: dict[int, dict] = defaultdict(lambda: {"cash": 0, "reserved": 0, "positions": [], "value": 0})
    for r in rows:
        h = out[r.user_id]
        if r.key.endswith(":cash"):
            h["cash"] += r.balance
            h["value"] += r.balance
        elif r.key.endswith(":escrow"):
            h["reserved"] += r.balance
            h["value"] += r.balance
        elif r.balance:
            i = int(r.key.rsplit(":o", 1)[1])
            p = prices.get(r.question_id, [])
            price = p[i] if i < len(p) else 0.0
            h["positions"].append((r.question_id, i, r.balance, price))
    return out


def portfolio(engine: Engine, *, user_id: int) -> Portfolio:
    """Balance, positions, open orders, value and profit of one trader."""
    with engine.connect() as conn:
        user = conn.execute(select(User.id, User.name, User.is_host).where(User.id == user_id)).first()
        if user is None:
            raise NotFound("your account no longer exists")
        prices = _prices(conn)
        rows = conn.execute(select(Account.key, Account.user_id, Account.question_id, Account.balance).where(Account.user_id == user_id)).all()
        h = _holdings(rows, prices)[user_id]
        qids = {qid for qid, *_ in h["positions"]}
        orders = conn.execute(select(Order).where(Order.user_id == user_id, Order.status == "resting").order_by(Order.id)).all()
        qids |= {o.question_id for o in orders}
        titles = {r.id: (r.title, r.status) for r in conn.execute(select(Question.id, Question.title, Question.status).where(Question.id.in_(qids)))}
        names = {(r.question_id, r.idx): r.name for r in conn.execute(select(Outcome).where(Outcome.question_id.in_(qids)))}
        granted = _granted(conn, user_id).get(user_id, 0)
        markets = _markets(engine, conn, qids)
        h["value"] += _shares_value(markets, user_id)
    left = {(qid, o.order_id): o.remaining for qid, m in markets.items() for o in m.orders}
    positions = tuple(
        Position(qid, titles[qid][0], titles[qid][1], names[(qid, i)], shares, price, position_value(markets[qid], str(user_id), i))
        for qid, i, shares, price in sorted(h["positions"]))
    open_orders = tuple(
        OpenOrder(o.id, o.question_id, titles[o.question_id][0], o.side, names[(o.question_id, o.outcome_idx)], o.limit_price,
                  o.amount, o.shares_in, left.get((o.question_id, o.engine_order_id), 0))
        for o in orders)
    return Portfolio(user.id, user.name, bool(user.is_host), h["cash"], h["reserved"], positions, open_orders, h["value"],
                     h["value"] - granted)


def leaderboard(engine: Engine, limit: int = 100) -> list[LeaderRow]:
    """Traders (the host excluded) ranked by value, then by name."""
    with engine.connect() as conn:
        prices = _prices(conn)
        users = conn.execute(select(User.id, User.name).where(User.is_host.is_(False))).all()
        rows = conn.execute(select(Account.key, Account.user_id, Account.question_id, Account.balance).where(Account.user_id.is_not(None))).all()
        granted = _granted(conn)
        markets = _markets(engine, conn)
        removed = removed_ids(conn)
    holdings = _holdings(rows, prices)
    table = []
    for u in (u for u in users if u.id not in removed):
        h = holdings[u.id]
        h["value"] += _shares_value(markets, u.id)
        table.append((u.id, u.name, h["cash"], h["value"], h["value"] - granted.get(u.id, 0)))
    table.sort(key=lambda r: (-r[3], r[1]))
    return [LeaderRow(k + 1, *r) for k, r in enumerate(table[:limit])]
