"""Limits at the edge: request rates (per user and per client address), body and header sizes,
and the security headers of every answer.

Rates are counted by the `limits` library (a sliding-window counter in memory): `RateLimiter`
allows `rate` requests a second on average, in bursts of up to `burst`. Its in-memory storage
would start a timer thread on nearly every hit to drop stale counters (two thread starts per
request: a fifth of the event loop's time under load); `SweptMemoryStorage` drops them on the
caller's thread at most once a second instead. Stale counters are ignored on read either way.
`EdgeGuard` is a pure ASGI middleware; before the app sees a request it

1. refuses headers larger than `max_header_bytes` with 431 (uvicorn's parser is held to the
   same bound by `HeaderLimitedProtocol`, so an 8 MB header is never read whole);
2. refuses a client address over its rate with 429 (reads and writes alike);
3. reads the body, refusing it with 413 as soon as it passes `max_body_bytes`, whether it came
   with a Content-Length or chunked;

and it adds Content-Security-Policy, X-Frame-Options, Referrer-Policy and
X-Content-Type-Options to every answer.
"""

from __future__ import annotations

import json
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

#: The page runs scripts from this server only and may not be framed (inline styles are allowed: charts set them).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: /docs and /redoc are FastAPI's pages, which load their assets from a CDN and run an inline script.
DOCS_PATHS = ("/docs", "/redoc")
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
]
CSP_HEADER = (b"content-security-policy", CSP.encode())


#: Seconds between two sweeps of expired rate counters.
SWEEP_S = 1.0


class SweptMemoryStorage(MemoryStorage):
    """`limits`' MemoryStorage without a timer thread per hit: it sweeps on the caller's thread."""

    def __init__(self) -> None:
        super().__init__()
        self._swept = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the base class's private timer start
        now = time.monotonic()
        if now - self._swept >= SWEEP_S:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


class RateLimiter:
    """`rate` requests a second per key on average, in bursts of up to `burst` (0: no limit).

    One sliding window of ``burst / rate`` seconds that admits `burst` requests: a burst spends
    the window, which then refills at `rate` a second.
    """

    def __init__(self, rate: float, burst: float) -> None:
        self.is_on = rate > 0
        amount = max(1, int(burst))
        self._item = RateLimitItemPerSecond(amount, max(1, round(amount / rate)) if self.is_on else 1)
        self._limiter = SlidingWindowCounterRateLimiter(SweptMemoryStorage())

    def allow(self, key: str) -> bool:
        """Count one request of `key`; False when it is over the limit."""
        return not self.is_on or self._limiter.hit(self._item, key)


class EdgeGuard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app, *, max_body_bytes: int, max_header_bytes: int, ip_limiter: RateLimiter) -> None:  # type: ignore[no-untyped-def]
        self.app, self.max_body, self.max_header, self.ip_limiter = app, max_body_bytes, max_header_bytes, ip_limiter

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        if sum(len(k) + len(v) + 4 for k, v in headers) + len(scope.get("raw_path") or b"") > self.max_header:
            await answer(send, 431, f"request headers are larger than {self.max_header} bytes")
            return
        client = scope.get("client")
        if not self.ip_limiter.allow(f"ip:{client[0] if client else '?'}"):
            await answer(send, 429, "too many requests from this address: slow down", [(b"retry-after", b"1")])
            return
        body = await self._read_body(headers, receive, send)
        if body is None:
            return
        secured = _secured(send, not scope.get("path", "").startswith(DOCS_PATHS))
        await self.app(scope, _replay(body, receive), secured)

    async def _read_body(self, headers, receive, send) -> bytes | None:  # type: ignore[no-untyped-def]
        """The whole body, or None after answering 413."""
        for name, value in headers:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_body:
                    await answer(send, 413, f"request body is larger than {self.max_body} bytes")
                    return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await answer(send, 413, f"request body is larger than {self.max_body} bytes")
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive):  # type: ignore[no-untyped-def]
    """A `receive` that gives the body read already, then waits on the client as usual."""
    sent = False

    async def replayed():  # type: ignore[no-untyped-def]
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _secured(send, with_csp: bool):  # type: ignore[no-untyped-def]
    extra = SECURITY_HEADERS + ([CSP_HEADER] if with_csp else [])

    async def secured(message) -> None:  # type: ignore[no-untyped-def]
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return secured


async def answer(send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:  # type: ignore[no-untyped-def]
    """Send a JSON error answer ``{"detail": ...}`` straight from the middleware."""
    body = json.dumps({"detail": detail}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    *SECURITY_HEADERS, *(headers or [])],
    })
    await send({"type": "http.response.body", "body": body})
