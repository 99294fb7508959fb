"""Fixtures of the shell's tests: a per-test database (SQLite file, or a fresh PostgreSQL
database where a server is reachable), the app over it, and clients with tokens."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_ADMIN_URL = os.environ.get("BENCHCAST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
HOST_TOKEN = "host-token-for-tests-0123456789abcdef"


def _pg_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute("select 1")
    except Exception as exc:  # any failure to connect means: skip
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return None


_PG_REASON: list[str | None] = []


def pg_skip_reason() -> str | None:
    """Why PostgreSQL tests must skip (None when a server answers); asked once per run."""
    if not _PG_REASON:
        _PG_REASON.append(_pg_reason())
    return _PG_REASON[0]


def fresh_pg_database() -> tuple[str, callable]:
    """Create a uniquely named database; return its URL and a function that drops it."""
    import psycopg

    name = f"bc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A URL of an empty database, on SQLite and (where reachable) on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.db'}"
        return
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    url, drop = fresh_pg_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL of an empty PostgreSQL database, for behaviour only PostgreSQL has (skips with the
    reason where no server answers)."""
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    url, drop = fresh_pg_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'bench.db'}"


@pytest.fixture
def engine(db_url):
    from benchcast.db.engine import create_all, make_engine

    eng = make_engine(db_url)
    create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def app(engine):
    from benchcast.db import users
    from benchcast.server import Settings, create_app

    users.ensure_host(engine, HOST_TOKEN)
    return create_app(engine, Settings(host_token=HOST_TOKEN))


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def host_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {HOST_TOKEN}"}

