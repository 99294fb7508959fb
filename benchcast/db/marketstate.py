"""The engine's `Market` value in the database: JSON text in `bc_market_state.state`.

Decoding is cached per (question, version) so a busy market is not re-parsed on every order;
the cache holds immutable values only, so sharing them between threads is safe.

Encoding is the whole market on every order: every trader's account and every resting order,
a cost that grows with the session (half of an order's Python time on a busy market). An order
changes one or two accounts and a few resting orders; the rest are the very same immutable
objects as before, so `dump_market` keeps the JSON text of each account and resting order by
object identity and only encodes the new ones. The text is the same as
``json.dumps(to_dict(market), separators=(",", ":"))``.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from dataclasses import replace

from markets import Market, from_dict, to_dict
from markets.market import EMPTY

_CACHE: OrderedDict[tuple[str, int, int], Market] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


_FRAGMENTS: dict[int, tuple[object, str]] = {}  # id(account or order) -> (it, its JSON text)
_FRAGMENTS_SIZE = 200_000


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _fragment(obj: object, encode) -> str:  # type: ignore[no-untyped-def]
    """The JSON text of an immutable `obj`, encoded once per object (see the module docstring)."""
    return _cached(obj, lambda o: _dumps(encode(o)))


def _cached(obj: object, text_of) -> str:  # type: ignore[no-untyped-def]
    hit = _FRAGMENTS.get(id(obj))
    if hit is not None and hit[0] is obj:  # the reference kept in the entry keeps its id unique
        return hit[1]
    text = text_of(obj)
    if len(_FRAGMENTS) >= _FRAGMENTS_SIZE:
        _FRAGMENTS.clear()
    _FRAGMENTS[id(obj)] = (obj, text)
    return text


def _account(a) -> dict:  # type: ignore[no-untyped-def]
    return {"shares": list(a.shares), "basis": list(a.basis), "invested": a.invested, "sold": a.sold, "realised": a.realised}


def _order(o) -> dict:  # type: ignore[no-untyped-def]
    return {"order_id": o.order_id, "trader": o.trader, "outcome": o.outcome, "side": o.side,
            "limit_price": o.limit_price, "remaining": o.remaining}


def dump_market(market: Market) -> str:
    """The market as compact JSON text: ``json.dumps(to_dict(market))``, made faster."""
    rest = to_dict(replace(market, accounts=EMPTY, orders=()))
    rest["accounts"] = _cached(market.accounts, lambda accounts: "{" + ",".join(
        f"{_dumps(t)}:{_fragment(a, _account)}" for t, a in accounts.items()) + "}")
    rest["orders"] = _cached(market.orders, lambda orders: "[" + ",".join(_fragment(o, _order) for o in orders) + "]")
    return "{" + ",".join(f"{_dumps(k)}:{v if k in ('accounts', 'orders') else _dumps(v)}" for k, v in rest.items()) + "}"


def load_market(text: str, *, key: tuple[str, int, int] | None = None) -> Market:
    """The market stored as `text`; `key` = (database, question id, version) enables the cache."""
    if key is not None:
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
                return hit
    market = from_dict(json.loads(text))
    if key is not None:
        remember(key, market)
    return market


def remember(key: tuple[str, int, int], market: Market) -> None:
    """Cache `market` as the decoded state of `key` (called after it was written)."""
    with _CACHE_LOCK:
        _CACHE[key] = market
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
