"""Per-user rate limiting and a cap on request size (a pure ASGI middleware)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    """A token bucket per key: `rate` requests a second on average, bursts of `burst`."""

    rate: float
    burst: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: str, now: float | None = None) -> bool:
        """Take one request from `key`'s bucket; False when it is empty."""
        if self.rate <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            return True


class BodySizeLimit:
    """Refuse request bodies larger than `max_bytes` with 413 and a JSON `detail`."""

    def __init__(self, app, max_bytes: int) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await _refuse(send, self.max_bytes)
                    return
        seen = 0
        refused = False

        async def limited_receive():  # type: ignore[no-untyped-def]
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await _refuse(send, self.max_bytes)


class _TooLarge(Exception):
    """A streamed body passed the limit."""


async def _refuse(send, max_bytes: int) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"detail": f"request body is larger than {max_bytes} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
