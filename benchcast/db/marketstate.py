"""The engine's `Market` value in the database: JSON text in `bc_market_state.state`.

Decoding is cached per (question, version) so a busy market is not re-parsed on every order;
the cache holds immutable values only, so sharing them between threads is safe.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from markets import Market, from_dict, to_dict

_CACHE: OrderedDict[tuple[str, int, int], Market] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def dump_market(market: Market) -> str:
    """The market as compact JSON text."""
    return json.dumps(to_dict(market), separators=(",", ":"), allow_nan=False)


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
