"""Orders, quotes, cancels and resolutions: each one database transaction, serialized per market.

The pattern is load, call the engine, persist: lock the market's state row (SQLite: the whole
database through BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE), decode the engine's
`Market`, let `markets` price and execute, then write the order, its trades, one balanced
ledger transaction and the new state together. Any error rolls everything back.

An idempotency key makes a retried order return the first answer instead of trading twice, and
refuses a different order sent with a used key (see `idempotency`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from benchcast.db import idempotency, ledger
from benchcast.db.engine import database_name
from benchcast.db.errors import Conflict, Forbidden, InvalidRequest, NotFound, integrity_errors
from benchcast.db.marketstate import dump_market, load_market, remember
from benchcast.db.models import MarketState, Order, Outcome, Question, Trade, utcnow
from benchcast.db.raw import Raw
from benchcast.db.tx import run_write
from benchcast.units import to_micro
from markets import (
    LimitFill,
    Market,
    OrderResult,
    cancel_limit_order,
    execute,
    prices,
)
from markets import Order as EngineOrder


@dataclass(frozen=True, slots=True)
class NewOrder:
    """What placing (or quoting) an order takes: money and shares in micro-units (the HTTP edge
    and the CLI convert what people type; see `benchcast.units`)."""

    question_id: int
    outcome: str
    side: str  # buy | sell
    amount: int | None = None  # money to spend (a buy)
    shares: int | None = None  # shares to buy or sell
    limit_price: float | None = None
    resting: bool = False  # rest as a limit order until the price reaches limit_price
    idempotency_key: str | None = None  # ignored by a quote


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """What an order (or a cancel) did: money and shares in micro-units (the HTTP edge words
    them in units). `balance` is the trader's cash after it; `replayed` marks the first
    answer to an idempotency key given again."""

    order_id: int
    status: str  # filled | resting | cancelled (see `markets.OrderResult`)
    outcome: str
    side: str
    shares: int
    cost: int  # paid (< 0: received)
    average_price: float | None
    prices_after: tuple[float, ...]
    balance: int | None
    replayed: bool = False

    @classmethod
    def replay(cls, order_id: int, text: str) -> PlacedOrder:
        """The answer stored with an order (JSON), replayed. Rows written before format 2 hold units."""
        stored = json.loads(text)
        if stored.get("v") == STORED_FORMAT:
            shares, cost, balance = stored["shares"], stored["cost"], stored["balance"]
        else:
            shares, cost, balance = to_micro(stored["shares"]), to_micro(stored["cost"]), to_micro(stored.get("balance"))
        return cls(order_id, stored["status"], stored["outcome"], stored["side"], shares, cost,  # type: ignore[arg-type]
                   stored["average_price"], tuple(stored["prices_after"]), balance, replayed=True)


@dataclass(frozen=True, slots=True)
class Quote:
    """What an order would do now (micro-units); `fills_now` is False for an order that would only rest."""

    outcome: str
    side: str
    shares: int
    cost: int
    average_price: float | None
    prices_before: tuple[float, ...]
    prices_after: tuple[float, ...]
    fills_now: bool


#: The format of the answer stored with an order for replays: 2 is micro-units (older rows: units).
STORED_FORMAT = 2


def cache_key(engine: Engine, question_id: int, version: int) -> tuple[str, int, int]:
    return (database_name(engine), question_id, version)


#: Lock the market row and draw the ids of the order and its ledger transaction from their
#: sequences (PostgreSQL: the inserts that follow then read nothing back).
#: SQLite's BEGIN IMMEDIATE has locked the whole database already; it picks ids on insert.
LOCK_SQLITE = "SELECT state, version, NULL, NULL FROM bc_market_state WHERE question_id = :q"
LOCK_PG = ("SELECT state, version, nextval(pg_get_serial_sequence('bc_order', 'id')), "
           "nextval(pg_get_serial_sequence('bc_ledger_txn', 'id')) FROM bc_market_state WHERE question_id = :q FOR UPDATE")
#: The trader's cash and whether the idempotency key was used, read after the lock is held.
HEAD = ("SELECT (SELECT balance FROM bc_account WHERE key = :cash), "
        "(SELECT id FROM bc_order WHERE user_id = :u AND idempotency_key = :key)")


def lock_market(conn: Connection, question_id: int) -> tuple[str, int]:
    """Lock the market row (FOR UPDATE on PostgreSQL) and return (state JSON, version)."""
    raw = Raw(conn)
    sql = "SELECT state, version FROM bc_market_state WHERE question_id = :q"
    row = raw.one(sql if raw.is_sqlite else sql + " FOR UPDATE", {"q": question_id})
    if row is None:
        raise NotFound(f"question {question_id} does not exist")
    return row[0], row[1]


def save_market(conn: Connection, question_id: int, version: int, market: Market, *, trades: int = 0, volume: int = 0,
                raw: Raw | None = None) -> None:
    raw = raw or Raw(conn)
    raw.run(
        "UPDATE bc_market_state SET state = :s, version = :v, prices = :p, trades = trades + :n, volume = volume + :vol, "
        "updated_at = :t WHERE question_id = :q",
        {"s": dump_market(market), "v": version + 1, "p": json.dumps(list(prices(market))), "n": trades, "vol": volume,
         "t": ledger.db_time(utcnow(), raw.is_sqlite), "q": question_id},
    )


def _fill_moves(user_id: int, qid: int, i: int, side: str, shares: int, cost: int, *, from_escrow: bool) -> list[tuple[str, int]]:
    """Ledger moves of one trade with the maker (cost > 0 paid by the trader, < 0 received)."""
    payer = ledger.user_escrow(user_id, qid) if from_escrow else ledger.user_cash(user_id)
    if side == "buy":
        return [(payer, -cost), (ledger.maker_cash(qid), cost),
                (ledger.maker_shares(qid, i), -shares), (ledger.user_shares(user_id, qid, i), shares)]
    return [(ledger.user_cash(user_id), -cost), (ledger.maker_cash(qid), cost),
            (ledger.user_shares(user_id, qid, i), -shares), (ledger.maker_shares(qid, i), shares)]


def _limit_fill_moves(lf: LimitFill, qid: int, i: int) -> list[tuple[str, int]]:
    uid = int(lf.trader)
    moves = _fill_moves(uid, qid, i, lf.side, lf.shares, lf.cost, from_escrow=lf.side == "buy")
    if lf.side == "buy" and lf.balance_delta:  # the finished order's unused reserve comes back
        moves += [(ledger.user_escrow(uid, qid), -lf.balance_delta), (ledger.user_cash(uid), lf.balance_delta)]
    return moves


def place_order(engine: Engine, *, user_id: int, order_in: NewOrder) -> PlacedOrder:
    """Execute an order (or rest it, with `resting`) and return what it did."""
    question_id, outcome, side, limit_price, resting = (order_in.question_id, order_in.outcome, order_in.side,
                                                        order_in.limit_price, order_in.resting)
    idempotency_key = order_in.idempotency_key
    order = EngineOrder(str(user_id), outcome, side, order_in.amount, order_in.shares, limit_price)
    if resting and limit_price is None:
        raise InvalidRequest("a resting order needs limit_price")
    holder: dict = {}
    digest = None if idempotency_key is None else idempotency.request_hash(
        question_id, outcome, side, order.amount, order.shares, limit_price, resting)

    def work(conn: Connection) -> PlacedOrder:
        raw = Raw(conn)
        locked = raw.one(LOCK_SQLITE if raw.is_sqlite else LOCK_PG, {"q": question_id})
        if locked is None:
            raise NotFound(f"question {question_id} does not exist")
        cash, used = raw.one(HEAD, {"cash": ledger.user_cash(user_id), "u": user_id, "key": idempotency_key})
        text, version, order_id, txn_id = locked
        now = utcnow()
        if used is not None:
            found = idempotency.replay(raw, user_id=user_id, key=idempotency_key, digest=digest, now=now)  # type: ignore[arg-type]
            if found is not None:
                return PlacedOrder.replay(*found)
        market = load_market(text, key=cache_key(engine, question_id, version))
        r = execute(market, order, cash=cash or 0, now=now, is_resting=resting)
        balance, after = (cash or 0) + r.balance_changes[order.trader], tuple(r.prices_after)
        stored = json.dumps({"v": STORED_FORMAT, "status": r.status, "outcome": outcome, "side": side, "shares": r.shares,
                             "cost": r.cost, "average_price": r.average_price, "prices_after": after, "balance": balance})
        order_id = _persist(conn, raw, question_id, user_id, r, version, stored, (idempotency_key, digest),
                            ledger.db_time(now, raw.is_sqlite), (order_id, txn_id))
        holder["cache"] = (cache_key(engine, question_id, version + 1), r.market)
        return PlacedOrder(order_id, r.status, outcome, side, r.shares, r.cost, r.average_price, after, balance)

    try:
        result = run_write(engine, work)
    except integrity_errors():
        if idempotency_key is None:
            raise
        with engine.begin() as conn:  # a concurrent request with the same key won the race
            found = idempotency.replay(Raw(conn), user_id=user_id, key=idempotency_key, digest=digest, now=utcnow())  # type: ignore[arg-type]
        if found is None:
            raise
        return PlacedOrder.replay(*found)
    if "cache" in holder:
        remember(*holder["cache"])
    return result


def _persist(conn: Connection, raw: Raw, question_id: int, user_id: int, r: OrderResult, version: int, stored: str,
             key: tuple[str | None, str | None], t, ids: tuple[int | None, int | None]) -> int:  # type: ignore[no-untyped-def]
    """Write the order row (once, with its answer), its trades, the new state and its ledger
    moves. `ids` are the order's and its ledger transaction's ids when drawn already (PostgreSQL)."""
    o, market = r.order, r.market
    i = market.question.index(o.outcome)
    order_id = raw.insert("bc_order", {
        "question_id": question_id, "user_id": user_id, "outcome_idx": i, "side": o.side, "amount": o.amount,
        "shares_in": o.shares, "limit_price": o.limit_price, "is_resting": r.is_resting, "engine_order_id": r.order_id,
        "status": r.status, "idempotency_key": key[0], "request_hash": key[1], "result": stored, "created_at": t,
    }, ids[0])
    moves: list[tuple[str, int]] = []
    trades: list[dict] = []
    if r.reserved:
        moves += [(ledger.user_cash(user_id), -r.reserved), (ledger.user_escrow(user_id, question_id), r.reserved)]
    resting_ids = _db_order_ids(raw, question_id, {f.order_id for f in r.triggered})
    for f, is_own in [(f, True) for f in r.fills] + [(f, False) for f in r.triggered]:
        j = market.question.index(f.outcome)
        moves += _limit_fill_moves(f, question_id, j)
        db_id = order_id if is_own else resting_ids[f.order_id]
        trades.append(_trade_row(db_id, question_id, int(f.trader), j, f.side, f.shares, f.cost, f.prices_after, t))
        if f.is_done and not is_own:
            raw.run("UPDATE bc_order SET status = 'done' WHERE id = :id", {"id": db_id})
    if not r.is_resting:
        moves += _fill_moves(user_id, question_id, i, o.side, r.shares, r.cost, from_escrow=False)
        trades.append(_trade_row(order_id, question_id, user_id, i, o.side, r.shares, r.cost, r.prices_after, t))
    raw.insert_rows("bc_trade", trades)
    save_market(conn, question_id, version, market, trades=len(trades), volume=sum(abs(x["cost"]) for x in trades), raw=raw)
    ledger.post(conn, "order", moves, question_id=question_id, order_id=order_id, memo=f"{o.side} {o.outcome}",
                txn_id=ids[1], raw=raw)
    return order_id


def _trade_row(order_id: int, qid: int, uid: int, i: int, side: str, shares: int, cost: int, after, now) -> dict:  # type: ignore[no-untyped-def]
    return {"order_id": order_id, "question_id": qid, "user_id": uid, "outcome_idx": i, "side": side, "shares": shares,
            "cost": cost, "prices_after": json.dumps(list(after)), "created_at": now}


def _db_order_ids(raw: Raw, question_id: int, engine_ids: set[int]) -> dict[int, int]:
    """The database ids of resting orders, by their ids in the engine."""
    if not engine_ids:
        return {}
    wanted = sorted(engine_ids)
    marks = ", ".join(f":e{k}" for k in range(len(wanted)))
    rows = raw.all(f"SELECT engine_order_id, id FROM bc_order WHERE question_id = :q AND engine_order_id IN ({marks})",
                   {"q": question_id, **{f"e{k}": e for k, e in enumerate(wanted)}})
    return dict(rows)


def quote_order(engine: Engine, *, user_id: int, order_in: NewOrder) -> Quote:
    """What the order would do now, without doing it (the market is not locked).

    The quote checks the caller's balance as the order would, so a quote that succeeds is an
    order that would succeed now."""
    question_id, outcome, side, resting = order_in.question_id, order_in.outcome, order_in.side, order_in.resting
    order = EngineOrder(str(user_id), outcome, side, order_in.amount, order_in.shares, order_in.limit_price)
    if resting and order_in.limit_price is None:
        raise InvalidRequest("a resting order needs limit_price")
    with engine.connect() as conn:
        row = conn.execute(select(MarketState.state, MarketState.version).where(MarketState.question_id == question_id)).first()
        if row is None:
            raise NotFound(f"question {question_id} does not exist")
        cash = ledger.balance(conn, ledger.user_cash(user_id))
    market = load_market(row.state, key=cache_key(engine, question_id, row.version))
    r = execute(market, order, cash=cash, now=utcnow(), is_resting=resting)
    return Quote(outcome, side, r.shares, r.cost, r.average_price, tuple(r.prices_before), tuple(r.prices_after), bool(r.shares))


def cancel_order(engine: Engine, *, user_id: int, order_id: int) -> PlacedOrder:
    """Withdraw one of the caller's resting orders; its reserved cash comes back."""
    with engine.connect() as conn:
        row = conn.execute(select(Order).where(Order.id == order_id)).first()
    if row is None:
        raise NotFound(f"order {order_id} does not exist")
    if row.user_id != user_id:
        raise Forbidden(f"order {order_id} is not yours")
    if not row.is_resting or row.status != "resting":
        raise Conflict(f"order {order_id} is {row.status}, not a resting order that can be cancelled")
    qid = row.question_id
    holder: dict = {}

    def work(conn: Connection) -> PlacedOrder:
        text, version = lock_market(conn, qid)
        status = conn.execute(select(Order.status).where(Order.id == order_id)).scalar_one()
        if status != "resting":
            raise Conflict(f"order {order_id} is {status}, not a resting order that can be cancelled")
        market = load_market(text, key=cache_key(engine, qid, version))
        new, released = cancel_limit_order(market, row.engine_order_id, str(user_id))
        moves = [(ledger.user_escrow(user_id, qid), -released), (ledger.user_cash(user_id), released)] if released else []
        ledger.post(conn, "cancel", moves, question_id=qid, order_id=order_id, memo="cancel resting order")
        conn.execute(update(Order).where(Order.id == order_id).values(status="cancelled"))
        save_market(conn, qid, version, new)
        holder["cache"] = (cache_key(engine, qid, version + 1), new)
        outcome = market.question.outcomes[row.outcome_idx]
        return PlacedOrder(order_id, "cancelled", outcome, row.side, 0, -released, None, tuple(prices(new)),
                           ledger.balance(conn, ledger.user_cash(user_id)))

    result = run_write(engine, work)
    remember(*holder["cache"])
    return result
