"""`benchcast serve`: run the multi-user market server and its web page."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import typer

from benchcast.cli.common import cli_errors

TOKEN_ENV = "BENCHCAST_HOST_TOKEN"
MIN_TOKEN_LENGTH = 16
#: Seconds a thread may hold the GIL while another waits (Python's default: 0.005).
SWITCH_INTERVAL_S = 0.001


@cli_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 0.0.0.0 lets others on the network join."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port to listen on."),
    db: str = typer.Option(None, "--db", help="Database URL (default: BENCHCAST_DB, else SQLite in BENCHCAST_HOME)."),
    invite: str = typer.Option(None, "--invite", help="Invite code every joining trader must give."),
    host_token_file: Path = typer.Option(
        None, "--host-token-file",
        help=f"File holding the host's bearer token (or set {TOKEN_ENV}); random and printed if neither is given."),
    rate: float = typer.Option(200.0, "--rate", help="Requests per second allowed per user (0: no limit)."),
    ip_rate: float = typer.Option(100.0, "--ip-rate", help="Requests per second allowed per client address, reads too (0: no limit)."),
    max_players: int = typer.Option(50, "--max-players", min=1, help="Most traders who may join (the host not counted)."),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
    autoresolve_every: float = typer.Option(600.0, "--autoresolve-every", help="Seconds between resolving linked questions from the data (0: never)."),
) -> None:
    """Start the market server: REST API under /api, web page at /, API docs at /docs."""
    import uvicorn

    from benchcast.server import Settings, create_app
    from benchcast.server.http import header_limited

    token, source = host_token(host_token_file)
    sock = listen(host, port)
    engine = open_database(db, token)
    settings = Settings(invite=invite, host_token=token, rate_per_s=rate, rate_burst=max(2 * rate, 1.0),
                        ip_rate_per_s=ip_rate, ip_burst=max(2 * ip_rate, 1.0), max_players=max_players)
    app = create_app(engine, settings)
    port = sock.getsockname()[1]
    shown = "localhost" if host in ("127.0.0.1", "::1") else (_lan_address() if host in ("0.0.0.0", "::") else host)
    typer.echo(f"benchcast market server on http://{shown}:{port}/  (API docs: /docs)")
    typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"host token: {token}" if source == "generated" else f"host token: from {source}")
    if invite:
        typer.echo(f"invite code: {invite}")
    typer.echo(f"players: at most {max_players}")
    if autoresolve_every > 0:
        from benchcast.db.autoresolve import start_periodic

        start_periodic(engine, autoresolve_every, report=_report_autoresolve)
    sys.stdout.flush()
    # The GIL passes between threads every 5 ms by default: a database thread whose answer came
    # back while the event loop runs Python waits that long, holding its market's lock. 1 ms
    # shortens those waits (PostgreSQL runs its orders in threads).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    config = uvicorn.Config(app, log_level=log_level, access_log=False, http=header_limited(settings.max_header_bytes),
                            h11_max_incomplete_event_size=settings.max_header_bytes)
    uvicorn.Server(config).run(sockets=[sock])


def host_token(path: Path | None) -> tuple[str, str]:
    """The host's token and where it came from: the file, BENCHCAST_HOST_TOKEN, or "generated".

    Never a command-line value: anyone on the machine can read another process's arguments.
    """
    from benchcast.db.tokens import new_token
    from benchcast.errors import ConfigError

    env = os.environ.get(TOKEN_ENV)
    if path is not None and env:
        raise ConfigError(f"the host token is given twice: use {TOKEN_ENV} or --host-token-file, not both")
    if path is not None:
        try:
            token, source = path.read_text(encoding="utf-8").strip(), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read --host-token-file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    elif env:
        token, source = env.strip(), TOKEN_ENV
    else:
        return new_token(), "generated"
    if len(token) < MIN_TOKEN_LENGTH or any(ch.isspace() for ch in token):
        raise ConfigError(f"the host token from {source} is {len(token)} characters long or has spaces; "
                          f"use at least {MIN_TOKEN_LENGTH} characters without spaces")
    return token, source


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, bound before anything else starts (so a busy port is one line)."""
    from benchcast.errors import ConfigError

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def open_database(url: str | None, token: str):  # type: ignore[no-untyped-def]
    """The engine over `url` with its tables made and the host account keyed to `token`.

    Any failure (a path that cannot hold a database, a read-only file, a server that cannot be
    reached) is a ConfigError: one line, no traceback.
    """
    from benchcast.db import users
    from benchcast.db.engine import create_all, make_engine
    from benchcast.db.errors import database_errors
    from benchcast.errors import ConfigError

    engine = make_engine(url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        create_all(engine)
        users.ensure_host(engine, token)
    except (OSError, *database_errors()) as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise ConfigError(f"cannot use database {where}: {reason[0] if reason else type(exc).__name__}") from None
    return engine


def _lan_address() -> str:
    """This machine's address on the local network (what others type in), else 0.0.0.0."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            return s.getsockname()[0]
    except OSError:
        return "0.0.0.0"


def _report_autoresolve(done: list | Exception) -> None:
    """One line per question resolved from the data (or the error of a failed pass), on stderr."""
    if isinstance(done, Exception):
        typer.echo(f"autoresolve failed: {done}", err=True)
        return
    for r in done:
        typer.echo(f"resolved #{r.question_id} {r.outcome} from the data: {r.reason}", err=True)
