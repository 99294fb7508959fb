"""What positions are worth on the leaderboard and in a portfolio: their liquidation value.

A position of s shares of outcome i is valued at what selling all of it to the market maker
right now would return (the maker's own sale formula, rounded down like a real sale), each
position on its own against the current market. Why not the last price: one buy moves the
price, and marking the buyer's shares at the price their own trade set would show a profit
nobody could take (a buy of 40 that moved a price from 16% to 52% showed +28.93). Selling at
once returns less than was paid (the spread of the maker), so a trade can never raise its own
trader's value; the price band of live trading is not applied, since this is a valuation.
"""

from __future__ import annotations

from markets import Market, account
from markets.market import MAKERS


def position_value(market: Market, trader: str, i: int) -> int:
    """Micro-units that selling all of `trader`'s shares of outcome i now would return."""
    if market.status != "open" or trader not in market.accounts:
        return 0
    held = account(market, trader).shares[i]
    if held <= 0:
        return 0
    maker = MAKERS[market.mechanism]
    proceeds, _ = maker.sell_shares(market.maker, maker.prices(market.maker), i, held)
    return max(0, int(proceeds))


def liquidation_value(market: Market, trader: str) -> int:
    """The sum of `position_value` over the outcomes `trader` holds in `market`."""
    if market.status != "open" or trader not in market.accounts:
        return 0
    return sum(position_value(market, trader, i) for i in range(len(market.question.outcomes)))
