"""Idempotency keys: a retried order replays its first answer; a reused key never runs another order.

A key is bound to the request it first came with: the order row stores the key and a hash of
the request (question, outcome, side, amount, shares, limit price, resting). The same key with
the same request replays the stored answer (``replayed: true``); the same key with a different
request is refused (`IdempotencyMismatch`, HTTP 422) and runs nothing. A key expires
`KEY_TTL` (24 hours) after its first use: after that it is free to name a new order.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from benchcast.db.errors import IdempotencyMismatch
from benchcast.db.raw import Raw
from benchcast.units import money, shares

#: How long a key stays bound to its first request.
KEY_TTL = timedelta(hours=24)


def request_hash(question_id: int, outcome: str, side: str, amount: int | None, shares: int | None,
                 limit_price: float | None, resting: bool) -> str:
    """A hash of everything that makes an order request what it is (amounts in micro-units)."""
    body = json.dumps([question_id, outcome, side, amount, shares, limit_price, bool(resting)], separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def replay(raw: Raw, *, user_id: int, key: str, digest: str, now: datetime) -> tuple[int, str] | None:
    """The order id and stored answer (JSON text) to `key` if it was used for this very request
    (see `trading.PlacedOrder.replay`); None if it is unused
    (or expired, in which case it is released). Raises IdempotencyMismatch for another request."""
    row = raw.one(
        "SELECT id, result, request_hash, created_at, side, amount, shares_in FROM bc_order "
        "WHERE user_id = :u AND idempotency_key = :k", {"u": user_id, "k": key})
    if row is None:
        return None
    order_id, result, stored, created_at, side, amount, shares_in = row
    if isinstance(created_at, str):  # SQLite hands back text
        created_at = datetime.fromisoformat(created_at)
    if now - created_at > KEY_TTL:
        raw.run("UPDATE bc_order SET idempotency_key = NULL WHERE id = :id", {"id": order_id})
        return None
    if stored is not None and stored != digest:  # rows from before hashes were kept match any request
        size = money(amount) if amount is not None else shares(shares_in)
        raise IdempotencyMismatch(
            f"idempotency key '{key}' was already used for another order ({side} {json.loads(result).get('outcome', '')} {size}); "
            "send a new key for a new order")
    return order_id, result
