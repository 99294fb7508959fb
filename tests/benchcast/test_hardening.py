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
