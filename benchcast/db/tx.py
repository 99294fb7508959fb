"""Write transactions: one writer at a time per SQLite file, row locks on PostgreSQL.

`write_transaction(engine)` yields a connection inside a transaction that commits on success
and rolls back on any exception. On SQLite it begins with BEGIN IMMEDIATE (after taking this
process's write lock, so threads queue instead of sleeping in the busy handler). On PostgreSQL
it retries the whole block when the server reports a deadlock or a serialization failure.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from benchcast.db.engine import check_database_file, process_write_lock, writing

T = TypeVar("T")
#: PostgreSQL SQLSTATEs worth retrying: serialization_failure, deadlock_detected.
RETRYABLE = {"40001", "40P01"}


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction (see the module docstring).

    On SQLite it first checks that the database file is still the one the engine opened."""
    lock = process_write_lock(engine)
    if lock is not None:
        check_database_file(engine)
    if lock is not None:
        lock.acquire()
    try:
        with writing(engine).begin() as conn:
            yield conn
    finally:
        if lock is not None:
            lock.release()


def run_write(engine: Engine, work: Callable[[Connection], T], attempts: int = 5) -> T:
    """Run `work(conn)` in a write transaction, retrying PostgreSQL deadlocks and SQLite busy errors."""
    for attempt in range(attempts):
        try:
            with write_transaction(engine) as conn:
                return work(conn)
        except (DBAPIError, OperationalError) as exc:
            if attempt == attempts - 1 or not _retryable(exc):
                raise
            time.sleep(0.005 * (2**attempt))
    raise AssertionError("unreachable")


def _retryable(exc: DBAPIError) -> bool:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if state in RETRYABLE:
        return True
    return "database is locked" in str(orig or exc)
