"""Drive a market server with many concurrent traders: random orders, limit orders, bad inputs.

Used by the concurrency and crash tests and by `benchmarks/server.py`; not part of the product. Every client is a thread
with its own HTTP connection and its own seeded `random.Random`; it records each request's
latency and outcome. An order counts as *acknowledged* when the server answered 200 with an
`order_id`: those must all be in the ledger, exactly once.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

#: `benchcast serve` options for a load run: every client here shares one address, which the
#: per-address limit (meant for people, each on their own machine) would otherwise throttle.
#: The limit stays on, so its cost is still measured.
LOAD = ["--ip-rate", "1000000"]

BAD_BODIES = [
    {"outcome": "NOPE", "side": "buy", "amount": 5},
    {"outcome": "YES", "side": "buy", "amount": -5},
    {"outcome": "YES", "side": "buy", "amount": 0},
    {"outcome": "YES", "side": "buy", "amount": 1e-9},
    {"outcome": "YES", "side": "buy", "amount": 1e15},
    {"outcome": "YES", "side": "sell", "shares": 1e6},
    {"outcome": "YES", "side": "short", "amount": 5},
    {"outcome": "YES", "side": "buy", "amount": 3, "limit_price": 1.5},
    {"outcome": "YES", "side": "buy"},
]
RAW_BAD = ['{"outcome":"YES","side":"buy","amount":NaN}', '{"outcome":', '[]']


class Unreachable(Exception):
    """The request got no answer (connection refused or dropped)."""


class _Response:
    def __init__(self, status: int, data: bytes) -> None:
        self.status_code, self.content = status, data

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.content)


class _Http:
    """One keep-alive HTTP/1.1 connection (stdlib: a light client, so the load is the server's)."""

    def __init__(self, base: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.headers = {"Content-Type": "application/json", **headers}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: object = None, raw: str | None = None,
                headers: dict[str, str] | None = None) -> _Response:
        data = raw.encode() if raw is not None else (None if body is None else json.dumps(body).encode())
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conn.request(method, path, body=data if data is not None else (b"" if method == "POST" else None),
                              headers={**self.headers, **(headers or {})})
            r = self.conn.getresponse()
            return _Response(r.status, r.read())
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise Unreachable(str(exc)) from None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class LoadResult:
    """What the clients saw."""

    acknowledged: list[dict] = field(default_factory=list)  # {"order_id", "key", "user_id", "question_id"}
    unknown: list[dict] = field(default_factory=list)  # sent, but no answer (server died)
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)  # of acknowledged orders
    server_errors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    users: list[dict] = field(default_factory=list)

    @property
    def orders_per_s(self) -> float:
        return len(self.acknowledged) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, q: float) -> float:
        xs = sorted(self.latencies_ms)
        if not xs:
            return float("nan")
        return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def setup_session(server: str, host_token: str, n_users: int, n_questions: int = 3, prefix: str | None = None) -> tuple[list[dict], list[dict]]:
    """Create questions (binary LMSR, binary CPMM, multiple choice) and join `n_users` traders."""
    prefix = prefix or uuid.uuid4().hex[:6]
    host = {"Authorization": f"Bearer {host_token}"}
    specs = [
        {"title": f"{prefix}: FrontierMath v2 >= 95% by 2027", "kind": "binary", "mechanism": "lmsr", "subsidy": 200},
        {"title": f"{prefix}: SWE-bench Verified >= 90% by 2027", "kind": "binary", "mechanism": "cpmm", "subsidy": 200},
        {"title": f"{prefix}: Year HLE passes 50%", "kind": "multiple_choice", "outcomes": ["2026", "2027", "2028", "later"],
         "mechanism": "lmsr", "subsidy": 300},
    ]
    with httpx.Client(base_url=server, timeout=30) as c:
        questions = []
        for k in range(n_questions):
            r = c.post("/api/questions", json=specs[k % len(specs)] | {"title": f"{specs[k % len(specs)]['title']} #{k}"}, headers=host)
            r.raise_for_status()
            questions.append(r.json())
        users = []
        for i in range(n_users):
            r = c.post("/api/join", json={"name": f"{prefix}-bot-{i}"})
            r.raise_for_status()
            users.append(r.json())
    return questions, users


def run_load(server: str, users: list[dict], questions: list[dict], orders_each: int, *, seed: int = 0,
             bad_fraction: float = 0.1, stop: threading.Event | None = None, timeout: float = 30.0) -> LoadResult:
    """Every user places `orders_each` random requests concurrently; return what they saw."""
    result = LoadResult(users=users)
    lock = threading.Lock()
    stop = stop or threading.Event()

    def client(k: int, user: dict) -> None:
        rng = random.Random(seed * 1000 + k)
        held: dict[tuple[int, str], float] = {}
        resting: list[int] = []
        headers = {"Authorization": f"Bearer {user['token']}"}
        c = _Http(server, headers, timeout)
        try:
            for n in range(orders_each):
                if stop.is_set():
                    return
                q = rng.choice(questions)
                names = [o["name"] for o in q["outcomes"]]
                key = uuid.uuid4().hex
                roll = rng.random()
                raw = None
                path = f"/api/questions/{q['id']}/orders"
                if roll < bad_fraction:
                    pick = rng.randrange(len(BAD_BODIES) + len(RAW_BAD) + 1)
                    if pick < len(BAD_BODIES):
                        body = dict(BAD_BODIES[pick])
                    elif pick < len(BAD_BODIES) + len(RAW_BAD):
                        raw, body = RAW_BAD[pick - len(BAD_BODIES)], None
                    else:
                        body = {"outcome": names[0], "side": "buy", "amount": 1}
                        headers_bad = {"Authorization": "Bearer not-a-token"}
                        _send(c, result, lock, path, body, None, key, user, q, headers_bad)
                        continue
                else:
                    outcome = rng.choice(names)
                    mine = held.get((q["id"], outcome), 0.0)
                    if roll < 0.55 or mine < 0.01:
                        body = {"outcome": outcome, "side": "buy", "amount": round(rng.uniform(0.5, 8.0), 3)}
                        if rng.random() < 0.2:
                            body["limit_price"] = round(rng.uniform(0.2, 0.95), 3)
                        elif rng.random() < 0.15:
                            body |= {"limit_price": round(rng.uniform(0.05, 0.6), 3), "resting": True}
                    elif roll < 0.9:
                        body = {"outcome": outcome, "side": "sell", "shares": round(min(mine, rng.uniform(0.5, mine)), 6)}
                        if rng.random() < 0.2:
                            body["limit_price"] = round(rng.uniform(0.01, 0.5), 3)
                    elif resting:
                        path, body = f"/api/orders/{resting.pop(rng.randrange(len(resting)))}/cancel", None
                    else:
                        body = {"outcome": outcome, "side": "buy", "amount": round(rng.uniform(0.5, 3.0), 3),
                                "limit_price": round(rng.uniform(0.05, 0.5), 3), "resting": True}
                    if body is not None:
                        body["idempotency_key"] = key
                answer = _send(c, result, lock, path, body, raw, key, user, q, None)
                if answer and answer.get("status") == "resting" and not path.endswith("/cancel"):
                    resting.append(answer["order_id"])
                if answer and body and "outcome" in body and answer.get("order_id"):
                    sign = 1 if body["side"] == "buy" else -1
                    held[(q["id"], body["outcome"])] = held.get((q["id"], body["outcome"]), 0.0) + sign * answer["shares"]
                if n % 25 == 24:
                    try:
                        me = c.request("GET", "/api/me").json()
                        held = {(p["question_id"], p["outcome"]): p["shares"] for p in me["positions"]}
                    except (Unreachable, ValueError, KeyError):
                        pass
        finally:
            c.close()

    threads = [threading.Thread(target=client, args=(k, u), daemon=True) for k, u in enumerate(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed_s = time.perf_counter() - t0
    return result


def _send(c: _Http, result: LoadResult, lock: threading.Lock, path: str, body: dict | None, raw: str | None,
          key: str, user: dict, q: dict, headers: dict | None) -> dict | None:
    t0 = time.perf_counter()
    try:
        r = c.request("POST", path, body, raw=raw, headers=headers)
    except Unreachable:
        with lock:
            result.unknown.append({"key": key, "user_id": user["user_id"], "question_id": q["id"], "path": path, "body": body})
        return None
    ms = (time.perf_counter() - t0) * 1000
    with lock:
        result.statuses[r.status_code] = result.statuses.get(r.status_code, 0) + 1
        if r.status_code >= 500:
            result.server_errors.append(f"{r.status_code} {path} {json.dumps(body)[:200]} -> {r.text[:300]}")
    if r.status_code != 200:
        return None
    answer = r.json()
    if path.endswith("/orders") and "order_id" in answer:
        with lock:
            result.latencies_ms.append(ms)
            if not answer.get("replayed"):
                result.acknowledged.append({"order_id": answer["order_id"], "key": key, "user_id": user["user_id"], "question_id": q["id"]})
    return answer


def check_acknowledged(engine, acknowledged: list[dict]) -> list[str]:  # type: ignore[no-untyped-def]
    """Problems with acknowledged orders: each must be an order row of its user and key, in the ledger once."""
    from sqlalchemy import func, select

    from benchcast.db.models import LedgerTxn, Order

    order, txn = Order.__table__, LedgerTxn.__table__
    problems = []
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(order.c.id, order.c.user_id, order.c.idempotency_key, order.c.question_id))}
        counts = dict(conn.execute(select(txn.c.order_id, func.count()).where(txn.c.kind == "order").group_by(txn.c.order_id)).all())
    seen = set()
    for a in acknowledged:
        row = rows.get(a["order_id"])
        if row is None:
            problems.append(f"acknowledged order {a['order_id']} is missing")
            continue
        if (row.user_id, row.idempotency_key, row.question_id) != (a["user_id"], a["key"], a["question_id"]):
            problems.append(f"acknowledged order {a['order_id']} belongs to someone else: {tuple(row)}")
        if counts.get(a["order_id"], 0) != 1:
            problems.append(f"acknowledged order {a['order_id']} is in the ledger {counts.get(a['order_id'], 0)} times")
        if a["order_id"] in seen:
            problems.append(f"order {a['order_id']} acknowledged twice")
        seen.add(a["order_id"])
    return problems
