"""Many concurrent traders against a real server process, on SQLite and PostgreSQL.

Afterwards the audit passes (money conserved exactly, positions and markets agree with the
ledger) and every acknowledged order is in the ledger exactly once.
"""

from __future__ import annotations

import os

from benchcast.db.audit import audit_database
from benchcast.db.engine import make_engine
from benchmarks.loadgen import LOAD, check_acknowledged, run_load, setup_session
from benchcast.server.process import ServerProcess

CLIENTS = int(os.environ.get("BENCHCAST_LOAD_CLIENTS", "20"))
ORDERS = int(os.environ.get("BENCHCAST_LOAD_ORDERS", "200"))
TOKEN = "host-token-concurrency-0123456789"


def test_concurrent_clients_conserve_money_and_record_every_order(db_url):
    with ServerProcess(db_url, TOKEN, extra=LOAD) as server:
        questions, users = setup_session(server.url, TOKEN, CLIENTS)
        result = run_load(server.url, users, questions, ORDERS, seed=7, bad_fraction=0.12)
    assert result.server_errors == []
    assert result.unknown == []
    assert len(result.acknowledged) > CLIENTS * ORDERS // 2
    assert sum(n for code, n in result.statuses.items() if 400 <= code < 500) > 0  # bad inputs were refused
    engine = make_engine(db_url)
    try:
        report = audit_database(engine)
        assert report.problems == []
        assert report.stats["orders"] == len(result.acknowledged)
        assert report.stats["issued"] == report.stats["traders_cash"] + report.stats["reserved"] + report.stats["makers_cash"]
        assert check_acknowledged(engine, result.acknowledged) == []
    finally:
        engine.dispose()
