"""A small HTTP client of the market server, used by `benchcast market ...`.

Every failure (no server, an error answer) is raised as `ClientError` with the server's
`detail` message and the HTTP status, so the CLI can print one clean line.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from benchcast.errors import ClientError

DEFAULT_SERVER = "http://127.0.0.1:8000"


class MarketClient:
    """Calls the REST API of a running `benchcast serve`."""

    def __init__(self, server: str = DEFAULT_SERVER, token: str | None = None, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not server.startswith(("http://", "https://")):
            raise ClientError(f"server {server!r} must be an http:// or https:// URL")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.server = server.rstrip("/")
        self._http = httpx.Client(base_url=self.server, headers=headers, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MarketClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        try:
            r = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach the market server at {self.server}: {exc}") from None
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text or r.reason_phrase
            raise ClientError(f"server refused ({r.status_code}): {detail}")
        try:
            return r.json()
        except ValueError:
            raise ClientError(f"server answered {r.status_code} with a body that is not JSON") from None

    def join(self, name: str, invite: str | None = None) -> dict:
        return self._call("POST", "/api/join", {"name": name, "invite": invite})

    def questions(self) -> list[dict]:
        return self._call("GET", "/api/questions")

    def question(self, question_id: int) -> dict:
        return self._call("GET", f"/api/questions/{question_id}")

    def history(self, question_id: int) -> dict:
        return self._call("GET", f"/api/questions/{question_id}/history")

    def create(self, **spec: Any) -> dict:
        return self._call("POST", "/api/questions", {k: v for k, v in spec.items() if v is not None})

    def quote(self, question_id: int, **order: Any) -> dict:
        return self._call("POST", f"/api/questions/{question_id}/quote", {k: v for k, v in order.items() if v is not None})

    def order(self, question_id: int, *, idempotency_key: str | None = None, **order: Any) -> dict:
        body = {k: v for k, v in order.items() if v is not None}
        body["idempotency_key"] = idempotency_key or uuid.uuid4().hex
        return self._call("POST", f"/api/questions/{question_id}/orders", body)

    def cancel(self, order_id: int) -> dict:
        return self._call("POST", f"/api/orders/{order_id}/cancel")

    def resolve(self, question_id: int, **how: Any) -> dict:
        return self._call("POST", f"/api/questions/{question_id}/resolve", {k: v for k, v in how.items() if v is not None})

    def me(self) -> dict:
        return self._call("GET", "/api/me")

    def leaderboard(self) -> list[dict]:
        return self._call("GET", "/api/leaderboard")

    def players(self) -> list[dict]:
        return self._call("GET", "/api/players")

    def reissue(self, name: str) -> dict:
        return self._call("POST", f"/api/players/{quote_path(name)}/reissue")

    def remove_player(self, name: str) -> dict:
        return self._call("DELETE", f"/api/players/{quote_path(name)}")

    def payouts(self, question_id: int) -> list[dict]:
        return self._call("GET", f"/api/questions/{question_id}/payouts")

    def my_history(self) -> dict:
        return self._call("GET", "/api/me/history")


def quote_path(text: str) -> str:
    """`text` as one URL path segment."""
    from urllib.parse import quote

    return quote(text, safe="")
