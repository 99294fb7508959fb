"""kill -9 the server in the middle of a load, restart it: nothing acknowledged is lost.

Afterwards the audit passes, every acknowledged order is in the ledger exactly once, and
retrying the requests that never got an answer (same idempotency keys) never trades twice.
"""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy import func, select

from benchcast.db.audit import audit_database
from benchcast.db.engine import make_engine
from benchcast.db.models import Order
from benchmarks.loadgen import LOAD, check_acknowledged, run_load, setup_session
from benchcast.server.process import ServerProcess

TOKEN = "host-token-crash-test-0123456789"


def test_kill_9_mid_load_loses_nothing_acknowledged(db_url):
    server = ServerProcess(db_url, TOKEN, extra=LOAD).start()
    try:
        questions, users = setup_session(server.url, TOKEN, 20)
        stop = threading.Event()
        box: dict = {}
        loader = threading.Thread(target=lambda: box.update(r=run_load(server.url, users, questions, 400, seed=3, stop=stop, timeout=5)))
        loader.start()
        time.sleep(3.0)
        stop.set()  # clients start no new request; the ones in flight die with the server
        server.kill9()
        loader.join(60)
        result = box["r"]
        assert result.server_errors == []
        assert 50 < len(result.acknowledged) < 20 * 400  # killed in the middle of the load
        server = ServerProcess(db_url, TOKEN, port=server.port, extra=LOAD).start()
        engine = make_engine(db_url)
        try:
            assert audit_database(engine).problems == []
            assert check_acknowledged(engine, result.acknowledged) == []
            assert len(result.unknown) <= len(users)
            # Requests that died with the server: retrying with the same key trades at most once.
            retried = 0
            tokens = {u["user_id"]: u["token"] for u in users}
            for lost in result.unknown:
                if lost["body"] is None or "idempotency_key" not in lost["body"]:
                    continue
                headers = {"Authorization": f"Bearer {tokens[lost['user_id']]}"}
                for _ in range(2):
                    r = httpx.post(f"{server.url}{lost['path']}", json=lost["body"], headers=headers, timeout=10)
                    assert r.status_code < 500
                retried += 1
            order = Order.__table__
            with engine.connect() as conn:
                dupes = conn.execute(
                    select(order.c.idempotency_key).where(order.c.idempotency_key.is_not(None))
                    .group_by(order.c.user_id, order.c.idempotency_key).having(func.count() > 1)
                ).all()
            assert dupes == []
            report = audit_database(engine)
            assert report.problems == [], report.problems
        finally:
            engine.dispose()
    finally:
        server.stop()
