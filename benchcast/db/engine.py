"""Database engines: SQLite in the data directory by default, PostgreSQL by URL.

`make_engine(url)` picks the database:

1. the `url` argument, when given;
2. else the `BENCHCAST_DB` environment variable;
3. else the SQLite file `benchcast.db` in the data directory (`BENCHCAST_HOME`, default
   `~/.benchcast`, created if missing).

SQLite runs in WAL mode with `synchronous=NORMAL` (a committed transaction survives a killed
process) and a busy timeout. Write transactions ask for `BEGIN IMMEDIATE` through
`writing(engine)`, so one writer holds the database lock from its first statement; reads use
plain deferred transactions. `postgresql://` URLs are driven by psycopg v3.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import SQLModel, create_engine

from benchcast.errors import ConfigError

#: Seconds a SQLite connection waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
#: Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE.
IMMEDIATE = "benchcast_begin_immediate"


def data_home() -> Path:
    """The data directory (`BENCHCAST_HOME`, default `~/.benchcast`), created if missing."""
    home = Path(os.environ.get("BENCHCAST_HOME") or Path.home() / ".benchcast").expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create data directory {home}: {exc.strerror}") from None
    return home


def resolve_url(url: str | None = None) -> str:
    """The SQLAlchemy URL for `url`, `BENCHCAST_DB` or the default SQLite file."""
    url = url or os.environ.get("BENCHCAST_DB") or f"sqlite:///{data_home() / 'benchcast.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not (url.startswith("sqlite") or url.startswith("postgresql+psycopg")):
        raise ConfigError(f"database URL {url.split('://')[0]}://... is not supported; use sqlite:///PATH or postgresql://...")
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (see the module docstring for the default), tuned for many writers."""
    url = resolve_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return _ping_when_idle(create_engine(url, pool_size=10, max_overflow=30))


#: A pooled PostgreSQL connection idle longer than this is pinged before use.
IDLE_PING_S = 10.0


def _ping_when_idle(engine: Engine) -> Engine:
    """Ping a pooled connection before use only when it sat idle (SQLAlchemy's `pool_pre_ping`
    pings on every checkout: one more round trip per request, a tenth of an order's under load).
    A busy connection that died is still caught: the error invalidates the whole pool."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) < IDLE_PING_S:
            return
        try:
            with dbapi_conn.cursor() as cur:
                cur.execute("SELECT 1")
            dbapi_conn.rollback()
        except Exception as exc:  # noqa: BLE001 - any failure: let the pool connect anew
            raise DisconnectionError(str(exc)) from exc

    return engine


def _sqlite_engine(url: str) -> Engine:
    is_memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}}
    if is_memory:
        from sqlalchemy.pool import StaticPool

        kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_size=20, max_overflow=20)
        path = url.split("///", 1)[-1]
        if path:
            folder = Path(path).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"cannot use {folder} as the folder of the database file: {exc.strerror or exc}") from None
    engine = create_engine(url, **kwargs)

    file = None if is_memory else Path(url.split("///", 1)[-1]).expanduser().absolute()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from pysqlite so BEGIN IMMEDIATE can be issued.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not is_memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.close()
        if file is not None and engine.pool not in _FILES:
            _FILES[engine.pool] = (file, _identity(file))

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        # On the DBAPI connection itself: SQLAlchemy's statement machinery would cost as much as
        # a twentieth of an order, and pysqlite (isolation_level None) leaves BEGIN to us.
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def database_name(engine: Engine) -> str:
    """The database `engine` talks to, as a cache key (each URL is rendered once, not per order)."""
    return _rendered(engine.url)


@lru_cache(maxsize=64)
def _rendered(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    """Whether `engine` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def writing(engine: Engine) -> Engine:
    """`engine` with write transactions that start with BEGIN IMMEDIATE on SQLite (made once per engine)."""
    if not is_sqlite(engine):
        return engine
    found = _WRITING.get(engine)
    if found is None:
        found = _WRITING[engine] = engine.execution_options(**{IMMEDIATE: True})
    return found


def process_write_lock(engine: Engine) -> threading.Lock | None:
    """A lock serializing this process's SQLite writers (None for PostgreSQL).

    Threads then queue on the lock instead of sleeping in SQLite's busy handler, which would
    wreck latency; other processes are still held off by BEGIN IMMEDIATE.
    """
    if not is_sqlite(engine):
        return None
    with _LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(engine.pool, threading.Lock())


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def check_database_file(engine: Engine) -> None:
    """Raise Unavailable unless `engine`'s SQLite file is still the file it first opened.

    A file deleted, moved or replaced under a running server (or its folder removed) would
    otherwise take writes into an unlinked inode and lose them at restart.
    """
    known = _FILES.get(engine.pool)
    if known is None:
        return
    path, identity = known
    if identity is not None and _identity(path) != identity:
        from benchcast.db.errors import Unavailable

        raise Unavailable(f"the database file {path} was deleted, moved or replaced while the server ran: "
                          "writes are refused so that nothing acknowledged is lost; restart the server")


_FILES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pool -> (SQLite file, (device, inode))
_LOCKS_GUARD = threading.Lock()
_WRITING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its BEGIN IMMEDIATE variant
_WRITE_LOCKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def create_all(engine: Engine) -> None:
    """Create every table registered on SQLModel's metadata that does not exist yet.

    Raises ConfigError (one clean line) when the database cannot be reached or opened.
    """
    import benchcast.db.models  # noqa: F401  (registers the tables)

    try:
        SQLModel.metadata.create_all(engine)
        add_missing_columns(engine)
    except OperationalError as exc:
        raise unreachable(engine, exc) from None


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the columns that a newer `models.py` declares to tables an older one made.

    `create_all` makes missing tables only; a database made before a column was added would
    otherwise fail on first use. A nullable column is added empty; a NOT NULL one with a
    constant default (``bc_question.description``) is added with that default, which fills the
    old rows. Returns ``table.column`` for each column added.
    """
    from sqlalchemy import inspect, literal

    added = []
    with engine.begin() as conn:  # one connection (an in-memory database has only one)
        inspector = inspect(conn)
        tables = set(inspector.get_table_names())
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in tables:
                continue
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in have or column.primary_key:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                if not column.nullable:
                    default = getattr(column.default, "arg", None)
                    if default is None or callable(default):
                        continue  # no constant to fill old rows with: leave it to a person
                    value = literal(default, column.type).compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
                    kind += f" NOT NULL DEFAULT {value}"
                conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
                added.append(f"{table.name}.{column.name}")
    return added


def unreachable(engine: Engine, exc: Exception) -> ConfigError:
    """The error to raise when `engine`'s database cannot be opened."""
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    return ConfigError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {reason}")
