"""Bearer tokens: made at random, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

#: Random bytes in a token (base64url encoded, so about 43 characters).
TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh random bearer token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The hex SHA-256 of `token`: what the database stores and looks tokens up by.

    A token carries 256 random bits, so a fast unsalted hash is enough: there is nothing to guess.
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
