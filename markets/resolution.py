"""Resolution and payouts.

- To an outcome: each winning share pays 1 (one micro-unit per micro-share).
- To a probability vector r (``sum r = 1``): a share of outcome i pays ``r_i``; a trader gets
  ``floor(sum_i r_i * shares_i)``, computed exactly with fractions, rounded down.
- Cancel: every trader gets back net what they put in, ``invested - sold``, so every balance
  returns exactly to where it was. A trader who took out more than they put in gets a negative
  payout (a clawback the caller must collect), which is what "restores balances exactly" means.

Resting buy orders are released at resolution: their reserved cash is added to the payouts.
The maker keeps ``collected + released - payouts`` beyond its reserve, never less than
``-reserve`` (its loss bound).

A resolution can be undone (`unresolve`): the market reopens with every position as it was
and each trader gives back what the resolution paid, except the released reserved cash (their
resting orders stay withdrawn).
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from typing import Mapping, Sequence

from markets.errors import InvalidOrder, InvalidPrice, MarketResolved
from markets.market import FrozenDict, Market, Resolution


def _probabilities(market: Market, probability: float | Mapping[str, float] | Sequence[float]
                   ) -> tuple[float, ...]:
    outcomes = market.question.outcomes
    if isinstance(probability, (int, float)) and not isinstance(probability, bool):
        if len(outcomes) != 2:
            raise InvalidPrice(f"a single probability {probability} resolves binary questions "
                               f"only; give one per outcome of {', '.join(outcomes)}")
        values: tuple = (probability, 1.0 - float(probability))
    elif isinstance(probability, Mapping):
        unknown = set(probability) - set(outcomes)
        if unknown:
            market.question.index(sorted(unknown)[0])  # raises UnknownOutcome
        values = tuple(probability.get(o, 0.0) for o in outcomes)
    else:
        values = tuple(probability)
        if len(values) != len(outcomes):
            raise InvalidPrice(f"{len(values)} probabilities for {len(outcomes)} outcomes")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InvalidPrice(f"resolution probability {v!r} is not a finite number")
        if not 0.0 <= v <= 1.0:
            raise InvalidPrice(f"resolution probability {v} is outside [0, 1]")
    total = math.fsum(values)
    if abs(total - 1.0) > 1e-9:
        raise InvalidPrice(f"resolution probabilities {', '.join(f'{v:g}' for v in values)} sum to {total:g}, not 1")
    return tuple(float(v) for v in values)


def resolve(market: Market, outcome: str | None = None, *,
            probability: float | Mapping[str, float] | Sequence[float] | None = None,
            cancel: bool = False) -> tuple[Market, dict[str, int]]:
    """Resolve to an outcome, to a probability, or cancel; return the market and payouts.

    Give exactly one of `outcome`, `probability` (a YES probability for binary questions, or
    one per outcome) or ``cancel=True``. Payouts (micro-units, per trader) include cash
    released from resting buy orders; the caller adds them to balances.
    """
    if market.status != "open":
        raise MarketResolved(f"market {market.question.title!r} is already {market.status}",
                             status=market.status)
    given = (outcome is not None) + (probability is not None) + bool(cancel)
    if given != 1:
        raise InvalidOrder("resolve with exactly one of outcome=, probability= or cancel=True")
    released: dict[str, int] = {}
    for o in market.orders:
        if o.side == "buy":
            released[o.trader] = released.get(o.trader, 0) + o.remaining
    payouts: dict[str, int] = {t: 0 for t in market.accounts}
    probs: tuple[float, ...] | None
    if cancel:
        kind, probs = "cancel", None
        for t, acct in market.accounts.items():
            payouts[t] = acct.net
    elif outcome is not None:
        i = market.question.index(outcome)
        kind = "outcome"
        probs = tuple(1.0 if j == i else 0.0 for j in range(len(market.question.outcomes)))
        for t, acct in market.accounts.items():
            payouts[t] = acct.shares[i]
    else:
        kind, probs = "probability", _probabilities(market, probability)  # type: ignore[arg-type]
        exact = [Fraction(v) for v in probs]
        total = sum(exact)
        weights = [v / total for v in exact]
        for t, acct in market.accounts.items():
            value = sum(w * s for w, s in zip(weights, acct.shares))
            payouts[t] = math.floor(value)
    for t, cash in released.items():
        payouts[t] = payouts.get(t, 0) + cash
    maker_profit = market.collected + sum(released.values()) - sum(payouts.values())
    res = Resolution(kind, outcome, probs, FrozenDict(dict(payouts)),
                     FrozenDict(released), maker_profit)
    status = "cancelled" if cancel else "resolved"
    new = replace(market, orders=(), status=status, resolution=res)
    return new, payouts


def unresolve(market: Market) -> tuple[Market, dict[str, int]]:
    """Undo a resolution or cancel: reopen the market; return each trader's balance change.

    The changes are minus what the resolution paid for positions (released reserved cash stays
    with the traders, whose resting orders remain withdrawn). A change can make a balance
    negative if the trader has spent the payout: the caller decides how to collect.
    """
    res = market.resolution
    if res is None:
        raise MarketResolved(f"market {market.question.title!r} is {market.status}: "
                             "there is no resolution to undo", status=market.status)
    changes = {t: -(pay - res.released.get(t, 0)) for t, pay in res.payouts.items()}
    reopened = replace(market, orders=(), status="open", resolution=None)
    return reopened, changes
