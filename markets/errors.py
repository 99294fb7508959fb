"""Errors of the markets package.

Every error names the bad value and says what would be right. A function that raises leaves
its inputs unchanged (they are immutable values anyway).

Hierarchy::

    MarketError
    ├── InvalidAmount          NaN, infinite, zero, negative, dust or absurdly large money/shares
    ├── InvalidPrice           a price or probability outside its allowed range
    ├── InvalidQuestion        a malformed question (kind, outcomes, buckets)
    ├── InvalidOrder           a malformed order (side, missing or conflicting fields)
    ├── UnknownOutcome         an outcome the question does not have
    ├── UnknownOrder           a resting order id that does not exist or is not the trader's
    ├── UnsupportedMechanism   a market maker that does not exist or cannot serve the question
    ├── MarketClosed           trading after the question's close time
    ├── MarketResolved         trading or resolving a market that is resolved or cancelled
    ├── InsufficientShares     selling more shares than held (and not locked in resting orders)
    ├── InsufficientFunds      an order that costs more than the trader's available cash
    ├── LimitPriceNotMet       the average price would be worse than the order's limit price
    ├── PriceOutOfBounds       the order would push a price outside the price band
    └── InvalidState           a serialized market that cannot be read back
"""

from __future__ import annotations


class MarketError(Exception):
    """Base class of every error raised by `markets`."""


class InvalidAmount(MarketError):
    """An amount of money or shares is not a usable positive integer of micro-units."""


class InvalidPrice(MarketError):
    """A price or probability is outside its allowed range."""


class InvalidQuestion(MarketError):
    """A question is malformed."""


class InvalidOrder(MarketError):
    """An order is malformed."""


class UnknownOutcome(MarketError):
    """The question has no such outcome."""


class UnknownOrder(MarketError):
    """No resting order with this id belongs to this trader."""


class UnsupportedMechanism(MarketError):
    """The market maker does not exist or cannot serve this question."""


class MarketClosed(MarketError):
    """The question's close time has passed."""


class MarketResolved(MarketError):
    """The market is already resolved or cancelled."""


class InsufficientShares(MarketError):
    """The trader does not hold (unlocked) the shares they try to sell."""


class InsufficientFunds(MarketError):
    """The order costs more than the trader's available cash."""


class LimitPriceNotMet(MarketError):
    """The average price would be worse than the order's limit price."""


class PriceOutOfBounds(MarketError):
    """The order would push a price outside the allowed band."""


class InvalidState(MarketError):
    """A serialized market cannot be read back."""
