"""The HTTP edge's one status-mapping table, and the words of every error answer.

`STATUS` maps an exception class to its HTTP status; `status_for` walks the exception's
classes (most specific first) to the first one in the table, as httpx's ``map_exceptions``
maps transport errors. Every error answer is JSON ``{"detail": "..."}`` in words for people:
engine errors are worded by `benchcast.units.describe`, database failures become 503.
"""

from __future__ import annotations

from benchcast.db import errors as db
from benchcast.units import describe
from markets import errors as m

STATUS: dict[type[Exception], int] = {
    db.NotFound: 404,
    db.Forbidden: 403,
    db.Conflict: 409,
    db.IdempotencyMismatch: 422,
    db.InvalidRequest: 400,
    db.Unavailable: 503,
    db.LedgerImbalance: 500,
    db.ServiceError: 400,
    m.UnknownOrder: 404,
    m.MarketClosed: 409,
    m.MarketResolved: 409,
    m.InsufficientShares: 409,
    m.InsufficientFunds: 409,
    m.LimitPriceNotMet: 409,
    m.PriceOutOfBounds: 409,
    m.MarketError: 400,
    **{cls: 503 for cls in db.database_errors()},
}
#: Classes the app registers an exception handler for (every other class in STATUS derives from one).
HANDLED: tuple[type[Exception], ...] = (db.ServiceError, m.MarketError, *db.database_errors())


def status_for(exc: Exception) -> int:
    """The HTTP status of `exc`: its first class found in `STATUS`, else 500."""
    for cls in type(exc).__mro__:
        status = STATUS.get(cls)
        if status is not None:
            return status
    return 500


def detail_for(exc: Exception) -> str:
    """The words of the answer to `exc`."""
    if isinstance(exc, m.MarketError):
        return describe(exc)
    if isinstance(exc, db.database_errors()):
        return f"the database is unavailable ({_reason(exc)}): try again later"
    if isinstance(exc, db.ServiceError):
        return str(exc)
    return "internal server error"


def _reason(exc: Exception) -> str:
    """The driver's first line, without the SQL statement SQLAlchemy appends."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
