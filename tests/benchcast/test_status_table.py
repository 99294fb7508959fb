"""One status-mapping table at the HTTP edge: every error class maps, most specific first."""

from __future__ import annotations

import sqlite3

import pytest

from benchcast.db import errors as db
from benchcast.server.errors import STATUS, detail_for, status_for
from markets import errors as m


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


@pytest.mark.parametrize(("exc", "status"), [
    (db.NotFound("question 3 does not exist"), 404),
    (db.Forbidden("only the host may do this"), 403),
    (db.InsufficientFunds("your balance is too low"), 409),
    (db.IdempotencyMismatch("key reused"), 422),
    (db.InvalidRequest("bad"), 400),
    (db.Unavailable("gone"), 503),
    (m.UnknownOrder("x"), 404),
    (m.InsufficientFunds("x", needed=2, available=1), 409),
    (m.PriceOutOfBounds("x"), 409),
    (m.InvalidAmount("x"), 400),
    (m.InvalidQuestion("x"), 400),
    (sqlite3.OperationalError("attempt to write a readonly database"), 503),
    (ValueError("a bug"), 500),
])
def test_status_comes_from_the_table(exc, status):
    assert status_for(exc) == status


def test_every_error_class_of_the_services_and_the_engine_has_a_status():
    for cls in _subclasses(db.ServiceError) | _subclasses(m.MarketError):
        assert any(c in STATUS for c in cls.__mro__), cls
    assert not hasattr(db.ServiceError, "status")  # no second mechanism


def test_database_errors_are_worded_without_sql():
    from sqlalchemy.exc import OperationalError

    exc = OperationalError("INSERT INTO bc_order ...", {}, sqlite3.OperationalError("attempt to write a readonly database"))
    assert detail_for(exc) == "the database is unavailable (attempt to write a readonly database): try again later"
