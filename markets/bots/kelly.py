"""Kelly betting against a market maker, as pure maths on beliefs and prices.

A log-utility (Kelly) trader with belief ``p`` facing prices ``q`` for complete Arrow-Debreu
shares (one share of outcome i pays 1 if i happens) wants wealth ``w_i`` in state i of

    w*_i = W * p_i / q_i,        W = cash + sum_j s_j q_j  (wealth marked to market),

which is the first-order condition ``p_i / w_i ∝ q_i`` of ``max sum_i p_i ln w_i``. Its state
wealth now is ``w_i = cash + s_i``. Fractional Kelly with fraction ``λ`` is Kelly on the belief
shrunk toward the price, ``p_λ = λ p + (1 - λ) q``, so ``w* = λ W p / q + (1 - λ) W``.

Buying outcome i for money m at price q_i moves state wealth by ``+m (1 - q_i) / q_i`` in state i
and ``-m`` elsewhere; selling x shares of j moves it by ``-x (1 - q_j)`` in state j and
``+x q_j`` elsewhere. One order closes the largest gap at the marginal price; because the
maker's price moves against the trade, repeated orders approach the optimum from below, where
the marginal price satisfies the trader's first-order condition.

With several Kelly traders and a market maker with little liquidity, the price at which nobody
wants to trade is the wealth-weighted mean belief (Wolfers and Zitzewitz 2006;
Beygelzimer, Langford and Pennock 2012). :func:`kelly_equilibrium` computes the exact fixed point
for an LMSR maker, where liquidity ``b`` pulls the price toward the maker's start.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from markets.bots.base import BotOrder
from markets.bots.errors import BotError


def kelly_fraction(belief: float, price: float) -> float:
    """Fraction of wealth a Kelly bettor stakes on an outcome priced `price` it believes has `belief`.

    ``f* = (p - q) / (1 - q)`` when ``p > q``, else 0 (it would rather bet on the other side).
    """
    if not 0.0 < price < 1.0:
        raise BotError(f"price {price} is outside (0, 1)")
    return max(0.0, (belief - price) / (1.0 - price))


def target_state_wealth(belief: np.ndarray, prices: np.ndarray, wealth: float, fraction: float = 1.0) -> np.ndarray:
    """Wealth a (fractional) Kelly trader wants in each state: ``W (λ p + (1-λ) q) / q``."""
    shrunk = fraction * belief + (1.0 - fraction) * prices
    return wealth * shrunk / prices


def kelly_order(
    belief: np.ndarray,
    prices: np.ndarray,
    cash: float,
    shares: np.ndarray,
    *,
    fraction: float = 1.0,
    max_amount: float = math.inf,
    min_amount: float = 1e-3,
    depth: Callable[[int, str, float], float] | None = None,
) -> BotOrder | None:
    """The one order that best closes the gap to the Kelly state wealth, or None if it is tiny.

    Buys are capped by `cash` and `max_amount`; sells by the shares held and by `max_amount`
    worth of shares at the current price. Orders below `min_amount` money are not worth placing.
    With `depth` (see :class:`~markets.bots.base.MarketView`) an order never moves the price
    past the trader's :func:`reservation_price`; without it, a buy carries that as limit price.
    """
    # Plain floats: with a handful of outcomes, list arithmetic is several times faster than
    # numpy's per-call overhead, and this runs once per bot turn.
    p, q, s = _floats(belief), _floats(prices), _floats(shares)
    n = len(q)
    held = sum(si * qi for si, qi in zip(s, q))
    wealth = cash + held
    shrunk = [fraction * pi + (1.0 - fraction) * qi for pi, qi in zip(p, q)]
    gap = [wealth * ri / qi - cash - si for ri, qi, si in zip(shrunk, q, s)]

    i = max(range(n), key=gap.__getitem__)
    buy = min(gap[i] * q[i] / (1.0 - q[i]), cash, max_amount) if gap[i] > 0 else 0.0

    j, sell = 0, 0.0
    for k in range(n):
        if gap[k] < 0 and s[k] > 0:
            size = min(s[k], -gap[k] / (1.0 - q[k]))
            if size * q[k] > sell * q[j]:
                j, sell = k, size
    sell = min(sell, max_amount / q[j])
    if depth is not None:
        if buy > 0:
            buy = min(buy, depth(i, "buy", _reservation(shrunk[i], i, q, cash, s, held)))
        if sell > 0:
            sell = min(sell, depth(j, "sell", _reservation(shrunk[j], j, q, cash, s, held)))

    if sell * q[j] >= buy and sell * q[j] >= min_amount:
        return BotOrder(outcome=j, side="sell", shares=float(sell))
    if buy >= min_amount:
        limit = None if depth is not None else _reservation(shrunk[i], i, q, cash, s, held)
        return BotOrder(outcome=i, side="buy", amount=float(buy), limit_price=limit)
    return None


def _floats(x: np.ndarray | list[float]) -> list[float]:
    return x.tolist() if isinstance(x, np.ndarray) else [float(v) for v in x]


def reservation_price(belief_i: float, i: int, prices: np.ndarray, cash: float, shares: np.ndarray) -> float:
    """The price of outcome i at which a Kelly trader with these holdings wants no more of it.

    Moving ``q_i`` to x scales the other prices by ``(1 - x) / (1 - q_i)`` (LMSR, binary CPMM),
    so the marked wealth is ``W(x) = cash + s_i x + (1 - x) A`` with
    ``A = sum_{j != i} s_j q_j / (1 - q_i)``, and the gap in state i closes where
    ``p_i W(x) = (cash + s_i) x``::

        x = p_i (cash + A) / (cash + s_i (1 - p_i) + p_i A)

    With cash only this is the belief itself; holdings of i lower it, holdings of others raise it.
    """
    q, s = _floats(prices), _floats(shares)
    return _reservation(float(belief_i), i, q, cash, s, sum(si * qi for si, qi in zip(s, q)))


def _reservation(belief_i: float, i: int, q: list[float], cash: float, s: list[float], held: float) -> float:
    a = (held - s[i] * q[i]) / (1.0 - q[i])
    return belief_i * (cash + a) / (cash + s[i] * (1.0 - belief_i) + belief_i * a)


def wealth_weighted_belief(beliefs: np.ndarray, wealth: np.ndarray) -> np.ndarray:
    """Mean belief weighted by wealth: ``sum_k W_k p_k / sum_k W_k`` (beliefs shape (K, n))."""
    w = np.asarray(wealth, dtype=float)
    return (w[:, None] * np.asarray(beliefs, dtype=float)).sum(axis=0) / w.sum()


def kelly_equilibrium(
    beliefs: np.ndarray, wealth: np.ndarray, b: float, start: np.ndarray | None = None, *, iters: int = 200
) -> np.ndarray:
    """Prices at which full-Kelly traders facing an LMSR maker stop trading.

    Each trader k holds state wealth ``W_k p_k / π``, so the shares outstanding are
    ``q = W p̄ / π - C`` (``W`` total wealth, ``p̄`` the wealth-weighted belief, ``C`` total cash),
    while the maker sets ``π = softmax(q / b + ln π0)``. Eliminating ``q`` gives
    ``b ln(π / π0) + c = W p̄ / π`` for a constant ``c`` fixed by ``sum π = 1``; solved here by
    bisection on ``c`` for each fixed point. As ``b / W -> 0`` the answer tends to ``p̄``.

    Here the traders' wealth is taken as given (its changes from trading are second order when
    the maker's liquidity is small against the traders' wealth).
    """
    pbar = wealth_weighted_belief(beliefs, wealth)
    total = float(np.sum(wealth))
    n = pbar.shape[0]
    start = np.full(n, 1.0 / n) if start is None else np.asarray(start, dtype=float)

    def prices_for(c: float) -> np.ndarray:
        # Solve b ln(x / s_i) + c = W pbar_i / x for x in (0, inf): the left side rises, the right falls.
        out = np.empty(n)
        for i in range(n):
            lo, hi = 1e-300, 1e6
            for _ in range(iters):
                mid = math.sqrt(lo * hi)
                if b * math.log(mid / start[i]) + c < total * pbar[i] / mid:
                    lo = mid
                else:
                    hi = mid
            out[i] = math.sqrt(lo * hi)
        return out

    lo_c, hi_c = -1e9, 1e9
    for _ in range(iters):
        mid_c = 0.5 * (lo_c + hi_c)
        if prices_for(mid_c).sum() > 1.0:
            lo_c = mid_c
        else:
            hi_c = mid_c
    p = prices_for(0.5 * (lo_c + hi_c))
    return p / p.sum()
