"""Errors of the database services (all subclasses of `benchcast.errors.BenchcastError`).

The HTTP status of each is chosen in one place, `benchcast.server.errors.STATUS`.

Hierarchy::

    BenchcastError
    └── ServiceError            a request the services refuse
        ├── NotFound            no such user, question or order
        ├── Forbidden           the caller may not do this
        ├── Conflict            the request clashes with the current state
        │   └── InsufficientFunds  a balance or holding would go below zero
        ├── InvalidRequest      the request is malformed or out of range
        │   └── IdempotencyMismatch  a reused idempotency key with a different request
        ├── Unavailable         the database cannot take writes now (its file was replaced)
        └── LedgerImbalance     a posting does not sum to zero (a bug, never input)
"""

from __future__ import annotations

from benchcast.errors import BenchcastError


class ServiceError(BenchcastError):
    """A request the services refuse."""


class NotFound(ServiceError):
    """No such user, question or order."""


class Forbidden(ServiceError):
    """The caller may not do this."""


class Conflict(ServiceError):
    """The request clashes with the current state."""


class InsufficientFunds(Conflict):
    """A balance or a holding would go below zero."""


class InvalidRequest(ServiceError):
    """The request is malformed or out of range."""


class IdempotencyMismatch(InvalidRequest):
    """An idempotency key already used for a different request."""


class Unavailable(ServiceError):
    """The database cannot take writes now."""


class LedgerImbalance(ServiceError):
    """A ledger posting does not sum to zero: a bug, never the caller's fault."""


def database_errors() -> tuple[type[Exception], ...]:
    """The exceptions a database driver raises: SQLAlchemy's and the raw drivers' (the order path
    runs on the DBAPI cursor, whose errors SQLAlchemy does not wrap)."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    found: list[type[Exception]] = [DBAPIError, sqlite3.Error]
    try:
        import psycopg

        found.append(psycopg.Error)
    except ImportError:  # PostgreSQL support not installed
        pass
    return tuple(found)


def integrity_errors() -> tuple[type[Exception], ...]:
    """Constraint violations, from SQLAlchemy or from the raw drivers."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    found: list[type[Exception]] = [IntegrityError, sqlite3.IntegrityError]
    try:
        import psycopg

        found.append(psycopg.IntegrityError)
    except ImportError:  # PostgreSQL support not installed
        pass
    return tuple(found)
