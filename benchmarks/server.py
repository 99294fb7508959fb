"""Benchmark the market server: N concurrent clients placing random orders over HTTP.

Starts `benchcast serve` as a child process on SQLite (a temporary file) and on PostgreSQL
(a temporary database on 127.0.0.1:5432, where reachable), drives it with `--clients` threads
that each place `--orders` random orders (market buys and sells, limit and resting orders),
and prints orders per second and the p50/p99 latency of acknowledged orders, as the clients
saw them. Goal on a 2-core machine: >= 300 orders/s with p99 < 100 ms on SQLite, 20 clients.

    python benchmarks/server.py [--clients 20] [--orders 150] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/server.py` from anywhere

from benchcast.db.audit import audit_database  # noqa: E402
from benchcast.db.engine import make_engine  # noqa: E402
from benchmarks.loadgen import LOAD, run_load, setup_session  # noqa: E402
from benchcast.server.process import ServerProcess  # noqa: E402

PG_ADMIN = os.environ.get("BENCHCAST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "host-token-benchmark-0123456789"


def bench(url: str, clients: int, orders: int) -> str:
    with ServerProcess(url, TOKEN, extra=LOAD) as server:
        questions, users = setup_session(server.url, TOKEN, clients)
        run_load(server.url, users, questions, 10, seed=99, bad_fraction=0.0)  # warm up
        r = run_load(server.url, users, questions, orders, seed=1, bad_fraction=0.0)
    engine = make_engine(url)
    ok = audit_database(engine).is_ok
    engine.dispose()
    refused = sum(n for code, n in r.statuses.items() if code != 200)
    return (f"{len(r.acknowledged):6d} orders  {r.orders_per_s:7.1f} orders/s  p50 {r.percentile(50):6.1f} ms  "
            f"p99 {r.percentile(99):6.1f} ms  ({refused} refused by the market, 5xx {len(r.server_errors)}, audit {'ok' if ok else 'FAILED'})")


def pg_database() -> tuple[str, callable] | None:
    try:
        import psycopg

        name = f"bc_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"postgresql: skipped ({exc})")
        return None

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", drop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--orders", type=int, default=150, help="orders per client")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = ap.parse_args()
    try:
        import httptools  # noqa: F401
        http = "httptools"
    except ImportError:
        http = "h11 (pip install httptools uvloop for the faster parser)"
    print(f"server benchmark: {args.clients} clients x {args.orders} orders, HTTP parser {http}, {os.cpu_count()} CPUs")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"sqlite    : {bench(f'sqlite:///{tmp}/bench.db', args.clients, args.orders)}")
    if args.db in ("postgres", "both"):
        made = pg_database()
        if made:
            url, drop = made
            try:
                print(f"postgresql: {bench(url, args.clients, args.orders)}")
            finally:
                drop()


if __name__ == "__main__":
    main()
