"""Plain DBAPI statements for the hot path (placing an order), inside SQLAlchemy's transaction.

SQLAlchemy's expression layer costs tens of microseconds a statement; an order runs about
ten, so the order path writes its SQL once, with ``:name`` parameters, and runs it on the
transaction's own DBAPI cursor (``%(name)s`` for psycopg). Only portable SQL is used.

On PostgreSQL every statement is a round trip. psycopg's pipeline mode would send the writes
together, but on a busy 2-core machine it cost more CPU than the round trips it saved (its
protocol runs in Python): measured at 0.86x the server CPU per order and 1.20x the orders a
second without it, so statements go one by one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

_PARAM = re.compile(r"(?<!:):(\w+)")
#: Cached translations: statements are few, but the ledger builds one per number of accounts.


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class Raw:
    """A DBAPI cursor of `conn`'s transaction that takes ``:name`` parameters on every driver."""

    def __init__(self, conn: Connection) -> None:
        self.is_sqlite = conn.dialect.name == "sqlite"
        self.cursor = conn.connection.cursor()

    def _sql(self, sql: str) -> str:
        return sql if self.is_sqlite else _pyformat(sql)

    def insert(self, table: str, values: dict[str, Any], known_id: int | None) -> int:
        """Insert one row of `table`: with `known_id` (drawn from the sequence on PostgreSQL, with
        the lock) nothing needs reading back; without, the database picks the id and returns it."""
        if known_id is not None:
            values = {"id": known_id, **values}
        sql = f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})"
        if known_id is not None:
            self.run(sql, values)
            return known_id
        return self.value(sql + " RETURNING id", values)

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self.cursor.execute(self._sql(sql), params or {})

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple | None:
        self.cursor.execute(self._sql(sql), params or {})
        return self.cursor.fetchone()

    def value(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        self.cursor.execute(self._sql(sql), params or {})
        return self.cursor.fetchall()

    def insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert `rows` (dicts with the same keys) in one statement with one VALUES tuple per row:
        one statement to send and parse, not one per row (the ledger writes four to eight)."""
        if not rows:
            return
        columns = list(rows[0])
        values = ", ".join("(" + ", ".join(f":{c}{k}" for c in columns) + ")" for k in range(len(rows)))
        params = {f"{c}{k}": row[c] for k, row in enumerate(rows) for c in columns}
        self.run(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}", params)
