"""The database services: engines, the ledger, orders, resolutions and the audit (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select, text, update

from benchcast.db import ledger, questions, resolutions, trading, users
from benchcast.db.audit import audit_database
from benchcast.db.engine import create_all, make_engine, resolve_url
from benchcast.db.errors import Conflict, Forbidden, IdempotencyMismatch, InsufficientFunds, LedgerImbalance, NotFound
from benchcast.db.models import Account
from benchcast.db.trading import NewOrder
from benchcast.errors import ConfigError
from benchcast.units import to_micro
from markets.errors import InsufficientShares, InvalidAmount, MarketError, MarketResolved, UnknownOutcome


def _question(engine, host_id, **spec):
    base = {"title": "FrontierMath v2 best score >= 95% by 2027-12-31", "kind": "binary", "mechanism": "lmsr", "subsidy": 100_000_000}
    spec = {**base, **spec}
    if "outcomes" in spec:
        spec["outcomes"] = tuple(spec["outcomes"])
    return questions.create_question(engine, created_by=host_id, question_in=questions.NewQuestion(**spec))


def _balances(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {r.key: r.balance for r in conn.execute(select(Account.__table__))}


def _assert_audit(engine) -> None:
    report = audit_database(engine)
    assert report.problems == [], report.problems


@pytest.fixture
def host(engine) -> dict:
    return users.ensure_host(engine, "host-token-for-db-tests-0123")


def test_default_url_is_sqlite_in_data_home(monkeypatch, tmp_path):
    monkeypatch.delenv("BENCHCAST_DB", raising=False)
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'home' / 'benchcast.db'}"
    assert (tmp_path / "home").is_dir()
    monkeypatch.setenv("BENCHCAST_DB", "postgresql://u@h:5432/d")
    assert resolve_url(None) == "postgresql+psycopg://u@h:5432/d"
    assert resolve_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    with pytest.raises(ConfigError, match="not supported"):
        resolve_url("mysql://x")


def test_sqlite_is_wal_with_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    create_all(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


def test_join_grants_starting_balance_and_hashes_token(engine, host):
    user, token = users.join(engine, name="alice")
    with engine.connect() as conn:
        stored = conn.execute(text("select token_hash from bc_user where id = :i"), {"i": user.id}).scalar()
        assert users.user_by_token(conn, token).name == "alice"
    assert token not in stored and len(stored) == 64
    assert _balances(engine)[ledger.user_cash(user.id)] == users.STARTING_BALANCE
    with pytest.raises(Conflict, match="taken"):
        users.join(engine, name="alice")
    with pytest.raises(Forbidden, match="invite"):
        users.join(engine, name="bob", invite="nope", expected_invite="sesame")
    _assert_audit(engine)


def test_buy_sell_resting_cancel_and_resolve_keep_the_ledger_exact(engine, host):
    q = _question(engine, host.id)
    a, _ = users.join(engine, name="alice")
    b, _ = users.join(engine, name="bob")
    bought = trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(25.0)))
    assert bought.shares > 25_000_000 and bought.prices_after[0] > 0.5 and bought.status == "filled"
    _assert_audit(engine)
    rest = trading.place_order(engine, user_id=b.id, order_in=NewOrder(q.id, "NO", "buy", amount=to_micro(30.0),
                               limit_price=0.45, resting=True))
    assert rest.status == "resting"
    _assert_audit(engine)
    # Alice buys more YES: NO falls below bob's limit, so his order fills (partly) from reserved cash.
    trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(40.0)))
    _assert_audit(engine)
    trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "sell", shares=to_micro(10.0)))
    _assert_audit(engine)
    second = trading.place_order(engine, user_id=b.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(5.0),
                                 limit_price=0.2, resting=True))
    trading.cancel_order(engine, user_id=b.id, order_id=second.order_id)
    with pytest.raises(Conflict):
        trading.cancel_order(engine, user_id=b.id, order_id=second.order_id)
    _assert_audit(engine)
    resolutions.resolve_question(engine, question_id=q.id, resolved_by=host.id, outcome="YES")
    _assert_audit(engine)
    with pytest.raises(MarketResolved):
        trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(1.0)))
    held = {k: v for k, v in _balances(engine).items() if k.startswith("user:") and ":q" in k}
    assert all(v == 0 for v in held.values())


def test_rejected_orders_change_nothing(engine, host):
    q = _question(engine, host.id, kind="multiple_choice", outcomes=["2026", "2027", "2028", "later"])
    a, _ = users.join(engine, name="alice")
    trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "2027", "buy", amount=to_micro(10.0)))
    before = _balances(engine)
    bad = [
        ({"outcome": "2029", "side": "buy", "amount": 1.0}, UnknownOutcome),
        ({"outcome": "2027", "side": "buy", "amount": 0.0}, InvalidAmount),
        ({"outcome": "2027", "side": "buy", "amount": -5.0}, InvalidAmount),
        ({"outcome": "2027", "side": "buy", "amount": 1e-7}, MarketError),
        ({"outcome": "2027", "side": "buy", "amount": 5000.0}, MarketError),
        ({"outcome": "2026", "side": "sell", "shares": 3.0}, InsufficientShares),
        ({"outcome": "2027", "side": "buy", "amount": 5.0, "limit_price": 0.01}, MarketError),
    ]
    for order, error in bad:
        with pytest.raises(error):
            trading.place_order(engine, user_id=a.id, order_in=NewOrder(
                q.id, order["outcome"], order["side"], amount=to_micro(order.get("amount")),
                shares=to_micro(order.get("shares")), limit_price=order.get("limit_price")))
    with pytest.raises(NotFound):
        trading.place_order(engine, user_id=a.id, order_in=NewOrder(999, "YES", "buy", amount=to_micro(1.0)))
    assert _balances(engine) == before
    _assert_audit(engine)


def test_idempotency_key_never_trades_twice(engine, host):
    q = _question(engine, host.id)
    other = _question(engine, host.id, title="Second question")
    a, _ = users.join(engine, name="alice")
    first = trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(10.0), idempotency_key="k-1"))
    again = trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(10.0), idempotency_key="k-1"))
    assert again == dataclasses.replace(first, replayed=True)
    assert _balances(engine)[ledger.user_cash(a.id)] == users.STARTING_BALANCE - 10_000_000
    with pytest.raises(IdempotencyMismatch, match="already used for another order"):
        trading.place_order(engine, user_id=a.id, order_in=NewOrder(other.id, "YES", "buy", amount=to_micro(10.0), idempotency_key="k-1"))
    _assert_audit(engine)


def test_cancelled_market_restores_every_balance(engine, host):
    q = _question(engine, host.id, mechanism="cpmm")
    a, _ = users.join(engine, name="alice")
    b, _ = users.join(engine, name="bob")
    start = _balances(engine)
    trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(20.0)))
    trading.place_order(engine, user_id=b.id, order_in=NewOrder(q.id, "NO", "buy", amount=to_micro(35.0)))
    trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "sell", shares=to_micro(5.0)))
    trading.place_order(engine, user_id=b.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(3.0), limit_price=0.3, resting=True))
    resolutions.resolve_question(engine, question_id=q.id, resolved_by=host.id, cancel=True)
    after = _balances(engine)
    for uid in (a.id, b.id):
        assert after[ledger.user_cash(uid)] == start[ledger.user_cash(uid)]
    _assert_audit(engine)


def test_probability_resolution_pays_fractions(engine, host):
    q = _question(engine, host.id)
    a, _ = users.join(engine, name="alice")
    fill = trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(10.0)))
    resolutions.resolve_question(engine, question_id=q.id, resolved_by=host.id, probability=0.25)
    cash = _balances(engine)[ledger.user_cash(a.id)]
    expected = users.STARTING_BALANCE - 10_000_000 + int(fill.shares * 0.25)
    assert abs(cash - expected) <= 1
    _assert_audit(engine)


def test_insufficient_funds_is_refused(engine, host):
    q = _question(engine, host.id, subsidy=100_000_000_000)
    a, _ = users.join(engine, name="alice")
    with pytest.raises((InsufficientFunds, MarketError)):
        trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(1000.5)))
    _assert_audit(engine)


def test_unbalanced_posting_is_refused(engine):
    with engine.begin() as conn, pytest.raises(LedgerImbalance):
        ledger.post(conn, "grant", [(ledger.BANK, -5), (ledger.user_cash(1), 4)])


def test_audit_catches_tampering(engine, host):
    q = _question(engine, host.id)
    a, _ = users.join(engine, name="alice")
    trading.place_order(engine, user_id=a.id, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(10.0)))
    _assert_audit(engine)
    acc = Account.__table__
    with engine.begin() as conn:
        conn.execute(update(acc).where(acc.c.key == ledger.user_cash(a.id)).values(balance=acc.c.balance + 1))
    problems = audit_database(engine).problems
    assert any("caches" in p for p in problems)
    with engine.begin() as conn:
        conn.execute(update(acc).where(acc.c.key == ledger.user_cash(a.id)).values(balance=acc.c.balance - 1))
    _assert_audit(engine)
    # A rewritten order no longer replays to the stored market.
    with engine.begin() as conn:
        conn.execute(text("update bc_order set amount = amount + 1000 where id = 1"))
    assert any("replaying" in p for p in audit_database(engine).problems)
    with engine.begin() as conn:
        conn.execute(text("update bc_order set amount = amount - 1000 where id = 1"))
        conn.execute(text("delete from bc_ledger_entry where txn_id = (select max(id) from bc_ledger_txn)"))
    assert not audit_database(engine).is_ok


def test_cancel_claws_back_profit_already_spent(engine, host):
    q1 = _question(engine, host.id)
    q2 = _question(engine, host.id, title="Deep market", subsidy=100_000_000_000)
    a, _ = users.join(engine, name="alice")
    b, _ = users.join(engine, name="bob")
    got = trading.place_order(engine, user_id=a.id, order_in=NewOrder(q1.id, "YES", "buy", amount=to_micro(10.0)))
    trading.place_order(engine, user_id=b.id, order_in=NewOrder(q1.id, "YES", "buy", amount=to_micro(150.0)))
    sold = trading.place_order(engine, user_id=a.id, order_in=NewOrder(q1.id, "YES", "sell", shares=got.shares))
    assert -sold.cost > 10_000_000
    cash = _balances(engine)[ledger.user_cash(a.id)]
    trading.place_order(engine, user_id=a.id, order_in=NewOrder(q2.id, "NO", "buy", amount=cash))
    resolutions.resolve_question(engine, question_id=q1.id, resolved_by=host.id, cancel=True)
    assert _balances(engine)[ledger.user_cash(a.id)] < 0  # a debt: the clawback of money already spent
    report = audit_database(engine)
    assert report.problems == [] and any("owes" in n for n in report.notes)


@pytest.mark.postgres
def test_a_pooled_connection_that_died_while_idle_is_replaced(pg_url):
    """PostgreSQL connections are pinged only after sitting idle (not on every checkout); one
    whose server side went away meanwhile is replaced, not handed to a request."""
    db_url = pg_url
    from sqlalchemy import text

    from benchcast.db import engine as dbengine

    eng = dbengine.make_engine(db_url)
    try:
        with eng.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with eng.connect() as conn:  # just used: not pinged, the same connection
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
        other = dbengine.make_engine(db_url)
        with other.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one() is True
        other.dispose()
        for record in list(eng.pool._pool.queue):  # it sat idle long enough to be pinged
            record.info["idle_since"] -= dbengine.IDLE_PING_S + 1
        with eng.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        eng.dispose()
