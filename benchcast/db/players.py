"""Players as people: unique, unconfusable names; the host's list; re-issued and removed links.

A name's key is its Unicode NFKC form, case-folded (``Alice``, ``alice`` and ``ＡＬＩＣＥ`` share
one key); keys are unique (`bc_player.name_key`). Names that mix scripts with look-alike letters
(``hоst`` with a Cyrillic о) are refused outright, so no one can pass for someone else.

A re-entry link is the page's address with the bearer token in the URL fragment
(``http://HOST:PORT/#token=TOKEN``): the fragment never reaches the server's logs. Re-issuing a
link gives the player a new token and makes the old one worthless; removing a player revokes
their token and takes them off the leaderboard, while their ledger history stays.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from confusable_homoglyphs import categories, confusables
from sqlalchemy import insert, join, outerjoin, select, update
from sqlalchemy.engine import Connection, Engine

from benchcast.db.errors import Conflict, InvalidRequest, NotFound
from benchcast.db.models import Account, Player, User, utcnow
from benchcast.db.tokens import hash_token, new_token
from benchcast.db.tx import write_transaction


@dataclass(frozen=True, slots=True)
class PlayerRef:
    """A player the host acted on."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PlayerView:
    """Someone who joined: their cash (micro-units) and whether the host removed them."""

    name: str
    is_host: bool
    joined_at: datetime
    is_removed: bool
    cash: int


def name_key(name: str) -> str:
    """The key two names must not share: NFKC, case-folded, NFKC again (folding can denormalize)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def check_unconfusable(name: str) -> None:
    """Refuse a name that mixes scripts with letters that look like another script's."""
    if not confusables.is_dangerous(name):
        return
    scripts = [categories.alias(ch) for ch in name if ch.isalpha()]
    main = max(set(scripts), key=scripts.count)
    odd = next(ch for ch in name if ch.isalpha() and categories.alias(ch) != main)
    raise InvalidRequest(f"name {name!r} mixes scripts ({categories.alias(odd).title()} {odd!r} among "
                         f"{main.title()} letters) and could pass for another name; use letters of one script")


def reentry_link(base_url: str, token: str) -> str:
    """The page's address with `token` in the fragment."""
    return f"{base_url.rstrip('/')}/#token={token}"


def claim_name(conn: Connection, user_id: int, name: str) -> None:
    """Reserve `name`'s key for `user_id` (Conflict if another player holds it)."""
    key = name_key(name)
    row = conn.execute(select(User.name).select_from(join(Player, User, User.id == Player.user_id))
                       .where(Player.name_key == key)).first()
    if row is not None:
        raise Conflict(taken(name, row.name))
    conn.execute(insert(Player).values(user_id=user_id, name_key=key))


def taken(name: str, holder: str) -> str:
    same = "" if holder == name else f" (as {holder!r})"
    return f"name {name!r} is taken{same}; choose another, or open your re-entry link (the host can reissue it)"


def list_players(engine: Engine) -> list[PlayerView]:
    """Everyone who joined, with their cash and whether they were removed, in joining order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(User.id, User.name, User.is_host, User.created_at, Player.removed_at, Account.balance)
            .select_from(outerjoin(User, Player, Player.user_id == User.id)
                         .outerjoin(Account, Account.key == "user:" + User.id.cast(Account.key.type) + ":cash"))
            .order_by(User.id)
        ).all()
    return [PlayerView(r.name, bool(r.is_host), r.created_at, r.removed_at is not None, r.balance or 0) for r in rows]


def _find(conn: Connection, name: str) -> tuple[int, str]:
    row = conn.execute(select(User.id, User.name).select_from(join(User, Player, Player.user_id == User.id))
                       .where(Player.name_key == name_key(name.strip()), Player.removed_at.is_(None))).first()
    if row is None:
        raise NotFound(f"no player is called {name.strip()!r}: see `benchcast market players`")
    return row.id, row.name


def reissue(engine: Engine, name: str) -> tuple[PlayerRef, str]:
    """A new token for the player called `name` (the old one stops working); (player, token)."""
    token = new_token()
    with write_transaction(engine) as conn:
        user_id, real = _find(conn, name)
        conn.execute(update(User).where(User.id == user_id).values(token_hash=hash_token(token)))
    return PlayerRef(user_id, real), token


def remove(engine: Engine, name: str) -> PlayerRef:
    """Revoke the player's token and take them off the leaderboard; their history stays."""
    with write_transaction(engine) as conn:
        user_id, real = _find(conn, name)
        conn.execute(update(User).where(User.id == user_id).values(token_hash=hash_token(new_token())))
        conn.execute(update(Player).where(Player.user_id == user_id).values(removed_at=utcnow()))
    return PlayerRef(user_id, real)


def removed_ids(conn: Connection) -> set[int]:
    """Ids of players the host removed."""
    return {r.user_id for r in conn.execute(select(Player.user_id).where(Player.removed_at.is_not(None)))}
