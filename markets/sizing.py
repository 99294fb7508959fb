"""The largest order that would fill now: what an error tells a trader to try instead.

An order refused because it would push a price out of the band (`PriceOutOfBounds`) or would
average worse than its limit price (`LimitPriceNotMet`) carries the largest size that would
succeed. Sizes are micro-units of money for a buy for an amount, micro-shares for a buy of
shares or a sale. The average price of a trade with the maker grows with its size (a buy) or
falls (a sale), so the largest size meeting a limit is found by bisection on integers.
"""

from __future__ import annotations

from collections.abc import Callable

from markets.market import MAKERS, Market, depth_at, is_in_band, prices

BISECT_STEPS = 64


def _largest(ok: Callable[[int], bool], hi: int) -> int:
    """The largest integer n in [0, hi] with ok(n), given ok is true up to some n and false after."""
    if hi <= 0:
        return 0
    if ok(hi):
        return hi
    lo = 0  # ok(0) holds by convention: an empty order breaks nothing
    for _ in range(BISECT_STEPS):
        if hi - lo <= 1:
            break
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


def largest_in_band(market: Market, i: int, side: str, *, is_shares: bool) -> int:
    """The largest buy (money, or shares with `is_shares`) or sale (shares) the band allows."""
    p = prices(market)
    size = depth_at(market.mechanism, market.maker, p, i, side, 1.0 if side == "buy" else 0.0)
    if side == "buy" and is_shares and size > 0:
        size = MAKERS[market.mechanism].buy_amount(market.maker, p, i, size)[0]
    return max(0, size)


def largest_at_limit(market: Market, i: int, side: str, limit: float, *, is_shares: bool,
                     cap: int | None = None) -> int:
    """The largest size whose average price meets `limit` (at most `limit` for a buy, at least
    for a sale), within the price band and at most `cap`."""
    mk = MAKERS[market.mechanism]
    p = prices(market)
    hi = largest_in_band(market, i, side, is_shares=is_shares)
    if cap is not None:
        hi = min(hi, cap)

    def ok(size: int) -> bool:
        if size <= 0:
            return True
        if side == "buy" and not is_shares:
            got, maker = mk.buy_amount(market.maker, p, i, size)
            paid, received = size, got
        elif side == "buy":
            paid, maker = mk.buy_shares(market.maker, p, i, size)
            received = size
        else:
            proceeds, maker = mk.sell_shares(market.maker, p, i, size)
            return proceeds >= limit * size and is_in_band(mk.prices(maker), i)
        return received > 0 and paid <= limit * received and is_in_band(mk.prices(maker), i)

    return _largest(ok, hi)
