"""The REST contract, its errors, auth, rate limit and size limit (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

HOST_TOKEN = "host-token-for-tests-0123456789abcdef"  # the one tests/benchcast/conftest.py gives the host


def join(client, name: str) -> dict[str, str]:
    """Join as `name` and return the Authorization header of the new trader."""
    r = client.post("/api/join", json={"name": name})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _create(client, headers, **spec):
    body = {"title": "SWE-bench Verified >= 90% by 2027-06-30", "kind": "binary", "mechanism": "lmsr", "subsidy": 100}
    r = client.post("/api/questions", json={**body, **spec}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_rest_contract_round_trip(client, host_headers):
    q = _create(client, host_headers)
    assert q["status"] == "open" and [o["name"] for o in q["outcomes"]] == ["YES", "NO"]
    mc = _create(client, host_headers, title="First to 95% on GPQA", kind="multiple_choice", outcomes=["A", "B", "C"],
                 initial_prices=[0.5, 0.3, 0.2])
    assert [round(o["price"], 6) for o in mc["outcomes"]] == [0.5, 0.3, 0.2]
    r = client.post("/api/join", json={"name": "ann"})
    assert r.status_code == 201 and set(r.json()) >= {"user_id", "token", "balance"}
    ann = {"Authorization": f"Bearer {r.json()['token']}"}
    assert [x["id"] for x in client.get("/api/questions").json()] == [q["id"], mc["id"]]
    quote = client.post(f"/api/questions/{q['id']}/quote", json={"outcome": "YES", "side": "buy", "amount": 10}, headers=ann).json()
    order = client.post(f"/api/questions/{q['id']}/orders", json={"outcome": "YES", "side": "buy", "amount": 10}, headers=ann)
    assert order.status_code == 200, order.text
    o = order.json()
    assert set(o) >= {"order_id", "shares", "cost", "prices_after"}
    assert o["shares"] == quote["shares"] and o["prices_after"] == quote["prices_after"]
    assert client.get(f"/api/questions/{q['id']}").json()["outcomes"][0]["price"] == o["prices_after"][0]
    me = client.get("/api/me", headers=ann).json()
    assert me["balance"] == pytest.approx(990.0) and me["positions"][0]["shares"] == o["shares"]
    hist = client.get(f"/api/questions/{q['id']}/history").json()
    assert len(hist["points"]) == 2 and hist["points"][-1]["prices"] == o["prices_after"]
    board = client.get("/api/leaderboard").json()
    assert board[0]["name"] == "ann"
    sold = client.post(f"/api/questions/{q['id']}/orders", json={"outcome": "YES", "side": "sell", "shares": o["shares"]}, headers=ann)
    assert sold.status_code == 200 and sold.json()["cost"] < 0
    res = client.post(f"/api/questions/{mc['id']}/resolve", json={"outcome": "B"}, headers=host_headers)
    assert res.status_code == 200 and res.json()["status"] == "resolved" and res.json()["resolution"]["outcome"] == "B"
    assert client.get("/docs").status_code == 200 and "/api/join" in client.get("/openapi.json").json()["paths"]


def test_resting_limit_order_and_cancel(client, host_headers):
    q = _create(client, host_headers)
    ann = join(client, "ann")
    r = client.post(f"/api/questions/{q['id']}/orders", json={"outcome": "NO", "side": "buy", "amount": 20, "limit_price": 0.4, "resting": True}, headers=ann)
    assert r.status_code == 200 and r.json()["status"] == "resting"
    me = client.get("/api/me", headers=ann).json()
    assert me["reserved"] == 20 and me["open_orders"][0]["order_id"] == r.json()["order_id"]
    assert me["open_orders"][0]["remaining"] == 20
    bob = join(client, "bob")
    assert client.post(f"/api/orders/{r.json()['order_id']}/cancel", headers=bob).status_code == 403
    c = client.post(f"/api/orders/{r.json()['order_id']}/cancel", headers=ann)
    assert c.status_code == 200 and client.get("/api/me", headers=ann).json()["balance"] == 1000


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"outcome": "MAYBE", "side": "buy", "amount": 5}, 400),
        ({"outcome": "YES", "side": "buy", "amount": 0}, 422),
        ({"outcome": "YES", "side": "buy", "amount": -3}, 422),
        ({"outcome": "YES", "side": "buy", "amount": 0.0001}, 400),
        ({"outcome": "YES", "side": "buy", "amount": 1e300}, 422),
        ({"outcome": "YES", "side": "buy"}, 400),
        ({"outcome": "YES", "side": "hold", "amount": 5}, 422),
        ({"outcome": "YES", "side": "sell", "shares": 5}, 409),
        ({"outcome": "YES", "side": "buy", "amount": 5000}, 409),
        ({"outcome": "YES", "side": "buy", "amount": 5, "limit_price": 0.1}, 409),
        ({"outcome": "YES", "side": "buy", "amount": 5, "limit_price": 7}, 422),
        ({"outcome": "YES", "side": "buy", "amount": "lots"}, 422),
        ({"outcome": "YES", "side": "buy", "amount": 5, "extra": 1}, 422),
        ([1, 2, 3], 422),
    ],
)
def test_bad_orders_get_json_4xx_and_change_nothing(client, host_headers, body, status):
    q = _create(client, host_headers)
    ann = join(client, "ann")
    r = client.post(f"/api/questions/{q['id']}/orders", json=body, headers=ann)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]
    assert client.get("/api/me", headers=ann).json()["balance"] == 1000
    assert client.get(f"/api/questions/{q['id']}").json()["trades"] == 0


def test_nan_and_malformed_json_are_refused(client, host_headers):
    q = _create(client, host_headers)
    ann = join(client, "ann")
    for raw in ['{"outcome":"YES","side":"buy","amount":NaN}', '{"outcome":"YES","side":"buy","amount":Infinity}', "{not json", ""]:
        r = client.post(f"/api/questions/{q['id']}/orders", content=raw, headers={**ann, "Content-Type": "application/json"})
        assert r.status_code == 422, (raw, r.text)
    assert client.get("/api/questions/999").status_code == 404
    assert client.get("/api/questions/abc").status_code == 422
    assert client.get("/api/questions/99999999999999999999999").status_code == 422
    assert client.get(f"/api/questions/{2**40}").status_code == 422
    ann_nul = client.post(f"/api/questions/{q['id']}/orders", json={"outcome": "YES", "side": "buy", "amount": 1, "idempotency_key": "a\x00b"}, headers=ann)
    assert ann_nul.status_code == 422
    assert client.post("/api/questions", json={"title": "nul \x00 title", "subsidy": 10}, headers=host_headers).status_code == 422


def test_security_tokens_and_roles(client, host_headers):
    q = _create(client, host_headers)
    r = client.post("/api/join", json={"name": "ann"})
    ann_token = r.json()["token"]
    ann = {"Authorization": f"Bearer {ann_token}"}
    order = {"outcome": "YES", "side": "buy", "amount": 5}
    assert client.post(f"/api/questions/{q['id']}/orders", json=order).status_code == 401
    assert client.post(f"/api/questions/{q['id']}/orders", json=order, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post(f"/api/questions/{q['id']}/orders", json=order, headers={"Authorization": ann_token}).status_code == 401
    assert client.get("/api/me").status_code == 401
    assert client.post(f"/api/questions/{q['id']}/resolve", json={"outcome": "YES"}, headers=ann).status_code == 403
    assert client.post("/api/questions", json={"title": "x", "subsidy": 10}, headers=ann).status_code == 403
    # Nobody can read anyone's token: not in the user's own view, the leaderboard, or the schema of any answer.
    bob = join(client, "bob")
    client.post(f"/api/questions/{q['id']}/orders", json=order, headers=ann)
    for path, headers in [("/api/me", bob), ("/api/me", ann), ("/api/leaderboard", {}), ("/api/questions", {}),
                          (f"/api/questions/{q['id']}/history", {})]:
        body = client.get(path, headers=headers).text
        assert ann_token not in body and HOST_TOKEN not in body and "token" not in body.lower()
    # Acting with ann's token acts as ann only: bob's view is unchanged.
    assert client.get("/api/me", headers=bob).json()["positions"] == []


def test_join_rules(engine):
    from fastapi.testclient import TestClient

    from benchcast.server import Settings, create_app

    with TestClient(create_app(engine, Settings(invite="sesame"))) as c:
        assert c.post("/api/join", json={"name": "ann"}).status_code == 403
        assert c.post("/api/join", json={"name": "ann", "invite": "wrong"}).status_code == 403
        assert c.post("/api/join", json={"name": "ann", "invite": "sesame"}).status_code == 201
        assert c.post("/api/join", json={"name": "ann", "invite": "sesame"}).status_code == 409
        assert c.post("/api/join", json={"name": "host", "invite": "sesame"}).status_code == 409
        assert c.post("/api/join", json={"name": "  ", "invite": "sesame"}).status_code == 400
        assert c.post("/api/join", json={"name": "x" * 65, "invite": "sesame"}).status_code == 422
        assert c.post("/api/join", json={"name": "a\x00b", "invite": "sesame"}).status_code == 422
        assert c.post("/api/join", json={"name": "a\x07b", "invite": "sesame"}).status_code == 400


def test_rate_limit_and_body_size(engine):
    from fastapi.testclient import TestClient

    from benchcast.server import Settings, create_app

    with TestClient(create_app(engine, Settings(rate_per_s=1.0, rate_burst=5.0, max_body_bytes=2048))) as c:
        token = c.post("/api/join", json={"name": "ann"}).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        codes = [c.get("/api/me", headers=h).status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and 429 in codes[5:]
        r = c.post("/api/join", json={"name": "y" * 5000})
        assert r.status_code == 413 and "larger" in r.json()["detail"]
        r = c.post("/api/join", content=("z" * 5000).encode(), headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        assert r.status_code in (413, 422)


def test_web_page_is_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "<html" in r.text.lower()


def test_resolutions_by_probability_and_cancel(client, host_headers, engine):
    from benchcast.db.audit import audit_database

    mc = _create(client, host_headers, title="Which lab first", kind="multiple_choice", outcomes=["A", "B", "C"])
    binary = _create(client, host_headers)
    ann = join(client, "ann")
    for q, outcome in ((mc, "A"), (binary, "YES")):
        r = client.post(f"/api/questions/{q['id']}/orders", json={"outcome": outcome, "side": "buy", "amount": 30}, headers=ann)
        assert r.status_code == 200
    path = f"/api/questions/{mc['id']}/resolve"
    assert client.post(path, json={"probability": 0.5}, headers=host_headers).status_code == 400
    assert client.post(path, json={"probability": [0.5, 0.6, 0.1]}, headers=host_headers).status_code == 400
    assert client.post(path, json={}, headers=host_headers).status_code == 400
    assert client.post(path, json={"outcome": "A", "cancel": True}, headers=host_headers).status_code == 400
    r = client.post(path, json={"probability": [0.5, 0.25, 0.25]}, headers=host_headers)
    assert r.status_code == 200 and r.json()["resolution"]["probability"] == [0.5, 0.25, 0.25]
    assert client.post(path, json={"cancel": True}, headers=host_headers).status_code == 409
    r = client.post(f"/api/questions/{binary['id']}/resolve", json={"cancel": True}, headers=host_headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    me = client.get("/api/me", headers=ann).json()
    assert me["positions"] == [] and me["open_orders"] == []
    assert audit_database(engine).problems == []
