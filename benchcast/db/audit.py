"""The audit: recompute everything from the append-only ledger and check it all agrees.

Checks, each a list of problems (an empty list means it holds):

1. every ledger transaction balances, per asset (double entry);
2. every account's cached balance equals the sum of its ledger entries;
3. nothing is negative that must not be (traders' shares and reserves, makers' cash; traders'
   cash unless a cancelled market clawed back money they had already spent);
4. money is conserved exactly: all cash sums to zero, and what traders and makers hold equals
   what the bank granted plus the makers' reserves;
5. every market state agrees with the ledger: positions, reserved cash, the maker's pool and the
   shares outstanding; its stored prices and status; the sum of its trades' costs; and replaying
   the market's recorded orders, cancels and resolution through the engine, from its opening
   state, gives exactly the stored state;
6. every order is in the ledger exactly once (one "order" transaction per order row).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, join, select
from sqlalchemy.engine import Engine

from benchcast.db import ledger
from benchcast.db.marketstate import load_market
from benchcast.db.models import Account, LedgerEntry, LedgerTxn, MarketState, Order, Question, Resolution, Trade, User
from benchcast.units import money
from markets import (
    MAX_AMOUNT,
    MarketError,
    cancel_limit_order,
    execute,
    pool,
    prices,
    reserved_cash,
    resolve,
    to_dict,
)
from markets import Order as EngineOrder


@dataclass
class AuditReport:
    """What the audit found: `problems` (empty when all agrees), `notes` and counts."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def is_ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"ok": self.is_ok, "problems": self.problems, "notes": self.notes, "stats": self.stats}

    def summary_lines(self) -> list[str]:
        s = self.stats
        lines = [
            f"users {s.get('users', 0)}, questions {s.get('questions', 0)}, orders {s.get('orders', 0)}, "
            f"trades {s.get('trades', 0)}, ledger transactions {s.get('txns', 0)} ({s.get('entries', 0)} entries)",
            f"money issued {money(s.get('issued', 0))} = traders {money(s.get('traders_cash', 0))} "
            f"+ reserved {money(s.get('reserved', 0))} + market makers {money(s.get('makers_cash', 0))}",
        ]
        lines += [f"note: {n}" for n in self.notes]
        lines.append("audit passed" if self.is_ok else f"audit FAILED: {len(self.problems)} problems")
        return lines


def audit_database(engine: Engine, max_problems: int = 200) -> AuditReport:
    """Run every check (see the module docstring) in one read transaction."""
    report = AuditReport()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        p = report.problems
        # 1. double entry
        for r in conn.execute(
            select(LedgerEntry.txn_id, Account.asset, func.sum(LedgerEntry.amount)).select_from(join(LedgerEntry, Account, Account.id == LedgerEntry.account_id))
            .group_by(LedgerEntry.txn_id, Account.asset).having(func.sum(LedgerEntry.amount) != 0)
        ):
            p.append(f"ledger transaction {r[0]} does not balance in {r[1]}: off by {r[2]}")
        # 2. cached balances
        sums = {r[0]: int(r[1]) for r in conn.execute(select(LedgerEntry.account_id, func.sum(LedgerEntry.amount)).group_by(LedgerEntry.account_id))}
        accounts = conn.execute(select(Account)).all()
        bal: dict[str, int] = {}
        for a in accounts:
            bal[a.key] = sums.get(a.id, 0)
            if a.balance != bal[a.key]:
                p.append(f"account {a.key} caches {a.balance} but its ledger entries sum to {bal[a.key]}")
        # 3. signs
        debtors = _cancel_debtors(conn)
        for key, b in bal.items():
            if b < 0 and not ledger.may_go_negative(key):
                uid = ledger.parse_key(key)[1]
                if key.endswith(":cash") and key.startswith("user:") and uid in debtors:
                    report.notes.append(f"{key} owes {money(-b)} after a cancelled market clawed back money already spent")
                else:
                    p.append(f"account {key} is negative: {b}")
        # 4. conservation
        kinds = {r[0]: int(r[1] or 0) for r in conn.execute(
            select(LedgerTxn.kind, func.sum(LedgerEntry.amount)).select_from(join(LedgerEntry, LedgerTxn, LedgerTxn.id == LedgerEntry.txn_id).join(Account, Account.id == LedgerEntry.account_id))
            .where(Account.key == ledger.BANK).group_by(LedgerTxn.kind))}
        cash_total = sum(b for k, b in bal.items() if ledger.parse_key(k)[0] == "cash")
        if cash_total != 0:
            p.append(f"all cash sums to {cash_total}, not 0")
        issued = -bal.get(ledger.BANK, 0)
        if issued != -(kinds.get("grant", 0) + kinds.get("reserve", 0)) or set(kinds) - {"grant", "reserve"}:
            p.append(f"the bank moved money outside grants and reserves: {kinds}")
        traders = sum(b for k, b in bal.items() if k.startswith("user:") and k.endswith(":cash"))
        reserved = sum(b for k, b in bal.items() if k.endswith(":escrow"))
        makers = sum(b for k, b in bal.items() if k.startswith("maker:") and k.endswith(":cash"))
        if traders + reserved + makers != issued:
            p.append(f"money not conserved: traders {traders} + reserved {reserved} + makers {makers} != issued {issued}")
        report.stats.update(issued=issued, traders_cash=traders, reserved=reserved, makers_cash=makers)
        # 5. markets
        _audit_markets(conn, bal, p)
        # 6. orders in the ledger once
        per_order = dict(conn.execute(select(LedgerTxn.order_id, func.count()).where(LedgerTxn.kind == "order").group_by(LedgerTxn.order_id)).all())
        order_ids = [r[0] for r in conn.execute(select(Order.id))]
        for oid in order_ids:
            if per_order.get(oid, 0) != 1:
                p.append(f"order {oid} is in the ledger {per_order.get(oid, 0)} times, not once")
        for oid in set(per_order) - set(order_ids):
            p.append(f"ledger transaction for order {oid}, which does not exist")
        report.stats.update(
            users=conn.execute(select(func.count()).select_from(User)).scalar_one(),
            questions=conn.execute(select(func.count()).select_from(Question)).scalar_one(),
            orders=len(order_ids), trades=conn.execute(select(func.count()).select_from(Trade)).scalar_one(),
            txns=conn.execute(select(func.count()).select_from(LedgerTxn)).scalar_one(),
            entries=conn.execute(select(func.count()).select_from(LedgerEntry)).scalar_one(),
        )
    if len(report.problems) > max_problems:
        report.problems[max_problems:] = [f"... and {len(report.problems) - max_problems} more"]
    return report


def _cancel_debtors(conn) -> set[int]:  # type: ignore[no-untyped-def]
    cancelled = select(Question.id).where(Question.status == "cancelled")
    return {r[0] for r in conn.execute(select(Account.user_id).where(Account.question_id.in_(cancelled), Account.user_id.is_not(None)))}


def _audit_markets(conn, bal: dict[str, int], p: list[str]) -> None:  # type: ignore[no-untyped-def]
    costs = {r[0]: int(r[1] or 0) for r in conn.execute(select(Trade.question_id, func.sum(Trade.cost)).group_by(Trade.question_id))}
    statuses = dict(conn.execute(select(Question.id, Question.status)).all())
    for row in conn.execute(select(MarketState)):
        qid = row.question_id
        m = load_market(row.state)
        n = len(m.question.outcomes)
        where = f"question {qid}"
        if statuses.get(qid) != m.status:
            p.append(f"{where}: status {statuses.get(qid)!r} but the market is {m.status!r}")
        if json.loads(row.prices) != list(prices(m)):
            p.append(f"{where}: stored prices differ from the market's")
        if costs.get(qid, 0) != m.collected:
            p.append(f"{where}: trades cost {costs.get(qid, 0)} in total but the maker collected {m.collected}")
        is_open = m.status == "open"
        expected: dict[str, int] = {}
        for trader, acct in m.accounts.items():
            uid = int(trader)
            for i in range(n):
                expected[ledger.user_shares(uid, qid, i)] = acct.shares[i] if is_open else 0
            expected[ledger.user_escrow(uid, qid)] = reserved_cash(m, trader) if is_open else 0
        for o in m.orders:
            expected.setdefault(ledger.user_escrow(int(o.trader), qid), reserved_cash(m, o.trader))
        for i in range(n):
            outstanding = sum(a.shares[i] for a in m.accounts.values()) if is_open else 0
            expected[ledger.maker_shares(qid, i)] = -outstanding
        expected[ledger.maker_cash(qid)] = pool(m) if is_open else m.reserve + m.resolution.maker_profit
        prefix_user, prefix_maker = f":q{qid}:", f"maker:q{qid}:"
        for key in bal:
            if (prefix_user in key and key.startswith("user:")) or key.startswith(prefix_maker):
                expected.setdefault(key, 0)
        for key, want in expected.items():
            if bal.get(key, 0) != want:
                p.append(f"{where}: ledger says {key} = {bal.get(key, 0)} but the market says {want}")
        problem = _replay_problem(conn, qid, m)
        if problem:
            p.append(f"{where}: {problem}")


def _replay_problem(conn, qid: int, stored) -> str | None:  # type: ignore[no-untyped-def]
    """Replay the market's events through the engine; describe the first disagreement, if any."""
    opening = conn.execute(select(Question.initial_state).where(Question.id == qid)).scalar()
    if not opening:
        return "has no opening state to replay from"
    m = load_market(opening)
    names = m.question.outcomes
    orders = {r.id: r for r in conn.execute(select(Order).where(Order.question_id == qid))}
    res = conn.execute(select(Resolution).where(Resolution.question_id == qid)).first()
    events = conn.execute(select(LedgerTxn.kind, LedgerTxn.order_id).where(LedgerTxn.question_id == qid, LedgerTxn.kind.in_(("order", "cancel", "resolve"))).order_by(LedgerTxn.id)).all()
    for kind, order_id in events:
        try:
            if kind == "order":
                o = orders[order_id]
                order = EngineOrder(str(o.user_id), names[o.outcome_idx], o.side, o.amount, o.shares_in, o.limit_price)
                cash = MAX_AMOUNT if o.is_resting else None
                m = execute(m, order, cash=cash, now=o.created_at, is_resting=o.is_resting).market
            elif kind == "cancel":
                o = orders[order_id]
                m = cancel_limit_order(m, o.engine_order_id, str(o.user_id))[0]
            else:
                outcome = None if res.outcome_idx is None else names[res.outcome_idx]
                probability = json.loads(res.probabilities) if res.probabilities else res.probability
                m = resolve(m, outcome, probability=probability, cancel=res.kind == "cancel")[0]
        except (MarketError, KeyError) as exc:
            return f"replaying {kind} {order_id} fails: {exc}"
    if to_dict(m) != to_dict(stored):
        return "replaying its orders from the opening state does not give the stored market"
    return None
