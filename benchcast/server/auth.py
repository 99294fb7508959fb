"""Reading bearer tokens from requests; tokens themselves live in `benchcast.db.tokens`."""

from __future__ import annotations

from benchcast.db.tokens import hash_token, new_token

__all__ = ["bearer", "hash_token", "new_token"]


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header, or None if absent or malformed."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 256:
        return None
    return token
