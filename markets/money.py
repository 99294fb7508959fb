"""Money and shares as integer micro-units.

One unit of money (and one share, which pays one unit if it wins) is ``MICRO = 1_000_000``
micro-units. Cash, shares, pools and payouts are Python ``int``; floats appear only inside
the market makers' formulas, and every float result becomes an int by rounding in the
market maker's favour: a charge is rounded up (`ceil_micro`), a payout or a number of shares
handed out is rounded down (`floor_micro`), each after a safety margin that covers float
error (`margin`). So the maker never undercharges and money never drifts.

Amounts below ``MIN_AMOUNT`` are dust; above ``MAX_AMOUNT`` they are absurd. Both are refused.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from markets.errors import InvalidAmount

MICRO = 1_000_000
MIN_AMOUNT = 1_000  # 0.001 unit: anything smaller is dust
MAX_AMOUNT = 10**15  # one billion units
RELATIVE_MARGIN = 1e-12  # far above float error of the maker formulas (~1e-15)


def to_micro(units: int | float | str | Decimal) -> int:
    """Convert units (e.g. ``12.5`` or ``"12.5"``) to micro-units exactly.

    Raises InvalidAmount if the value is not finite or is finer than one micro-unit.
    """
    if isinstance(units, bool):
        raise InvalidAmount(f"amount {units!r} is a boolean, not a number of units",
                            reason="type", value=units)
    if isinstance(units, float) and not math.isfinite(units):
        raise InvalidAmount(f"amount {units!r} is not a finite number", reason="not_finite",
                            value=units)
    try:
        value = Decimal(str(units)) * MICRO
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"amount {units!r} is not a number of units", reason="type",
                            value=units) from exc
    if not value.is_finite():
        raise InvalidAmount(f"amount {units!r} is not a finite number", reason="not_finite",
                            value=units)
    if value != value.to_integral_value():
        raise InvalidAmount(f"amount {units!r} is finer than one micro-unit (1e-6)",
                            reason="fraction", value=units)
    return int(value)


def from_micro(micro: int) -> float:
    """Micro-units to (float) units, for display and for maths outside the engine."""
    return micro / MICRO


def check_amount(value: object, what: str = "amount", *, minimum: int = MIN_AMOUNT) -> int:
    """Return `value` as an int of micro-units, or raise InvalidAmount naming it.

    Accepts ints and integral finite floats; refuses booleans, NaN, infinities, fractions of a
    micro-unit, zero, negatives, dust (below `minimum`) and amounts above ``MAX_AMOUNT``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidAmount(f"{what} {value!r} must be an int of micro-units", what=what,
                            reason="type", value=value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidAmount(f"{what} {value!r} is not a finite number", what=what,
                                reason="not_finite", value=value)
        if not value.is_integer():
            raise InvalidAmount(f"{what} {value!r} is not a whole number of micro-units",
                                what=what, reason="fraction", value=value)
        value = int(value)
    if value <= 0:
        raise InvalidAmount(f"{what} {value} micro must be positive", what=what,
                            reason="not_positive", value=value)
    if value < minimum:
        raise InvalidAmount(f"{what} {value} micro is dust: the minimum is {minimum} micro",
                            what=what, reason="dust", value=value, limit=minimum)
    if value > MAX_AMOUNT:
        raise InvalidAmount(f"{what} {value} micro is absurdly large: the maximum is {MAX_AMOUNT}",
                            what=what, reason="too_large", value=value, limit=MAX_AMOUNT)
    return value


def margin(x: float, a: float = 0.0, b: float = 0.0, c: float = 0.0) -> float:
    """Safety margin in micro-units for a float result `x` built from magnitudes a, b, c >= 0."""
    return 1.0 + RELATIVE_MARGIN * (abs(x) + a + b + c)


def ceil_micro(x: float, a: float = 0.0, b: float = 0.0, c: float = 0.0) -> int:
    """Round a charge up, after adding the float-error margin (maker's favour)."""
    return math.ceil(x + 1.0 + RELATIVE_MARGIN * (abs(x) + a + b + c))


def floor_micro(x: float, a: float = 0.0, b: float = 0.0, c: float = 0.0) -> int:
    """Round a payout or share count down, after removing the margin (maker's favour); >= 0."""
    return max(0, math.floor(x - 1.0 - RELATIVE_MARGIN * (abs(x) + a + b + c)))
