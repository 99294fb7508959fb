"""Hanson's logarithmic market scoring rule (LMSR), in micro-units.

With liquidity ``b`` (micro-units), start log-prices ``l_i = ln p0_i`` and traders' outstanding
shares ``q_i`` (micro-shares), the cost function and prices are::

    C(q) = b * ln(sum_i exp(l_i + q_i / b))          (C = 0 before any trade)
    p_i  = softmax(l + q / b)_i

A trade from q to q' costs ``C(q') - C(q)``. For outcome i at price ``p = p_i`` and ``x``
in units of b, the closed forms used here are::

    cost of x*b shares        b * ln(1 + p * (e^x - 1))
    proceeds of x*b shares    -b * ln(1 - p * (1 - e^-x)) = -b * ln(sum_{j!=i} p_j + p e^-x)
    shares for an amount x*b  b * ln(1 + (e^x - 1) / p)
    amount to move p to L     b * ln((1 - p) / (1 - L))               (buying, L > p)
    shares to move p to L     b * ln(p * (1 - L) / (L * (1 - p)))     (selling, L < p)

``b = subsidy / ln n`` and the maker loses at most ``-b * ln(min_i p0_i)`` (``b ln n`` =
the subsidy from uniform prices). Prices are computed with log-sum-exp (max subtracted);
they depend only on q, never on the path that led there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from math import exp, expm1, log, log1p

from markets.money import ceil_micro, floor_micro


@dataclass(frozen=True, slots=True)
class LmsrState:
    """LMSR state: liquidity `b` (micro), start log-prices `logp0`, outstanding shares `q`.

    `p` caches the prices, a pure function of the other fields (computed if not given).
    """

    b: float
    logp0: tuple[float, ...]
    q: tuple[int, ...]
    p: tuple[float, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.p:
            object.__setattr__(self, "p", _softmax(self.b, self.logp0, self.q))


def create(subsidy: int, start: tuple[float, ...]) -> LmsrState:
    """A fresh LMSR over ``len(start)`` outcomes with ``b = subsidy / ln n``."""
    n = len(start)
    return LmsrState(subsidy / math.log(n), tuple(math.log(p) for p in start), (0,) * n)


def reserve(s: LmsrState, subsidy: int) -> int:
    """Money the sponsor puts at risk: the loss bound ``-b ln min p0`` (the subsidy if uniform)."""
    if max(s.logp0) - min(s.logp0) == 0.0:
        return subsidy
    return max(subsidy, math.ceil(-s.b * min(s.logp0)))


def _softmax(b: float, logp0: tuple[float, ...], q: tuple[int, ...]) -> tuple[float, ...]:
    z = [lp + qi / b for lp, qi in zip(logp0, q)]
    top = max(z)
    e = [exp(v - top) for v in z]
    total = sum(e)
    return tuple([v / total for v in e])


def prices(s: LmsrState) -> tuple[float, ...]:
    """Softmax of ``l + q / b``; each in (0, 1), summing to 1 up to float rounding."""
    return s.p


def cost(s: LmsrState) -> float:
    """The cost function C(q) in micro-units (0 at creation)."""
    b = s.b
    z = [lp + qi / b for lp, qi in zip(s.logp0, s.q)]
    top = max(z)
    return b * (top + math.log(math.fsum(exp(v - top) for v in z)))


def _moved(s: LmsrState, i: int, delta: int) -> LmsrState:
    q = s.q
    q = q[:i] + (q[i] + delta,) + q[i + 1:]
    return LmsrState(s.b, s.logp0, q, _softmax(s.b, s.logp0, q))


def buy_amount(s: LmsrState, p: tuple[float, ...], i: int, amount: int) -> tuple[int, LmsrState]:
    """Shares of outcome i that `amount` buys (rounded down), and the new state."""
    b, pi = s.b, p[i]
    x = amount / b
    if x <= 1.0:
        exact = b * log1p(expm1(x) / pi)
    else:
        exact = b * (x + log1p((pi - 1.0) * exp(-x)) - log(pi))
    shares = floor_micro(exact, b, amount)
    return shares, _moved(s, i, shares)


def buy_shares(s: LmsrState, p: tuple[float, ...], i: int, shares: int) -> tuple[int, LmsrState]:
    """Cost of exactly `shares` of outcome i (rounded up), and the new state."""
    b, pi = s.b, p[i]
    x = shares / b
    if x <= 1.0:
        exact = b * log1p(pi * expm1(x))
    else:
        exact = b * (x + log(pi) + log1p((1.0 - pi) / pi * exp(-x)))
    return ceil_micro(exact, b, shares), _moved(s, i, shares)


def sell_shares(s: LmsrState, p: tuple[float, ...], i: int, shares: int) -> tuple[int, LmsrState]:
    """Proceeds of selling `shares` of outcome i (rounded down), and the new state."""
    b, pi = s.b, p[i]
    # 1 - p_i (1 - e^-x) = (sum of the other prices) + p_i e^-x: no cancellation near p_i = 1
    rest = math.fsum(p[:i] + p[i + 1:])
    exact = -b * log(rest + pi * exp(-shares / b))
    return floor_micro(exact, b, shares), _moved(s, i, -shares)


def amount_to_price(s: LmsrState, p: tuple[float, ...], i: int, target: float) -> float:
    """Money that raises p_i to `target` (0 if already there)."""
    pi = p[i]
    return s.b * log((1.0 - pi) / (1.0 - target)) if target > pi else 0.0


def shares_to_price(s: LmsrState, p: tuple[float, ...], i: int, target: float) -> float:
    """Shares whose sale lowers p_i to `target` (0 if already there)."""
    pi = p[i]
    if target >= pi:
        return 0.0
    return s.b * log(pi * (1.0 - target) / (target * (1.0 - pi)))
