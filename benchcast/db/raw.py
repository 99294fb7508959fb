"""Plain DBAPI statements for the hot path (placing an order), inside SQLAlchemy's transaction.

SQLAlchemy's expression layer costs tens of microseconds a statement; an order runs about
fifteen, so the order path writes its SQL once, with ``:name`` parameters, and runs it on the
transaction's own DBAPI cursor (``%(name)s`` for psycopg). Only portable SQL is used.
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

    def many(self, sql: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.cursor.executemany(self._sql(sql), rows)
