"""Manifold's constant-product market maker ("Maniswap") for binary questions, in micro-units.

Pools ``y`` (YES shares) and ``n`` (NO shares), weight ``p``; invariant and price::

    k = y^p * n^(1-p)          P(YES) = p*n / ((1-p)*y + p*n)

Buying YES with M adds M to both pools (M pairs are minted) and hands out
``y + M - (k * (n+M)^(p-1))^(1/p)`` YES shares; NO is symmetric. A YES and a NO share together
redeem for exactly 1, so selling s YES shares returns the M that solves
``(y + s - M)^p * (n - M)^(1-p) = k`` (M pairs are redeemed); it is found by Newton's method
from the right, where the concave decreasing residual converges monotonically.

Written for the traded outcome: its pool ``a`` with weight ``w``, the other pool ``c``.
Shares handed out are rounded down and proceeds rounded down, so k never decreases.
With pools both starting at the subsidy S and ``p`` = the start price, the maker's loss is
``S - (winning pool) <= S``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import exp, log, log1p

from markets.money import ceil_micro, floor_micro


@dataclass(frozen=True, slots=True)
class CpmmState:
    """CPMM state: YES pool `y`, NO pool `n` (micro-shares) and weight `p`."""

    y: int
    n: int
    p: float


def create(subsidy: int, start_yes: float) -> CpmmState:
    """Pools of `subsidy` each; weight = the start YES price."""
    return CpmmState(subsidy, subsidy, start_yes)


def prices(s: CpmmState) -> tuple[float, float]:
    """(P(YES), P(NO))."""
    pn = s.p * s.n
    yes = pn / ((1.0 - s.p) * s.y + pn)
    return (yes, 1.0 - yes)


def _side(s: CpmmState, i: int) -> tuple[int, int, float]:
    return (s.y, s.n, s.p) if i == 0 else (s.n, s.y, 1.0 - s.p)


def _state(s: CpmmState, i: int, a: int, c: int) -> CpmmState:
    return CpmmState(a, c, s.p) if i == 0 else CpmmState(c, a, s.p)


def _shares_for(a: int, c: int, w: float, amount: float) -> float:
    return a + amount - a * exp(-((1.0 - w) / w) * log1p(amount / c))


def buy_amount(s: CpmmState, p: tuple[float, ...], i: int, amount: int) -> tuple[int, CpmmState]:
    """Shares of outcome i that `amount` buys (rounded down), and the new pools."""
    a, c, w = _side(s, i)
    shares = floor_micro(_shares_for(a, c, w, amount), a, amount)
    return shares, _state(s, i, a + amount - shares, c + amount)


def _bisect(f, lo: float, hi: float) -> tuple[float, float]:
    """Bracket the root of a monotone `f` with f(lo) and f(hi) of opposite signs, to 1 ulp."""
    sign_lo = f(lo) > 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if (f(mid) > 0.0) == sign_lo:
            lo = mid
        else:
            hi = mid
    return lo, hi


def buy_shares(s: CpmmState, p: tuple[float, ...], i: int, shares: int) -> tuple[int, CpmmState]:
    """Cost of exactly `shares` of outcome i (rounded up), and the new pools."""
    a, c, w = _side(s, i)
    r = (1.0 - w) / w
    m = shares * p[i]  # left of the root: the residual is concave increasing in m
    for _ in range(100):
        g = a + m - a * exp(-r * log1p(m / c)) - shares
        slope = 1.0 + a * r / c * exp(-(r + 1.0) * log1p(m / c))
        step = g / slope
        m -= step
        if abs(step) <= 1e-9 * (1.0 + m):
            break
    cost = ceil_micro(m, a, shares)
    if _shares_for(a, c, w, cost) < shares:  # not converged: never undercharge
        cost = ceil_micro(_bisect(lambda x: _shares_for(a, c, w, x) - shares,
                                  0.0, float(shares))[1], a, shares)
    # the pool keeps whatever the rounding adds: it gets cost pairs and gives `shares` away
    return cost, _state(s, i, a + cost - shares, c + cost)


def sell_shares(s: CpmmState, p: tuple[float, ...], i: int, shares: int) -> tuple[int, CpmmState]:
    """Proceeds of selling `shares` of outcome i (rounded down), and the new pools."""
    a, c, w = _side(s, i)
    lk = w * log(a) + (1.0 - w) * log(c)
    edge = min(c, a + shares)

    def f(x: float) -> float:  # the pool's log-invariant after paying x, minus the old one
        return w * log(a + shares - x) + (1.0 - w) * log(c - x) - lk

    m = min(shares * p[i], edge * (1.0 - 1e-12))  # right of the root if f <= 0 there
    if f(m) > 0.0:  # root squeezed against the edge
        m = _bisect(f, m, float(edge))[0]
    else:
        for _ in range(100):
            slope = -w / (a + shares - m) - (1.0 - w) / (c - m)
            step = f(m) / slope
            m -= step
            if abs(step) <= 1e-9 * (1.0 + m):
                break
    proceeds = floor_micro(m, a, c, shares)
    if proceeds and f(proceeds) < 0.0:  # not converged: never overpay
        proceeds = floor_micro(_bisect(f, 0.0, min(float(proceeds), edge * (1.0 - 1e-12)))[0],
                               a, c, shares)
    return proceeds, _state(s, i, a + shares - proceeds, c - proceeds)


def amount_to_price(s: CpmmState, p: tuple[float, ...], i: int, target: float) -> float:
    """Money that raises the price of outcome i to `target` (0 if already there)."""
    if target <= p[i]:
        return 0.0
    a, c, w = _side(s, i)
    # at the target, a' = ratio * c' with a'^w c'^(1-w) = k, so c' = k / ratio^w
    ratio = w * (1.0 - target) / (target * (1.0 - w))
    lk = w * log(a) + (1.0 - w) * log(c)
    return max(0.0, exp(lk - w * log(ratio)) - c)


def shares_to_price(s: CpmmState, p: tuple[float, ...], i: int, target: float) -> float:
    """Shares of outcome i whose sale lowers its price to `target` (0 if already there)."""
    if target >= p[i]:
        return 0.0
    a, c, w = _side(s, i)
    ratio = w * (1.0 - target) / (target * (1.0 - w))
    lk = w * log(a) + (1.0 - w) * log(c)
    c2 = exp(lk - w * log(ratio))  # other pool after: c - M
    m = c - c2
    return max(0.0, ratio * c2 - a + m)  # a' = a + s - M = ratio * c'
