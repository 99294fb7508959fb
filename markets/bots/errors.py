"""Errors of the bots and the simulator.

Hierarchy::

    MarketError                 (markets.errors)
    └── BotError                a strategy or simulation setting is unusable
"""

from __future__ import annotations

from markets.errors import MarketError


class BotError(MarketError):
    """A strategy or simulation setting is unusable."""
