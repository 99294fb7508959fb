"""One test per defect of the hostile-participant probe (issue 14), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest


def _join(client, name: str) -> dict[str, str]:
    r = client.post("/api/join", json={"name": name})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _question(client, host_headers) -> dict:
    r = client.post("/api/questions", json={"title": "FrontierMath v2 >= 95% by 2028", "subsidy": 100}, headers=host_headers)
    assert r.status_code == 201, r.text
    return r.json()


def _unchanged(client, headers, q) -> None:
    assert client.get("/api/me", headers=headers).json()["balance"] == 1000
    assert client.get(f"/api/questions/{q['id']}").json()["trades"] == 0


# 1. A JSON boolean or a string is taken as an amount.
def test_1_booleans_and_strings_are_not_numbers(client, host_headers):
    q = _question(client, host_headers)
    ann = _join(client, "ann")
    for field in ("amount", "shares", "limit_price"):
        for value in (True, False, "5", "0.4"):
            body = {"outcome": "YES", "side": "buy", "amount": 5} | {field: value}
            for path in ("orders", "quote"):
                r = client.post(f"/api/questions/{q['id']}/{path}", json=body, headers=ann)
                assert r.status_code == 422, r.text
                assert r.json()["detail"].startswith(f"body.{field}: Input should be a valid number")
    _unchanged(client, ann, q)


def test_1_strict_numbers_elsewhere(client, host_headers):
    q = _question(client, host_headers)
    for body in ({"title": "x", "subsidy": True}, {"title": "x", "subsidy": "100"}, {"title": "x", "subsidy": -5},
                 {"title": "x", "initial_prices": [True, 0.5]}):
        assert client.post("/api/questions", json=body, headers=host_headers).status_code == 422, body
    for body in ({"probability": True}, {"probability": "0.5"}, {"cancel": 1}, {"probability": 1.5}):
        assert client.post(f"/api/questions/{q['id']}/resolve", json=body, headers=host_headers).status_code == 422, body


# 2. A reused idempotency key with a different order is silently answered with the first order's result.
def test_2_a_reused_key_with_another_order_is_refused(client, host_headers):
    q = _question(client, host_headers)
    ann = _join(client, "ann")
    path = f"/api/questions/{q['id']}/orders"
    first = client.post(path, json={"outcome": "YES", "side": "buy", "amount": 3, "idempotency_key": "k1"}, headers=ann)
    assert first.status_code == 200 and first.json()["replayed"] is False
    again = client.post(path, json={"outcome": "YES", "side": "buy", "amount": 3, "idempotency_key": "k1"}, headers=ann)
    assert again.status_code == 200 and again.json() == first.json() | {"replayed": True}
    other = client.post(path, json={"outcome": "NO", "side": "buy", "amount": 50, "idempotency_key": "k1"}, headers=ann)
    assert (other.status_code, other.json()) == (422, {
        "detail": "idempotency key 'k1' was already used for another order (buy YES 3.00); send a new key for a new order"})
    q2 = _question(client, host_headers)
    elsewhere = client.post(f"/api/questions/{q2['id']}/orders", json={"outcome": "YES", "side": "buy", "amount": 3, "idempotency_key": "k1"}, headers=ann)
    assert elsewhere.status_code == 422
    me = client.get("/api/me", headers=ann).json()
    assert me["balance"] == 997 and [p["outcome"] for p in me["positions"]] == ["YES"]  # the NO order never ran
    assert client.get(f"/api/questions/{q2['id']}").json()["trades"] == 0


def test_2_replays_are_the_first_answer_byte_for_byte_in_either_stored_format(client, host_headers, engine):
    """A reply is stored in micro-units (format 2); rows stored before that hold units and replay the same."""
    import json

    from sqlalchemy import select, update

    from benchcast.db.models import Order

    q = _question(client, host_headers)
    ann = _join(client, "ann")
    path = f"/api/questions/{q['id']}/orders"
    body = {"outcome": "YES", "side": "buy", "amount": 3.3, "idempotency_key": "fmt"}
    first = client.post(path, json=body, headers=ann)
    answer = first.json()
    assert first.status_code == 200 and answer["shares"] > 3.3 and answer["balance"] == 996.7
    with engine.connect() as conn:
        stored = json.loads(conn.execute(select(Order.result).where(Order.id == answer["order_id"])).scalar_one())
    assert stored == {"v": 2, "status": "filled", "outcome": "YES", "side": "buy", "shares": round(answer["shares"] * 1e6),
                      "cost": 3_300_000, "average_price": answer["average_price"], "prices_after": answer["prices_after"],
                      "balance": 996_700_000}
    expected = first.text.replace('"replayed":false', '"replayed":true')
    assert client.post(path, json=body, headers=ann).text == expected
    old = {k: answer[k] for k in ("status", "outcome", "side", "shares", "cost", "average_price", "prices_after", "balance")}
    with engine.begin() as conn:  # the row as the code before format 2 wrote it: units
        conn.execute(update(Order).where(Order.id == answer["order_id"]).values(result=json.dumps(old)))
    assert client.post(path, json=body, headers=ann).text == expected


def test_2_keys_expire_after_a_day(client, host_headers, engine):
    from sqlalchemy import update

    from benchcast.db.idempotency import KEY_TTL
    from benchcast.db.models import Order, utcnow

    q = _question(client, host_headers)
    ann = _join(client, "ann")
    path = f"/api/questions/{q['id']}/orders"
    first = client.post(path, json={"outcome": "YES", "side": "buy", "amount": 3, "idempotency_key": "day"}, headers=ann).json()
    with engine.begin() as conn:
        conn.execute(update(Order).where(Order.id == first["order_id"]).values(created_at=utcnow() - KEY_TTL - timedelta(minutes=1)))
    later = client.post(path, json={"outcome": "NO", "side": "buy", "amount": 5, "idempotency_key": "day"}, headers=ann)
    assert later.status_code == 200 and later.json()["replayed"] is False and later.json()["order_id"] != first["order_id"]
    assert KEY_TTL == timedelta(hours=24)


# 3. Startup failures print tracebacks instead of one `error:` line.
def _serve(*args: str, env: dict | None = None, unprivileged: bool = False) -> tuple[int, str]:
    import os
    import shutil
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "benchcast.cli.main", "serve", *args]
    if unprivileged and os.geteuid() == 0:  # root ignores file modes unless it drops CAP_DAC_OVERRIDE
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a file read-only for the server")
        cmd = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *cmd]
    full_env = {**os.environ, "BENCHCAST_HOST_TOKEN": "host-token-startup-test-0123456789", **(env or {})}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=full_env)
    return r.returncode, r.stderr


def _serve_here(*args: str, env: dict | None = None) -> tuple[int, str]:
    """`benchcast serve` in this process (every failure here comes before the server would start)."""
    from typer.testing import CliRunner

    from benchcast.cli.main import app

    r = CliRunner().invoke(app, ["serve", "--port", "0", *args], env={"BENCHCAST_HOST_TOKEN": "host-token-startup-test-0123456789", **(env or {})})
    return r.exit_code, r.stderr


def _one_error_line(code: int, err: str, *words: str) -> None:
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and all(w in err for w in words), err


def test_3_startup_failures_are_one_error_line(tmp_path):
    import os
    import socket

    from benchcast.db.engine import create_all, make_engine

    readonly = tmp_path / "ro" / "market.db"
    eng = make_engine(f"sqlite:///{readonly}")
    create_all(eng)
    eng.dispose()
    for f in readonly.parent.iterdir():
        f.chmod(0o444)
    readonly.parent.chmod(0o555)
    try:
        _one_error_line(*_serve("--db", f"sqlite:///{readonly}", unprivileged=True), "database", "attempt to write a readonly database")
    finally:
        readonly.parent.chmod(0o755)
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    _one_error_line(*_serve_here("--db", f"sqlite:///{afile}/x.db"), f"cannot use {afile} as the folder", "File exists")
    _one_error_line(*_serve_here("--db", "sqlite:////proc/nope/x.db"), "cannot use /proc/nope as the folder")
    _one_error_line(*_serve_here("--db", "postgresql://postgres@127.0.0.1:1/none"), "cannot open database")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        _one_error_line(*_serve_here("--db", f"sqlite:///{tmp_path / 'ok.db'}", "--port", str(port)),
                        f"cannot listen on 127.0.0.1:{port}", "in use")
    _one_error_line(*_serve_here("--db", f"sqlite:///{tmp_path / 'ok.db'}", "--host-token-file", str(tmp_path / "missing"), env={"BENCHCAST_HOST_TOKEN": ""}),
                    "cannot read --host-token-file")
    assert os.access(readonly, os.R_OK)


# 4. A database that turns read-only while the server runs gives 500 text/plain.
def test_4_runtime_database_errors_are_json_503(client, host_headers, engine):
    from sqlalchemy import event

    q = _question(client, host_headers)
    ann = _join(client, "ann")
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _read_only(dbapi_conn, _record) -> None:  # the file turned read-only: every new connection is
            dbapi_conn.execute("PRAGMA query_only = 1")
        engine.pool.dispose()
        expected = "attempt to write a readonly database"
    else:
        name = engine.url.database
        with engine.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            conn.commit()
        engine.pool.dispose()
        expected = "read-only transaction"
    r = client.post(f"/api/questions/{q['id']}/orders", json={"outcome": "YES", "side": "buy", "amount": 5}, headers=ann)
    assert r.status_code == 503 and r.headers["content-type"] == "application/json", r.text
    assert r.json()["detail"].startswith("the database is unavailable (") and expected in r.json()["detail"]
    assert r.json()["detail"].endswith("): try again later") and "INSERT" not in r.json()["detail"]
    assert client.post("/api/join", json={"name": "bob"}).status_code == 503
    assert client.get(f"/api/questions/{q['id']}").json()["trades"] == 0  # reads still work


def test_4_an_unexpected_error_is_json_500(engine):
    from fastapi.testclient import TestClient

    from benchcast.server import create_app

    app = create_app(engine)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/boom")
    assert (r.status_code, r.json()) == (500, {"detail": "internal server error"})


# 5. A database directory deleted while the server runs goes unnoticed (acknowledged data lost).
@pytest.mark.parametrize("how", ["folder deleted", "file replaced"])
def test_5_a_database_file_gone_from_under_the_server_refuses_writes(tmp_path, how):
    import shutil

    from fastapi.testclient import TestClient

    from benchcast.db import users
    from benchcast.db.engine import create_all, make_engine
    from benchcast.server import create_app

    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'market.db'}"
    engine = make_engine(url)
    create_all(engine)
    users.ensure_host(engine, "host-token-inode-test-0123456789")
    with TestClient(create_app(engine)) as c:
        assert c.post("/api/join", json={"name": "ann"}).status_code == 201
        if how == "folder deleted":
            shutil.rmtree(folder)
        else:
            other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
            create_all(other)
            other.dispose()
            (tmp_path / "other.db").replace(folder / "market.db")
        r = c.post("/api/join", json={"name": "bob"})
        assert r.status_code == 503 and r.json()["detail"].startswith(f"the database file {folder / 'market.db'} was deleted, moved or replaced")
        host = {"Authorization": "Bearer host-token-inode-test-0123456789"}
        assert c.post("/api/questions", json={"title": "Will it?", "subsidy": 10}, headers=host).status_code == 503
    engine.dispose()


# 6. Size limits: a chunked 13 MB body gets 400, an 8 MB header gets 200.
def test_6_large_bodies_are_413_chunked_or_not(client, host_headers):
    q = _question(client, host_headers)
    ann = _join(client, "ann")
    path = f"/api/questions/{q['id']}/orders"

    def chunks():
        for _ in range(13 * 16):
            yield b" " * 65536

    for kwargs in ({"content": chunks()}, {"content": b" " * (13 << 20)}):
        r = client.post(path, headers={**ann, "Content-Type": "application/json"}, **kwargs)
        assert (r.status_code, r.json()) == (413, {"detail": "request body is larger than 65536 bytes"})
    r = client.get("/api/leaderboard", headers={"X-Padding": "x" * 20_000})
    assert (r.status_code, r.json()) == (431, {"detail": "request headers are larger than 16384 bytes"})
    _unchanged(client, ann, q)


def test_6_the_server_refuses_an_8_mb_header_without_reading_it_all(tmp_path):
    import socket

    from benchcast.server.process import ServerProcess

    with ServerProcess(f"sqlite:///{tmp_path / 'h.db'}", "host-token-header-test-0123456789") as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(b"GET /api/leaderboard HTTP/1.1\r\nHost: x\r\nX-Padding: ")
            sent, answer = 0, b""
            try:
                while sent < 8 << 20:
                    s.sendall(b"x" * 65536)
                    sent += 65536
            except OSError:  # the server closed the connection after answering
                pass
            s.settimeout(5)
            while chunk := s.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 431 ") and b'"request headers are larger than 16384 bytes"' in answer
        assert sent < 8 << 20  # refused long before all 8 MB were sent
        assert server.proc.poll() is None


# 7. Reads are not rate-limited: 1,200 unauthenticated GET /api/leaderboard in 2.6 s, all 200.
def test_7_reads_are_rate_limited_per_address(engine):
    from fastapi.testclient import TestClient

    from benchcast.server import Settings, create_app
    from benchcast.server.limits import RateLimiter

    with TestClient(create_app(engine, Settings(ip_rate_per_s=2, ip_burst=5))) as c:
        codes = [c.get("/api/leaderboard").status_code for _ in range(30)]
        assert codes[:5] == [200] * 5 and codes.count(429) >= 20
        r = c.get("/api/questions")
        assert (r.status_code, r.json(), r.headers["retry-after"]) == (429, {"detail": "too many requests from this address: slow down"}, "1")
        assert c.post("/api/join", json={"name": "ann"}).status_code == 429  # writes count too
    default = Settings()
    limiter = RateLimiter(default.ip_rate_per_s, default.ip_burst)
    assert sum(limiter.allow("ip:203.0.113.9") for _ in range(1200)) == 200  # the probe's burst: 1,000 refused


# 8. One invite admits unlimited accounts, each with 1,000.
def test_8_a_session_admits_at_most_max_players(engine):
    from fastapi.testclient import TestClient

    from benchcast.db import users
    from benchcast.server import Settings, create_app

    users.ensure_host(engine, "host-token-players-test-0123456789")
    with TestClient(create_app(engine, Settings(invite="pizza", max_players=3))) as c:
        assert [c.post("/api/join", json={"name": f"p{i}", "invite": "pizza"}).status_code for i in range(3)] == [201] * 3
        r = c.post("/api/join", json={"name": "sybil", "invite": "pizza"})
        assert (r.status_code, r.json()) == (409, {"detail": "this session is full: it has 3 players, the most the host allows"})
        assert [row["name"] for row in c.get("/api/leaderboard").json()] == ["p0", "p1", "p2"]
    assert Settings().max_players == 50


# 9. Leaks and missing headers.
def test_9_the_host_token_is_not_on_the_command_line(tmp_path):
    from benchcast.server.process import ServerProcess

    token = "host-token-ps-test-0123456789abcdef"
    with ServerProcess(f"sqlite:///{tmp_path / 't.db'}", token) as server:
        with open(f"/proc/{server.proc.pid}/cmdline", "rb") as f:
            cmdline = f.read()
        assert token.encode() not in cmdline and b"serve" in cmdline
        assert token not in server.output()
    file = tmp_path / "token"
    file.write_text(token + "\n")
    code, err = _serve_here("--db", f"sqlite:///{tmp_path / 't.db'}", "--host-token", token)
    assert code == 2 and "No such option" in err


def test_9_pages_carry_csp_and_framing_headers(client):
    from benchcast.server.limits import CSP

    for path in ("/", "/api/questions", "/api/nope"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP and "frame-ancestors 'none'" in CSP
        assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-content-type-options"] == "nosniff"


def test_9_error_details_never_show_micro_units_ids_or_reprs(client, host_headers):
    """Issue 13: every refusal an order can meet, through the API, in words for people."""
    import re

    from tests.benchcast.test_fuzz import INTERNALS

    q = _question(client, host_headers)
    ann = _join(client, "ann")
    uid = client.get("/api/me", headers=ann).json()["user_id"]
    bodies = [
        {"outcome": "YES", "side": "buy", "amount": 1500}, {"outcome": "NO", "side": "sell", "shares": 50},
        {"outcome": "YES", "side": "buy", "amount": 900}, {"outcome": "YES", "side": "buy", "amount": 50, "limit_price": 0.55},
        {"outcome": "YES", "side": "buy", "amount": 0.0001}, {"outcome": "MAYBE", "side": "buy", "amount": 1},
        {"outcome": "YES", "side": "buy"}, {"outcome": "YES", "side": "sell", "amount": 5},
        {"outcome": "YES", "side": "buy", "amount": 1, "resting": True},
        {"outcome": "YES", "side": "buy", "shares": 5, "limit_price": 0.3, "resting": True},
        {"outcome": "YES", "side": "buy", "amount": 5000, "limit_price": 0.3, "resting": True},
    ]
    details = []
    for body in bodies:
        for path in ("orders", "quote"):
            r = client.post(f"/api/questions/{q['id']}/{path}", json=body, headers=ann)
            assert r.status_code in (400, 409, 422), (body, r.text)
            details.append(r.json()["detail"])
    details.append(client.post("/api/questions", json={"title": "x", "subsidy": 0.0000001}, headers=host_headers).json()["detail"])
    details.append(client.post("/api/questions", json={"title": "x", "kind": "multiple_choice", "outcomes": ["A", "A"]},
                               headers=host_headers).json()["detail"])
    details.append(client.post(f"/api/questions/{q['id']}/resolve", json={"probability": [0.5, 0.6]}, headers=host_headers).json()["detail"])
    details.append(client.post("/api/orders/999/cancel", headers=ann).json()["detail"])
    for d in details:
        assert not INTERNALS.search(d) and not re.search(rf"'{uid}'|\b{uid}'s\b", d), d
    assert "this order costs 1,500.00 but you have 1,000.00 available" in details
    assert "outcome MAYBE is not one of YES, NO" in details
