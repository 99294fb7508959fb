"""The append-only double-entry ledger: posting movements and naming accounts.

A posting is a list of (account key, amount) pairs whose amounts sum to zero per asset. It
writes one `LedgerTxn`, one `LedgerEntry` per pair, and moves the cached `Account.balance`
in the same database transaction. Accounts that may never go negative (everything but the
mint and the share issuers) are checked after the move; a negative balance aborts the whole
transaction with `InsufficientFunds`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from benchcast.db.engine import database_name

from benchcast.db.errors import InsufficientFunds, LedgerImbalance
from benchcast.db.models import Account, LedgerEntry, LedgerTxn, utcnow
from benchcast.db.raw import Raw
from benchcast.units import money, shares


BANK = "bank:cash"


def user_cash(user_id: int) -> str:
    return f"user:{user_id}:cash"


def user_shares(user_id: int, question_id: int, outcome: int) -> str:
    return f"user:{user_id}:q{question_id}:o{outcome}"


def maker_cash(question_id: int) -> str:
    return f"maker:q{question_id}:cash"


def maker_shares(question_id: int, outcome: int) -> str:
    return f"maker:q{question_id}:o{outcome}"


def user_escrow(user_id: int, question_id: int) -> str:
    return f"user:{user_id}:q{question_id}:escrow"


def parse_key(key: str) -> tuple[str, int | None, int | None]:
    """(asset, user_id, question_id) of an account key."""
    parts = key.split(":")
    user_id = int(parts[1]) if parts[0] == "user" else None
    qpart = next((p for p in parts if p.startswith("q") and p[1:].isdigit()), None)
    question_id = int(qpart[1:]) if qpart else None
    last = parts[-1]
    asset = "cash" if last in ("cash", "escrow") else f"{qpart}:{last}"
    return asset, user_id, question_id


def may_go_negative(key: str) -> bool:
    """The mint and the share issuers run negative; nobody else may."""
    return key == BANK or (key.startswith("maker:") and not key.endswith(":cash"))


_IDS: dict[tuple[str, str], int] = {}  # (database, account key) -> id of a committed account


def account_id(conn: Connection, key: str) -> int:
    """The id of the account `key`, created (with balance 0) if it does not exist."""
    return _account_id(Raw(conn), database_name(conn.engine), key)


def _account_id(raw: Raw, db: str, key: str) -> int:
    cached = _IDS.get((db, key))
    if cached is not None:
        return cached
    found = raw.value("SELECT id FROM bc_account WHERE key = :key", {"key": key})
    if found is not None:
        # Only accounts found, never ones this transaction inserts, are cached: a rollback
        # could otherwise leave a cached id that no longer exists.
        _IDS[(db, key)] = found
        return found
    asset, user_id, question_id = parse_key(key)
    return raw.value(
        "INSERT INTO bc_account (key, asset, user_id, question_id, balance) VALUES (:key, :asset, :u, :q, 0) RETURNING id",
        {"key": key, "asset": asset, "u": user_id, "q": question_id},
    )


def post(
    conn: Connection,
    kind: str,
    moves: list[tuple[str, int]],
    *,
    question_id: int | None = None,
    order_id: int | None = None,
    memo: str = "",
    allow_debt: bool = False,
    txn_id: int | None = None,
    raw: Raw | None = None,
) -> dict[str, int]:
    """Record `moves` as one balanced ledger transaction; return the new balances it set.

    `allow_debt` lets traders' cash go below zero: only a cancelled market's clawback of money
    a trader took out of it (and already spent elsewhere) does that. `txn_id` is the id to give
    the transaction (drawn from its sequence by the caller) and `raw` the caller's cursor.
    """
    merged: dict[str, int] = defaultdict(int)
    for key, amount in moves:
        if not isinstance(amount, int):
            raise TypeError(f"ledger amount {amount!r} for {key} is not an integer number of micro-units")
        merged[key] += amount
    totals: dict[str, int] = defaultdict(int)
    for key, amount in merged.items():
        totals[parse_key(key)[0]] += amount
    unbalanced = {asset: total for asset, total in totals.items() if total != 0}
    if unbalanced:
        raise LedgerImbalance(f"{kind} posting does not balance: {unbalanced}")
    raw = raw or Raw(conn)
    db = database_name(conn.engine)
    keys = [key for key in sorted(merged) if merged[key] != 0]
    ids = {key: _account_id(raw, db, key) for key in keys}
    txn_id = raw.insert("bc_ledger_txn", {"kind": kind, "question_id": question_id, "order_id": order_id, "memo": memo[:200],
                                          "created_at": db_time(utcnow(), raw.is_sqlite)}, txn_id)
    if not keys:
        return {}
    # One statement moves every balance (rows are locked in id order on PostgreSQL).
    cases = " ".join(f"WHEN :i{k} THEN :d{k}" for k in range(len(keys)))
    params: dict[str, int] = {}
    for k, key in enumerate(keys):
        params[f"i{k}"], params[f"d{k}"] = ids[key], merged[key]
    in_list = ", ".join(f":i{k}" for k in range(len(keys)))
    new = dict(raw.all(f"UPDATE bc_account SET balance = balance + CASE id {cases} END WHERE id IN ({in_list}) RETURNING id, balance", params))
    raw.insert_rows("bc_ledger_entry", [{"txn_id": txn_id, "account_id": ids[key], "amount": merged[key]} for key in keys])
    balances: dict[str, int] = {}
    for key in keys:
        balance = new.get(ids[key])
        if balance is None:
            _IDS.pop((db, key), None)
            raise LedgerImbalance(f"account {key} (id {ids[key]}) vanished")
        if balance < 0 and not may_go_negative(key) and not (allow_debt and key.endswith(":cash")):
            raise InsufficientFunds(_shortfall_message(key, balance))
        balances[key] = balance
    return balances


def db_time(t: datetime, is_sqlite: bool) -> datetime | str:
    """A naive UTC datetime as the driver should bind it (SQLAlchemy's SQLite text format)."""
    return t.strftime("%Y-%m-%d %H:%M:%S.%f") if is_sqlite else t


def _shortfall_message(key: str, balance: int) -> str:
    if key.startswith("user:") and key.endswith(":cash"):
        return f"your balance is too low: this needs {money(-balance)} more"
    if key.startswith("user:"):
        return f"you do not hold enough shares: this needs {shares(-balance)} more"
    return f"the market maker's account would go {money(-balance)} below zero"


def balance(conn: Connection, key: str) -> int:
    """The cached balance of account `key` (0 if it does not exist)."""
    return conn.execute(select(Account.balance).where(Account.key == key)).scalar() or 0
