"""Benchmark the market server: N concurrent clients placing random orders over HTTP.

Starts `benchcast serve` as a child process on SQLite (a temporary file) and on PostgreSQL
(a temporary database on 127.0.0.1:5432, where reachable), drives it with `--clients` threads
that each place `--orders` random orders (market buys and sells, limit and resting orders),
and prints orders per second and the p50/p99 latency of acknowledged orders, as the clients
saw them. Goal on a 2-core machine: >= 300 orders/s with p99 < 100 ms on SQLite, 20 clients.

    python benchmarks/server.py [--clients 20] [--orders 150] [--db sqlite|postgres|both]

On a shared machine absolute figures drift with the load, so two code trees are compared as
ratios: `--trees A B` runs the server of tree A, then of tree B, alternately (A B A B ...) for
`--rounds` rounds and prints each run, the medians and the ratios B/A. The load clients and the
ledger audit always come from this checkout; each server runs its own tree's code.

    python benchmarks/server.py --trees /work/wt/base /work/wt/mine --rounds 3 --db both
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/server.py` from anywhere

from benchmarks.loadgen import LOAD, run_load, setup_session  # noqa: E402
from benchcast.server.process import ServerProcess  # noqa: E402

PG_ADMIN = os.environ.get("BENCHCAST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "host-token-benchmark-0123456789"
AUDIT = ("import sys; from benchcast.db.audit import audit_database; from benchcast.db.engine import make_engine; "
         "e = make_engine(sys.argv[1]); print('ok' if audit_database(e).is_ok else 'FAILED'); e.dispose()")


@dataclass(frozen=True)
class Run:
    """One load run's figures."""

    orders: int
    per_s: float
    p50: float
    p99: float
    refused: int
    errors_5xx: int
    audit: str
    cpu_ms: float  # the server process's CPU time (user + system) per acknowledged order

    def line(self) -> str:
        return (f"{self.orders:6d} orders  {self.per_s:7.1f} orders/s  p50 {self.p50:6.1f} ms  p99 {self.p99:6.1f} ms  "
                f"server CPU {self.cpu_ms:5.2f} ms/order  ({self.refused} refused by the market, 5xx {self.errors_5xx}, "
                f"audit {self.audit})")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc), all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_options(tree: Path | None) -> tuple[list[str], dict[str, str]]:
    """`serve` options and environment for `tree`'s code (older trees took the host token in argv)."""
    env = {} if tree is None else {"PYTHONPATH": str(tree)}
    serve = (tree or Path(__file__).resolve().parents[1]) / "benchcast" / "cli" / "serve.py"
    if "BENCHCAST_HOST_TOKEN" in serve.read_text():
        return LOAD, env
    return ["--host-token", TOKEN], env  # before per-address limits and the token from the environment


def bench(url: str, clients: int, orders: int, tree: Path | None = None) -> Run:
    extra, env = server_options(tree)
    with ServerProcess(url, TOKEN, extra=extra, env=env, cwd=env.get("PYTHONPATH")) as server:
        questions, users = setup_session(server.url, TOKEN, clients)
        run_load(server.url, users, questions, 10, seed=99, bad_fraction=0.0)  # warm up
        cpu0 = cpu_seconds(server.proc.pid)
        r = run_load(server.url, users, questions, orders, seed=1, bad_fraction=0.0)
        cpu = cpu_seconds(server.proc.pid) - cpu0
    audit = subprocess.run([sys.executable, "-c", AUDIT, url], capture_output=True, text=True,
                           env={**os.environ, **env}, cwd=env.get("PYTHONPATH")).stdout.strip() or "did not run"
    refused = sum(n for code, n in r.statuses.items() if code != 200)
    return Run(len(r.acknowledged), r.orders_per_s, r.percentile(50), r.percentile(99), refused, len(r.server_errors), audit,
               1000 * cpu / max(1, len(r.acknowledged)))


def pg_database(async_commit: bool = False) -> tuple[str, callable] | None:
    try:
        import psycopg

        name = f"bc_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            if async_commit:  # a what-if: commits stop waiting for the WAL flush (a PostgreSQL crash loses the last ones)
                conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"postgresql: skipped ({exc})")
        return None

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", drop


def run_one(db: str, clients: int, orders: int, tree: Path | None, async_commit: bool = False) -> Run | None:
    """One benchmark run on a fresh database of kind `db` ("sqlite" or "postgres")."""
    if db == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            return bench(f"sqlite:///{tmp}/bench.db", clients, orders, tree)
    made = pg_database(async_commit)
    if not made:
        return None
    url, drop = made
    try:
        return bench(url, clients, orders, tree)
    finally:
        drop()


def compare(trees: list[Path], dbs: list[str], clients: int, orders: int, rounds: int, async_commit: bool = False) -> None:
    """Run the trees' servers alternately and print medians and ratios (see the module docstring)."""
    runs: dict[tuple[str, int], list[Run]] = {}
    for n in range(rounds):
        for db in dbs:
            for k, tree in enumerate(trees):
                r = run_one(db, clients, orders, tree, async_commit)
                if r is None:
                    continue
                runs.setdefault((db, k), []).append(r)
                print(f"round {n + 1} {db:10s} {'AB'[k]} {r.line()}", flush=True)
    for db in dbs:
        medians = []
        for k, tree in enumerate(trees):
            got = runs.get((db, k), [])
            if not got:
                continue
            m = (statistics.median(r.per_s for r in got), statistics.median(r.p50 for r in got),
                 statistics.median(r.p99 for r in got), statistics.median(r.cpu_ms for r in got))
            medians.append(m)
            audits = ",".join(sorted({r.audit for r in got}))
            print(f"median {db:10s} {'AB'[k]} {m[0]:7.1f} orders/s  p50 {m[1]:6.1f} ms  p99 {m[2]:6.1f} ms  "
                  f"server CPU {m[3]:5.2f} ms/order  (5xx {sum(r.errors_5xx for r in got)}, audit {audits})  {tree}")
        if len(medians) == 2:
            (a, b) = medians
            print(f"ratio  {db:10s} B/A throughput {b[0] / a[0]:.2f}  p50 {b[1] / a[1]:.2f}  p99 {b[2] / a[2]:.2f}  "
                  f"server CPU per order {b[3] / a[3]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--orders", type=int, default=150, help="orders per client")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--trees", nargs=2, type=Path, metavar=("A", "B"), help="compare the servers of two code trees")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of A B with --trees")
    ap.add_argument("--pg-async-commit", action="store_true",
                    help="what-if: PostgreSQL commits without waiting for the WAL flush (not how benchcast runs)")
    args = ap.parse_args()
    try:
        import httptools  # noqa: F401
        http = "httptools"
    except ImportError:
        http = "h11 (pip install httptools uvloop for the faster parser)"
    print(f"server benchmark: {args.clients} clients x {args.orders} orders, HTTP parser {http}, {os.cpu_count()} CPUs",
          flush=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.trees:
        compare([t.resolve() for t in args.trees], dbs, args.clients, args.orders, args.rounds, args.pg_async_commit)
        return
    for db in dbs:
        r = run_one(db, args.clients, args.orders, None, args.pg_async_commit)
        if r is not None:
            print(f"{'sqlite' if db == 'sqlite' else 'postgresql':10s}: {r.line()}")


if __name__ == "__main__":
    main()
