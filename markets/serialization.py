"""JSON-able round trip of a market: ``from_dict(to_dict(m)) == m``, exactly.

Ints stay ints; floats (LMSR liquidity and start log-prices, CPMM weight, limit prices,
resolution probabilities) survive JSON because Python writes the shortest repr that reads back
to the same double. Datetimes are ISO strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markets.cpmm import CpmmState
from markets.errors import InvalidState, MarketError
from markets.lmsr import LmsrState
from markets.market import FrozenDict, MECHANISMS, Account, LimitOrder, Market, Resolution
from markets.questions import Question

VERSION = 1


def _question(q: Question) -> dict[str, Any]:
    return {"title": q.title, "kind": q.kind, "outcomes": list(q.outcomes),
            "criteria": q.criteria,
            "closes_at": q.closes_at.isoformat() if q.closes_at else None,
            "source": q.source, "edges": list(q.edges)}


def to_dict(market: Market) -> dict[str, Any]:
    """A JSON-able dict of the whole market state."""
    m = market.maker
    maker: dict[str, Any]
    if isinstance(m, LmsrState):
        maker = {"b": m.b, "logp0": list(m.logp0), "q": list(m.q)}
    else:
        maker = {"y": m.y, "n": m.n, "p": m.p}
    r = market.resolution
    return {
        "version": VERSION,
        "question": _question(market.question),
        "mechanism": market.mechanism,
        "maker": maker,
        "subsidy": market.subsidy,
        "reserve": market.reserve,
        "accounts": {t: {"shares": list(a.shares), "basis": list(a.basis),
                         "invested": a.invested, "sold": a.sold, "realised": a.realised}
                     for t, a in market.accounts.items()},
        "orders": [{"order_id": o.order_id, "trader": o.trader, "outcome": o.outcome,
                    "side": o.side, "limit_price": o.limit_price, "remaining": o.remaining}
                   for o in market.orders],
        "collected": market.collected,
        "next_order_id": market.next_order_id,
        "status": market.status,
        "resolution": None if r is None else {
            "kind": r.kind, "outcome": r.outcome,
            "probabilities": None if r.probabilities is None else list(r.probabilities),
            "payouts": dict(r.payouts), "released": dict(r.released),
            "maker_profit": r.maker_profit},
    }


def _read(d: dict[str, Any]) -> Market:
    if d["version"] != VERSION:
        raise InvalidState(f"market state version {d['version']!r} is not {VERSION}")
    qd = d["question"]
    closes = datetime.fromisoformat(qd["closes_at"]) if qd["closes_at"] else None
    question = Question(qd["title"], qd["kind"], tuple(qd["outcomes"]), qd["criteria"], closes,
                        qd["source"], tuple(qd["edges"]))
    mech, md = d["mechanism"], d["maker"]
    if mech not in MECHANISMS:
        raise InvalidState(f"mechanism {mech!r} is not one of {list(MECHANISMS)}")
    maker = (LmsrState(float(md["b"]), tuple(float(x) for x in md["logp0"]),
                       tuple(int(x) for x in md["q"])) if mech == "lmsr"
             else CpmmState(int(md["y"]), int(md["n"]), float(md["p"])))
    accounts = {t: Account(tuple(a["shares"]), tuple(a["basis"]), a["invested"], a["sold"],
                           a["realised"]) for t, a in d["accounts"].items()}
    orders = tuple(LimitOrder(o["order_id"], o["trader"], o["outcome"], o["side"],
                              float(o["limit_price"]), o["remaining"]) for o in d["orders"])
    rd = d["resolution"]
    res = None if rd is None else Resolution(
        rd["kind"], rd["outcome"],
        None if rd["probabilities"] is None else tuple(float(x) for x in rd["probabilities"]),
        FrozenDict(dict(rd["payouts"])), FrozenDict(dict(rd["released"])),
        rd["maker_profit"])
    return Market(question, mech, maker, d["subsidy"], d["reserve"], FrozenDict(accounts),
                  orders, d["collected"], d["next_order_id"], d["status"], res)


def from_dict(d: dict[str, Any]) -> Market:
    """The market `to_dict` wrote; InvalidState if `d` is not one."""
    try:
        return _read(d)
    except MarketError as exc:
        raise InvalidState(f"stored market is invalid: {exc}") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidState(f"stored market is malformed: {exc!r}") from exc
