"""The FastAPI application factory: settings, middleware, error mapping, the web page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from benchcast.server.limits import EdgeGuard, RateLimiter
from benchcast.server.errors import HANDLED, detail_for, status_for

WEB_DIR = Path(__file__).resolve().parents[1] / "web"


@dataclass(frozen=True)
class Settings:
    """What `benchcast serve` can change."""

    invite: str | None = None
    host_token: str | None = None
    rate_per_s: float = 200.0  # per user
    rate_burst: float = 400.0
    ip_rate_per_s: float = 100.0  # per client address, reads and writes alike
    ip_burst: float = 200.0
    join_rate_per_s: float = 5.0
    join_burst: float = 50.0
    max_body_bytes: int = 64 * 1024
    max_header_bytes: int = 16 * 1024
    max_players: int = 50
    inline_writes: bool | None = None  # None: on for SQLite, off for PostgreSQL



def pg_writers() -> int:
    """Order threads allowed into PostgreSQL at once: the cores plus one, between 2 and 8."""
    return max(2, min(8, (os.cpu_count() or 1) + 1))

def create_app(engine: Engine, settings: Settings | None = None) -> FastAPI:
    """The market server app over `engine` (tables must exist; see `create_all`)."""
    from benchcast.server import events, people
    from benchcast.server.routes import router

    settings = settings or Settings()
    app = FastAPIOffline(  # /docs with Swagger UI's files served by this app, not from a CDN
        title="benchcast market server",
        version="1",
        description="Trade on AI benchmark questions. Authenticate with `Authorization: Bearer TOKEN` (from POST /api/join).",
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.limiter = RateLimiter(settings.rate_per_s, settings.rate_burst)
    ip_limiter = RateLimiter(settings.ip_rate_per_s, settings.ip_burst)
    app.state.join_limiter = RateLimiter(settings.join_rate_per_s, settings.join_burst)
    app.state.user_cache = {}
    # One writer at a time on SQLite (it has one write lock). On PostgreSQL a few (row locks), as
    # many as the cores plus one: an order's server side is CPU-bound (one core for this process's
    # Python, the rest for PostgreSQL), so more threads only queue on the market's row lock and
    # the GIL. Measured on 2 cores, 20 clients (`benchmarks/server.py --trees`, medians of 3):
    # 2 writers 353, 3 writers 396-436, 4 writers 359, 8 writers 347 orders/s.
    app.state.writers = anyio.CapacityLimiter(1 if engine.dialect.name == "sqlite" else pg_writers())
    # SQLite runs writes on the event loop itself: one writer at a time either way, and it saves
    # two thread hand-offs per order (about 0.5 ms of CPU, a third of an order's cost). The cost:
    # if another process holds the database's write lock, the loop waits (up to the busy timeout).
    app.state.inline_writes = settings.inline_writes if settings.inline_writes is not None else engine.dialect.name == "sqlite"
    app.include_router(router)
    app.include_router(people.router)
    app.include_router(events.router)
    _add_error_handlers(app)
    app.add_middleware(EdgeGuard, max_body_bytes=settings.max_body_bytes, max_header_bytes=settings.max_header_bytes,
                       ip_limiter=ip_limiter)

    if WEB_DIR.is_dir():
        app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")

        @app.get("/", include_in_schema=False)
        def index() -> FileResponse:
            return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    return app


def _add_error_handlers(app: FastAPI) -> None:
    async def mapped(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": detail_for(exc)}, status_code=status_for(exc))

    for cls in HANDLED:
        app.add_exception_handler(cls, mapped)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": describe_validation(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def server_error(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "internal server error"}, status_code=500)


def describe_validation(exc: RequestValidationError) -> str:
    """One readable line per problem: `body.amount: Input should be a valid number`."""
    lines = []
    for err in exc.errors()[:10]:
        where = ".".join(str(part) for part in err.get("loc", ()))
        lines.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(lines) or "invalid request"
