"""Small helpers shared by the engine's tests."""

from __future__ import annotations

import markets as M


def unpack(result: M.OrderResult) -> tuple[M.Market, int | None, int, tuple[M.LimitFill, ...]]:
    """(market, order id, reserved cash, every fill: the order's own, then the ones it triggered)."""
    assert isinstance(result, M.OrderResult)
    return result.market, result.order_id, result.reserved, result.fills + result.triggered
