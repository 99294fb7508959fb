"""CPU time of the order service itself, without HTTP: `trading.place_order` in one thread.

Under a shared machine's load, wall-clock figures of `benchmarks/server.py` swing by tens of
percent from run to run; the CPU time one thread spends per order moves much less. This script
opens two questions (LMSR and CPMM), joins 20 traders, places 100 warm-up orders and then
`--orders` random buys (a fifth of them resting limit orders, every one with an idempotency
key) and prints the process's CPU milliseconds per order. With `--trees A B` it runs each
tree's code in a child process, alternately, for `--rounds` rounds, and prints medians and
the ratio B/A.

    python benchmarks/order_cpu.py --db sqlite|postgres [--orders 1500]
    python benchmarks/order_cpu.py --trees /work/wt/base /work/wt/mine --rounds 3 --db both
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.append(str(HERE.parents[1]))  # after PYTHONPATH: a child run measures its own tree


def measure(url: str, orders: int) -> float:
    """CPU milliseconds per order of this process's code on a fresh database at `url`."""
    from benchcast.db import questions, trading, users
    from benchcast.db.engine import create_all, make_engine

    engine = make_engine(url)
    create_all(engine)
    host = _id(users.ensure_host(engine, "host-token-order-cpu-0123456789"))

    def question(title: str, mechanism: str) -> int:
        if hasattr(questions, "NewQuestion"):  # typed service input
            return _id(questions.create_question(engine, created_by=host, question_in=questions.NewQuestion(
                title=title, mechanism=mechanism, subsidy=200_000_000)))
        return _id(questions.create_question(engine, created_by=host, spec={  # older trees took a dict
            "title": title, "kind": "binary", "mechanism": mechanism, "subsidy": 200.0}))

    qs = [question("FrontierMath v2 >= 95% by 2027", "lmsr"), question("SWE-bench Verified >= 90% by 2027", "cpmm")]
    takes_max = "max_players" in users.join.__code__.co_varnames
    traders = [users.join(engine, name=f"trader-{i}", invite=None, expected_invite=None,
                          **({"max_players": 100} if takes_max else {}))[0] for i in range(20)]
    traders = [_id(t) for t in traders]
    rng = random.Random(0)
    typed = hasattr(trading, "NewOrder")  # typed service input (micro-units); older trees took loose arguments

    def place(n: int) -> None:
        for _ in range(n):
            kw = {"outcome": rng.choice(["YES", "NO"]), "side": "buy", "amount": round(rng.uniform(0.5, 3.0), 3),
                  "idempotency_key": f"k{rng.random()}"}
            if rng.random() < 0.2:
                kw |= {"limit_price": round(rng.uniform(0.05, 0.4), 3), "resting": True}
            uid, qid = rng.choice(traders), rng.choice(qs)
            try:
                if typed:
                    kw["amount"] = round(kw["amount"] * 1_000_000)
                    trading.place_order(engine, user_id=uid, order_in=trading.NewOrder(question_id=qid, **kw))
                else:
                    trading.place_order(engine, user_id=uid, question_id=qid, **kw)
            except Exception:  # noqa: BLE001 - a refused order (too poor, price band) still counts its CPU
                pass

    place(100)
    t0 = time.process_time()
    place(orders)
    cpu = time.process_time() - t0
    engine.dispose()
    return 1000 * cpu / orders


def _id(value) -> int:  # type: ignore[no-untyped-def]
    """The id of a service's answer: a typed value, or a dict in older trees."""
    return value["id"] if isinstance(value, dict) else value.id


def fresh(db: str) -> tuple[str, callable]:
    """A URL of an empty database and a function that removes it."""
    if db == "sqlite":
        folder = tempfile.TemporaryDirectory()
        return f"sqlite:///{folder.name}/orders.db", folder.cleanup
    from benchmarks.server import pg_database

    made = pg_database()
    if made is None:
        raise SystemExit("error: PostgreSQL at 127.0.0.1:5432 is not reachable")
    return made


def in_tree(tree: Path, db: str, orders: int) -> float:
    url, drop = fresh(db)
    try:
        out = subprocess.run([sys.executable, str(HERE), "--one", url, "--orders", str(orders)], capture_output=True,
                             text=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True).stdout
        return float(out.split()[0])
    finally:
        drop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--orders", type=int, default=1500)
    ap.add_argument("--trees", nargs=2, type=Path, metavar=("A", "B"), help="compare two code trees")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one", help=argparse.SUPPRESS)  # a child run on this database URL
    args = ap.parse_args()
    if args.one:
        print(f"{measure(args.one, args.orders):.4f} ms CPU per order")
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    trees = [t.resolve() for t in args.trees] if args.trees else [HERE.parents[1]]
    got: dict[tuple[str, int], list[float]] = {}
    for n in range(args.rounds if args.trees else 1):
        for db in dbs:
            for k, tree in enumerate(trees):
                ms = in_tree(tree, db, args.orders)
                got.setdefault((db, k), []).append(ms)
                print(f"round {n + 1} {db:8s} {'AB'[k]} {ms:6.3f} ms CPU per order  {tree}", flush=True)
    for db in dbs:
        medians = [statistics.median(got[(db, k)]) for k in range(len(trees))]
        for k, m in enumerate(medians):
            print(f"median {db:8s} {'AB'[k]} {m:6.3f} ms CPU per order")
        if len(medians) == 2:
            print(f"ratio  {db:8s} B/A {medians[1] / medians[0]:.2f}")


if __name__ == "__main__":
    main()
