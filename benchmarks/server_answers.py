"""Real answers of the hardened server to misuse (the examples in docs/server.md): python benchmarks/server_answers.py"""
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from benchcast.server.process import ServerProcess

tmp = tempfile.mkdtemp()
TOKEN = "host-token-docs-demo-0123456789"
with ServerProcess(f"sqlite:///{tmp}/demo.db", TOKEN) as s:
    print("$ BENCHCAST_HOST_TOKEN=... benchcast serve --db sqlite:///demo.db")
    print(s.output().strip())
    c = httpx.Client(base_url=s.url, timeout=30)
    host = {"Authorization": f"Bearer {TOKEN}"}
    q = c.post("/api/questions", json={"title": "FrontierMath v2 >= 95% by 2028", "subsidy": 100}, headers=host).json()
    ann = {"Authorization": f"Bearer {c.post('/api/join', json={'name': 'ann'}).json()['token']}"}
    p = f"/api/questions/{q['id']}"
    def show(method, path, **kw):
        r = c.request(method, path, **kw)
        body = kw.get("json")
        print(f"{method} {path} {json.dumps(body) if body is not None else ''}".rstrip())
        print(f"  -> {r.status_code} {r.text}")
        return r
    show("POST", f"{p}/orders", json={"outcome": "YES", "side": "buy", "amount": True}, headers=ann)
    show("POST", f"{p}/orders", json={"outcome": "YES", "side": "buy", "amount": "5"}, headers=ann)
    show("POST", f"{p}/quote", json={"outcome": "YES", "side": "buy", "amount": 1500}, headers=ann)
    show("POST", f"{p}/quote", json={"outcome": "YES", "side": "buy", "amount": 900}, headers=ann)
    show("POST", f"{p}/quote", json={"outcome": "YES", "side": "buy", "amount": 50, "limit_price": 0.55}, headers=ann)
    show("POST", f"{p}/orders", json={"outcome": "NO", "side": "sell", "shares": 50}, headers=ann)
    show("POST", f"{p}/orders", json={"outcome": "YES", "side": "buy", "amount": 3, "idempotency_key": "k1"}, headers=ann)
    show("POST", f"{p}/orders", json={"outcome": "NO", "side": "buy", "amount": 50, "idempotency_key": "k1"}, headers=ann)
    r = c.post(f"{p}/orders", content=b" " * (13 << 20), headers={**ann, "Content-Type": "application/json"})
    print(f"POST {p}/orders (13 MB body)\n  -> {r.status_code} {r.text}")
    r = c.get("/", headers={"X-Padding": "x" * 20000})
    print(f"GET / (20 kB header)\n  -> {r.status_code} {r.text}")
    r = c.get("/")
    print("GET / headers:", {k: r.headers[k] for k in ("content-security-policy", "x-frame-options", "referrer-policy")})
    from concurrent.futures import ThreadPoolExecutor

    def burst(_: int) -> list[int]:
        with httpx.Client(base_url=s.url, timeout=30) as own:
            return [own.get("/api/leaderboard").status_code for _ in range(150)]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        codes = [code for part in pool.map(burst, range(8)) for code in part]
    took = time.perf_counter() - t0
    print(f"1,200 x GET /api/leaderboard from 8 connections in {took:.1f} s: {codes.count(200)} x 200, {codes.count(429)} x 429")
    shutil.rmtree(tmp)
    show("POST", "/api/join", json={"name": "bob"})
