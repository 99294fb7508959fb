"""Plain DBAPI statements for the hot path (placing an order), inside SQLAlchemy's transaction.

SQLAlchemy's expression layer costs tens of microseconds a statement; an order runs about
ten, so the order path writes its SQL once, with ``:name`` parameters, and runs it on the
transaction's own DBAPI cursor (``%(name)s`` for psycopg). Only portable SQL is used.

On PostgreSQL every statement is a round trip to the server, and the order path holds its
market's row lock through all of them. Inside `Raw.pipeline()` statements whose results are
not read are only queued (psycopg's pipeline mode) and go out together with the next read, so
an order takes three round trips: lock and read, write everything, commit. On SQLite the
pipeline does nothing (statements run in-process anyway).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

_PARAM = re.compile(r"(?<!:):(\w+)")
#: Cached translations: statements are few, but the ledger builds one per number of accounts.


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class Pending:
    """The rows of a statement, read on first use (see `Raw.later`)."""

    def __init__(self, *, rows: list[tuple] | None = None, cursor: Any = None) -> None:
        self._rows, self._cursor = rows, cursor

    def all(self) -> list[tuple]:
        if self._rows is None:
            self._rows = self._cursor.fetchall()
            self._cursor.close()
        return self._rows

    def one(self) -> tuple | None:
        rows = self.all()
        return rows[0] if rows else None


class Raw:
    """A DBAPI cursor of `conn`'s transaction that takes ``:name`` parameters on every driver."""

    def __init__(self, conn: Connection) -> None:
        self.is_sqlite = conn.dialect.name == "sqlite"
        self.cursor = conn.connection.cursor()

    def _sql(self, sql: str) -> str:
        return sql if self.is_sqlite else _pyformat(sql)

    @contextlib.contextmanager
    def pipeline(self) -> Iterator[None]:
        """Queue statements whose results are not read (PostgreSQL; see the module docstring)."""
        if self.is_sqlite:
            yield
            return
        with self.cursor.connection.pipeline():
            yield

    def later(self, sql: str, params: dict[str, Any] | None = None) -> Pending:
        """Run `sql` and return its rows unread: in a pipeline, reading them sends everything
        queued until then in one round trip. (SQLite reads them at once: a statement left
        unfinished would hold its read snapshot past the commit and stall WAL checkpoints.)"""
        if self.is_sqlite:
            self.cursor.execute(sql, params or {})
            return Pending(rows=self.cursor.fetchall())
        cursor = self.cursor.connection.cursor()
        cursor.execute(self._sql(sql), params or {})
        return Pending(cursor=cursor)

    def insert(self, table: str, values: dict[str, Any], known_id: int | None) -> int:
        """Insert one row of `table`: with `known_id` (drawn from the sequence on PostgreSQL) only
        queue the statement; without, let the database pick the id and return it."""
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

    def many(self, sql: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.cursor.executemany(self._sql(sql), rows)
