"""`benchcast serve`: run the multi-user market server and its web page."""

from __future__ import annotations

import sys

import typer

from benchcast.cli.common import cli_errors


@cli_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 0.0.0.0 lets others on the network join."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port to listen on."),
    db: str = typer.Option(None, "--db", help="Database URL (default: BENCHCAST_DB, else SQLite in BENCHCAST_HOME)."),
    invite: str = typer.Option(None, "--invite", help="Invite code every joining trader must give."),
    host_token: str = typer.Option(None, "--host-token", help="Bearer token of the host (admin); random if not given."),
    rate: float = typer.Option(200.0, "--rate", help="Requests per second allowed per user (0: no limit)."),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
    autoresolve_every: float = typer.Option(600.0, "--autoresolve-every", help="Seconds between resolving linked questions from the data (0: never)."),
) -> None:
    """Start the market server: REST API under /api, web page at /, API docs at /docs."""
    import uvicorn

    from benchcast.db import users
    from benchcast.db.engine import create_all, make_engine
    from benchcast.db.tokens import new_token
    from benchcast.errors import ConfigError
    from benchcast.server import Settings, create_app

    if host_token is not None and len(host_token) < 16:
        raise ConfigError(f"--host-token is {len(host_token)} characters long; use at least 16")
    engine = make_engine(db)
    create_all(engine)
    token = host_token or new_token()
    users.ensure_host(engine, token)
    app = create_app(engine, Settings(invite=invite, host_token=token, rate_per_s=rate, rate_burst=max(2 * rate, 1.0)))
    shown = "localhost" if host in ("127.0.0.1", "::1") else (_lan_address() if host in ("0.0.0.0", "::") else host)
    typer.echo(f"benchcast market server on http://{shown}:{port}/  (API docs: /docs)", err=False)
    typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"host token: {token}")
    if invite:
        typer.echo(f"invite code: {invite}")
    if autoresolve_every > 0:
        from benchcast.db.autoresolve import start_periodic

        start_periodic(engine, autoresolve_every, report=_report_autoresolve)
    sys.stdout.flush()
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def _lan_address() -> str:
    """This machine's address on the local network (what others type in), else 0.0.0.0."""
    import socket

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
        typer.echo(f"resolved #{r['question_id']} {r['outcome']} from the data: {r['reason']}", err=True)
