"""Errors of the markets package.

Every error names the bad value and says what would be right. A function that raises leaves
its inputs unchanged (they are immutable values anyway).

The message (``str(error)``) is for programmers and speaks the engine's language (micro-units,
trader ids). The errors an order can meet also carry typed fields (``needed``, ``available``,
``largest``, ...) in micro-units, so that a shell can word them for people in its own units
(`benchcast.units` does). Every field has a default, so ``raise InvalidOrder("why")`` works.

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

from datetime import datetime


class MarketError(Exception):
    """Base class of every error raised by `markets`."""


class InvalidAmount(MarketError):
    """An amount of money or shares is not a usable positive integer of micro-units.

    what : "amount", "shares", "subsidy", ...
    reason : "type", "not_finite", "fraction", "not_positive", "dust", "too_large",
        "buys_nothing" or "" (unknown)
    value : the value given (micro-units when it is a number)
    limit : the bound it broke (micro-units): the minimum for "dust", the maximum for "too_large"
    """

    def __init__(self, message: str, *, what: str = "amount", reason: str = "",
                 value: object = None, limit: int | None = None) -> None:
        super().__init__(message)
        self.what, self.reason, self.value, self.limit = what, reason, value, limit


class InvalidPrice(MarketError):
    """A price or probability is outside its allowed range.

    value : the price given; low, high : the range it must lie in (None when not a range)
    """

    def __init__(self, message: str, *, value: object = None, low: float | None = None,
                 high: float | None = None) -> None:
        super().__init__(message)
        self.value, self.low, self.high = value, low, high


class InvalidQuestion(MarketError):
    """A question is malformed."""


class InvalidOrder(MarketError):
    """An order is malformed.

    reason : "side", "trader", "amount_or_shares" (a buy needs exactly one), "sale_shares"
        (a sale gives shares), "needs_limit" (a resting order needs a limit price),
        "resting_buy_amount" (a resting buy gives money), "type" or "" (unknown)
    """

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class UnknownOutcome(MarketError):
    """The question has no such outcome."""

    def __init__(self, message: str, *, outcome: object = None,
                 choices: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.outcome, self.choices = outcome, tuple(choices)


class UnknownOrder(MarketError):
    """No resting order with this id belongs to this trader."""

    def __init__(self, message: str, *, order_id: object = None) -> None:
        super().__init__(message)
        self.order_id = order_id


class UnsupportedMechanism(MarketError):
    """The market maker does not exist or cannot serve this question."""


class MarketClosed(MarketError):
    """The question's close time has passed."""

    def __init__(self, message: str, *, closes_at: datetime | None = None) -> None:
        super().__init__(message)
        self.closes_at = closes_at


class MarketResolved(MarketError):
    """The market is already resolved or cancelled.

    status : "resolved" or "cancelled" (or "open" when there is no resolution to undo)
    """

    def __init__(self, message: str, *, status: str = "") -> None:
        super().__init__(message)
        self.status = status


class InsufficientShares(MarketError):
    """The trader does not hold (unlocked) the shares they try to sell.

    outcome : the outcome sold; needed : shares the sale needs; available : shares held and
    free to sell; locked : shares held but promised to resting sell orders (micro-shares)
    """

    def __init__(self, message: str, *, outcome: str = "", needed: int = 0, available: int = 0,
                 locked: int = 0) -> None:
        super().__init__(message)
        self.outcome, self.needed, self.available, self.locked = outcome, needed, available, locked


class InsufficientFunds(MarketError):
    """The order costs more than the trader's available cash.

    needed : what the order costs (or reserves); available : the trader's cash (micro-units)
    """

    def __init__(self, message: str, *, needed: int = 0, available: int = 0) -> None:
        super().__init__(message)
        self.needed, self.available = needed, available


class LimitPriceNotMet(MarketError):
    """The average price would be worse than the order's limit price.

    average : the average price the order would get; limit : its limit price
    largest : the largest amount (a buy for money) or number of shares (a buy of shares, a
        sale) that would fill at the limit price now, in micro-units (0: none)
    """

    def __init__(self, message: str, *, outcome: str = "", side: str = "buy",
                 average: float = 0.0, limit: float = 0.0, largest: int = 0,
                 is_shares: bool = False) -> None:
        super().__init__(message)
        self.outcome, self.side, self.average, self.limit = outcome, side, average, limit
        self.largest, self.is_shares = largest, is_shares


class PriceOutOfBounds(MarketError):
    """The order would push a price outside the allowed band.

    largest : the largest amount (a buy for money) or number of shares (a buy of shares, a
        sale) the band allows now, in micro-units (0: none); low, high : the traded price band
    """

    def __init__(self, message: str, *, outcome: str = "", side: str = "buy", largest: int = 0,
                 is_shares: bool = False, low: float = 0.0, high: float = 1.0) -> None:
        super().__init__(message)
        self.outcome, self.side, self.largest, self.is_shares = outcome, side, largest, is_shares
        self.low, self.high = low, high


class InvalidState(MarketError):
    """A serialized market cannot be read back."""
