"""The one unit boundary: micro-units inside, units for people outside.

Inside the engine and the ledger, money and shares are integers of micro-units
(``markets.money.MICRO`` per unit). This module is the only place in the shell that converts:

- `to_micro` turns a number a person sent (units, e.g. ``12.5``) into micro-units;
- `to_units` turns micro-units into a number of units for an API answer;
- `money` and `shares` write micro-units as text for people (``1,500.00``, ``812.40 shares``);
- `describe` words an engine error (`markets.errors`) for people from its typed fields: units
  with two decimals and names, never micro-units, trader ids or Python reprs.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from markets import errors as e
from markets.money import MICRO

__all__ = ["MICRO", "describe", "money", "percent", "shares", "to_micro", "to_units"]


def to_micro(value: float | int | None, what: str = "amount") -> int | None:
    """A number of units as micro-units, rounded to the nearest micro-unit (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise e.InvalidAmount(f"{what} {value!r} is a boolean", what=what, reason="type", value=value)
    try:
        micro = (Decimal(str(value)) * MICRO).to_integral_value()
    except (InvalidOperation, ValueError):
        raise e.InvalidAmount(f"{what} {value!r} is not a number", what=what, reason="type", value=value) from None
    if not micro.is_finite():
        raise e.InvalidAmount(f"{what} {value!r} is not finite", what=what, reason="not_finite", value=value)
    return int(micro)


def quoted(text: str) -> str:
    """`text` in single quotes as the person typed it (no Python escapes: ``it's`` stays
    ``'it's'``, a backslash stays one); only characters that would break the line are escaped."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text) + "'"


def to_units(micro: int | None) -> float | None:
    """Micro-units as a number of units (None stays None)."""
    return None if micro is None else micro / MICRO


def _number(micro: int) -> str:
    """Two decimals with thousands separators; more (up to six) for a small non-zero value."""
    units = micro / MICRO
    if micro and abs(units) < 0.01:
        return f"{units:.6f}".rstrip("0")
    return f"{units:,.2f}"


def money(micro: int) -> str:
    """Money for people: ``1,500.00``."""
    return _number(micro)


def shares(micro: int) -> str:
    """Shares for people: ``812.40 shares``."""
    return f"{_number(micro)} share" + ("" if micro == MICRO else "s")


def percent(p: float) -> str:
    """A price or probability for people: ``55.0%`` (``0.1%`` keeps one decimal)."""
    return f"{100 * p:.1f}%"


def _size(micro: int, is_shares: bool) -> str:
    """A largest size, rounded down to the cent so that the size shown does fill."""
    cent = MICRO // 100
    micro = micro // cent * cent if micro >= cent else micro
    return shares(micro) if is_shares else money(micro)


def describe(exc: e.MarketError) -> str:
    """`exc` in words for people (see the module docstring)."""
    for kind, word in _WORDS:
        if isinstance(exc, kind):
            return word(exc)
    return _plain(str(exc))


_LIST = re.compile(r"\[([^\[\]]*)\]")


def _plain(text: str) -> str:
    """A programmer's message without Python list reprs: ``['A', 'B']`` becomes ``A, B``."""
    return _LIST.sub(lambda m: m.group(1).replace("'", ""), text)


def _funds(x: e.InsufficientFunds) -> str:
    return f"this order costs {money(x.needed)} but you have {money(x.available)} available"


def _shares(x: e.InsufficientShares) -> str:
    text = f"you have {shares(x.available)} of {x.outcome} to sell, not {shares(x.needed)}"
    if x.locked:
        text += f" ({shares(x.locked)} more are promised to your resting sell orders)"
    return text


def _band(x: e.PriceOutOfBounds) -> str:
    edge = percent(x.high if x.side == "buy" else x.low)
    move = "up" if x.side == "buy" else "down"
    if x.largest <= 0:
        return f"the price of {x.outcome} is already at its {edge} limit: no {x.side} can fill now"
    return (f"this order would push the price of {x.outcome} {move} past {edge}: "
            f"at most {_size(x.largest, x.is_shares)} fills at this price")


def _limit(x: e.LimitPriceNotMet) -> str:
    verb, than = ("pay", "more") if x.side == "buy" else ("get", "less")
    text = (f"this order would {verb} {percent(x.average)} a share on average, {than} than your "
            f"limit of {percent(x.limit)}")
    if x.largest <= 0:
        return text + ": nothing fills at this limit now"
    return text + f": at most {_size(x.largest, x.is_shares)} fills at this price"


def _amount(x: e.InvalidAmount) -> str:
    what = x.what
    value = x.value if isinstance(x.value, int) and not isinstance(x.value, bool) else None
    if x.reason == "not_positive":
        return f"{what} must be more than 0"
    if x.reason == "dust" and x.limit is not None:
        return f"{what} is too small: the least is {_number(x.limit)}"
    if x.reason == "too_large" and x.limit is not None:
        return f"{what} is too large: the most is {_number(x.limit)}"
    if x.reason == "buys_nothing" and value is not None:
        return f"{money(value)} is too little to buy a share at this price"
    if x.reason == "fraction":
        return f"{what} has more than six decimals"
    return f"{what} must be a finite number of units"


def _price(x: e.InvalidPrice) -> str:
    if isinstance(x.value, (int, float)) and not isinstance(x.value, bool) and x.low is not None:
        return f"price {x.value:g} must be between {x.low:g} and {x.high:g}"
    return str(x)


def _outcome(x: e.UnknownOutcome) -> str:
    return f"outcome {x.outcome} is not one of {', '.join(x.choices)}"


def _order(x: e.InvalidOrder) -> str:
    return {
        "amount_or_shares": "a buy gives either an amount of money or a number of shares, not both or neither",
        "sale_shares": "a sale gives the number of shares to sell, not an amount of money",
        "needs_limit": "a resting order needs a limit price",
        "resting_buy_amount": "a resting buy gives an amount of money, not a number of shares",
        "side": "side must be buy or sell",
    }.get(x.reason, "this order is malformed")


def _closed(x: e.MarketClosed) -> str:
    when = f" at {x.closes_at:%Y-%m-%d %H:%M} UTC" if x.closes_at is not None else ""
    return f"trading on this question closed{when}"


def _resolved(x: e.MarketResolved) -> str:
    if x.status == "open":
        return "this question is open: there is no resolution to undo"
    return f"this question is already {x.status or 'resolved'}"


_WORDS: tuple = (
    (e.InsufficientFunds, _funds),
    (e.InsufficientShares, _shares),
    (e.PriceOutOfBounds, _band),
    (e.LimitPriceNotMet, _limit),
    (e.InvalidAmount, _amount),
    (e.InvalidPrice, _price),
    (e.UnknownOutcome, _outcome),
    (e.InvalidOrder, _order),
    (e.UnknownOrder, lambda x: "you have no such resting order"),
    (e.MarketClosed, _closed),
    (e.MarketResolved, _resolved),
)
