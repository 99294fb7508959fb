"""Users: joining, the host account, token look-up, balances and positions."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from benchcast.db import ledger, players
from benchcast.db.errors import Conflict, Forbidden, InvalidRequest
from benchcast.db.models import User
from markets.money import MICRO
from benchcast.db.tokens import hash_token, new_token
from benchcast.db.tx import write_transaction

HOST_NAME = "host"
#: Money every new trader starts with, in micro-units.
STARTING_BALANCE = 1_000 * MICRO


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who a user is: what a token names."""

    id: int
    name: str
    is_host: bool


def clean_name(name: str) -> str:
    """`name` stripped and checked: 1 to 64 printable characters."""
    if not isinstance(name, str):
        raise InvalidRequest("name must be a string")
    name = unicodedata.normalize("NFC", name).strip()
    if not 1 <= len(name) <= 64:
        raise InvalidRequest(f"name {name[:80]!r} must be 1 to 64 characters long")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidRequest("name must not contain control characters")
    return name


def join(
    engine: Engine, *, name: str, invite: str | None = None, expected_invite: str | None = None,
    starting_balance: int = STARTING_BALANCE, max_players: int | None = None,
) -> tuple[UserRef, str]:
    """Create a trader named `name` with a starting balance; return (user row, token).

    At most `max_players` traders (the host not counted) may join: one invite must not mint
    unlimited accounts, each with a starting balance."""
    if expected_invite and invite != expected_invite:
        raise Forbidden("a valid invite code is needed to join this session")
    name = clean_name(name)
    players.check_unconfusable(name)
    if players.name_key(name) == HOST_NAME:
        raise Conflict(players.taken(name, HOST_NAME))
    token = new_token()
    try:
        with write_transaction(engine) as conn:
            if max_players is not None:
                _check_room(conn, max_players)
            if conn.execute(select(User.id).where(User.name == name)).first():
                raise Conflict(players.taken(name, name))
            user_id = conn.execute(insert(User).values(name=name, token_hash=hash_token(token), is_host=False).returning(User.id)).scalar_one()
            players.claim_name(conn, user_id, name)
            ledger.post(conn, "grant", [(ledger.BANK, -starting_balance), (ledger.user_cash(user_id), starting_balance)], memo=f"starting balance of {name}")
    except IntegrityError:
        raise Conflict(players.taken(name, name)) from None
    return UserRef(user_id, name, False), token


def _check_room(conn: Connection, max_players: int) -> None:
    """Raise Conflict when `max_players` traders have joined (joins are serialized: SQLite's write
    lock, or the host's row locked FOR UPDATE on PostgreSQL)."""
    if conn.dialect.name != "sqlite":
        conn.execute(select(User.id).where(User.name == HOST_NAME).with_for_update())
    joined = conn.execute(select(func.count()).select_from(User).where(User.is_host.is_(False))).scalar_one()
    active = joined - len(players.removed_ids(conn))  # a player the host removed frees a place
    if active >= max_players:
        raise Conflict(f"this session is full: it has {active} players, the most the host allows")


def ensure_host(engine: Engine, token: str, starting_balance: int = STARTING_BALANCE) -> UserRef:
    """Make (or re-key) the host account so that `token` is its bearer token."""
    with write_transaction(engine) as conn:
        row = conn.execute(select(User.id).where(User.name == HOST_NAME)).first()
        if row:
            conn.execute(update(User).where(User.id == row.id).values(token_hash=hash_token(token), is_host=True))
            return UserRef(row.id, HOST_NAME, True)
        user_id = conn.execute(insert(User).values(name=HOST_NAME, token_hash=hash_token(token), is_host=True).returning(User.id)).scalar_one()
        ledger.post(conn, "grant", [(ledger.BANK, -starting_balance), (ledger.user_cash(user_id), starting_balance)], memo="starting balance of host")
    return UserRef(user_id, HOST_NAME, True)


def user_by_token(conn: Connection, token: str) -> UserRef | None:
    """The user whose token is `token`, or None."""
    row = conn.execute(select(User.id, User.name, User.is_host).where(User.token_hash == hash_token(token))).first()
    return None if row is None else UserRef(row.id, row.name, bool(row.is_host))

