"""The people side of the REST API: names, links, questions' words and close times, fair values,
payouts and histories, comments, the activity feed, live events (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

TITLE = "SWE-bench Verified >= 90% by 2027-06-30"


def join(client, name: str) -> dict[str, str]:
    r = client.post("/api/join", json={"name": name})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def create(client, host_headers, **spec) -> dict:
    r = client.post("/api/questions", json={"title": TITLE, "subsidy": 100, **spec}, headers=host_headers)
    assert r.status_code == 201, r.text
    return r.json()


def buy(client, who, qid: int, outcome: str, amount: float) -> dict:
    r = client.post(f"/api/questions/{qid}/orders", json={"outcome": outcome, "side": "buy", "amount": amount}, headers=who)
    assert r.status_code == 200, r.text
    return r.json()


def test_names_are_unique_after_case_folding_and_confusables_are_refused(client):
    r = client.post("/api/join", json={"name": "Alice"})
    assert r.status_code == 201 and r.json()["link"] == f"http://testserver/#token={r.json()['token']}"
    taken = "is taken (as 'Alice'); choose another, or open your re-entry link (the host can reissue it)"
    for name in ["alice", "ALICE", "ＡＬＩＣＥ"]:
        r = client.post("/api/join", json={"name": name})
        assert (r.status_code, r.json()) == (409, {"detail": f"name {name!r} {taken}"})
    r = client.post("/api/join", json={"name": "HOST"})
    assert (r.status_code, r.json()["detail"]) == (409, "name 'HOST' is taken (as 'host'); choose another, or open your re-entry link (the host can reissue it)")
    r = client.post("/api/join", json={"name": "h\u043est"})  # a Cyrillic o
    assert r.status_code == 400 and r.json()["detail"] == (
        "name 'h\u043est' mixes scripts (Cyrillic '\u043e' among Latin letters) and could pass for another name; use letters of one script")
    assert client.post("/api/join", json={"name": "Алиса"}).status_code == 201  # one script, fine
    assert [row["name"] for row in client.get("/api/leaderboard").json()] == ["Alice", "Алиса"]


def test_host_lists_players_reissues_links_and_removes(client, host_headers):
    old = join(client, "gina")
    assert client.get("/api/players", headers=old).status_code == 403
    assert client.get("/api/me", headers=old).status_code == 200  # cached look-up, dropped on reissue
    r = client.post("/api/players/GINA/reissue", headers=host_headers)
    assert r.status_code == 200 and r.json()["name"] == "gina" and r.json()["link"].endswith("#token=" + r.json()["token"])
    assert client.get("/api/me", headers=old).status_code == 401
    new = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.get("/api/me", headers=new).json()["name"] == "gina"
    players = client.get("/api/players", headers=host_headers).json()
    assert [(p["name"], p["is_host"], p["is_removed"], p["cash"]) for p in players] == [("host", True, False, 1000.0), ("gina", False, False, 1000.0)]
    r = client.post("/api/players/nobody/reissue", headers=host_headers)
    assert (r.status_code, r.json()["detail"]) == (404, "no player is called 'nobody': see `benchcast market players`")
    assert client.delete("/api/players/gina", headers=host_headers).json() == {"name": "gina", "is_removed": True}
    assert client.get("/api/me", headers=new).status_code == 401
    assert client.get("/api/leaderboard").json() == []
    assert client.post("/api/join", json={"name": "Gina"}).status_code == 409  # the name stays with the history


def test_description_criteria_and_close_times(client, host_headers):
    closes = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    q = create(client, host_headers, description="Epoch's **hub**. <img src=x onerror=alert(1)> [x](javascript:alert(1))",
               criteria="YES if the hub shows >= 90%.", closes_at=closes.isoformat())
    got = client.get(f"/api/questions/{q['id']}").json()
    assert got["criteria"] == "YES if the hub shows >= 90%." and got["closes_at"] == closes.replace(tzinfo=None).isoformat() + "Z"
    assert got["description_html"] == ("<p>Epoch's <strong>hub</strong>. &lt;img src=x onerror=alert(1)&gt; "
                                       "[x](javascript:alert(1))</p>\n")
    assert got["is_closed"] is False
    before = client.get("/api/questions").json()
    r = client.post("/api/questions", json={"title": TITLE, "closes_at": "2020-01-01"}, headers=host_headers)
    assert r.status_code == 400 and r.json()["detail"].startswith("closes_at 2020-01-01T00:00Z is in the past: give a time after now (")
    assert client.get("/api/questions").json() == before
    r = client.post("/api/questions", json={"title": TITLE, "closes_at": "Friday's\\noon"}, headers=host_headers)
    assert (r.status_code, r.json()["detail"]) == (400, "closes_at 'Friday's\\noon' is not an ISO time such as 2027-12-31T00:00:00Z")
    soon = create(client, host_headers, closes_at=(datetime.now(UTC) + timedelta(seconds=1)).isoformat())
    ann = join(client, "ann")
    buy(client, ann, soon["id"], "YES", 5)
    time.sleep(1.1)
    r = client.post(f"/api/questions/{soon['id']}/orders", json={"outcome": "YES", "side": "buy", "amount": 5}, headers=ann)
    assert r.status_code == 409 and "closed at" in r.json()["detail"]
    assert client.get(f"/api/questions/{soon['id']}").json()["is_closed"] is True


def test_outcome_names_ignore_case(client, host_headers):
    q = create(client, host_headers)
    ann = join(client, "ann")
    assert buy(client, ann, q["id"], "yes", 10)["outcome"] == "YES"
    r = client.post(f"/api/questions/{q['id']}/resolve", json={"outcome": " No "}, headers=host_headers)
    assert r.status_code == 200 and r.json()["resolution"]["outcome"] == "NO"


@pytest.mark.parametrize("mechanism", ["lmsr", "cpmm"])
def test_own_trade_cannot_buy_a_leaderboard_place(client, host_headers, mechanism):
    q = create(client, host_headers, mechanism=mechanism, initial_prices=[0.16, 0.84])
    ann, bob = join(client, "ann"), join(client, "bob")
    out = buy(client, ann, q["id"], "YES", 40)
    assert out["prices_after"][0] > 0.3  # the trade moved the price a lot
    board = {r["name"]: r for r in client.get("/api/leaderboard").json()}
    assert board["ann"]["profit"] <= 0.0 and board["ann"]["rank"] == 2 and board["bob"]["profit"] == 0.0
    me = client.get("/api/me", headers=ann).json()
    assert me["value"] == board["ann"]["value"] and me["positions"][0]["value"] <= 40.0
    sell = client.post(f"/api/questions/{q['id']}/quote", json={"outcome": "YES", "side": "sell", "shares": out["shares"]}, headers=ann).json()
    assert me["positions"][0]["value"] == pytest.approx(-sell["cost"], abs=1e-6)  # the value is what selling returns


def test_resolution_payouts_and_player_history(client, host_headers):
    q = create(client, host_headers)
    ann, bob = join(client, "ann"), join(client, "bob")
    a = buy(client, ann, q["id"], "YES", 40)
    buy(client, bob, q["id"], "NO", 25)
    assert client.get(f"/api/questions/{q['id']}/payouts").json() == []
    client.post(f"/api/questions/{q['id']}/resolve", json={"outcome": "YES"}, headers=host_headers).raise_for_status()
    payouts = client.get(f"/api/questions/{q['id']}/payouts").json()
    assert payouts == [{"name": "ann", "paid_in": 40.0, "payout": a["shares"], "profit": pytest.approx(a["shares"] - 40.0)},
                       {"name": "bob", "paid_in": 25.0, "payout": 0.0, "profit": -25.0}]
    hist = client.get("/api/me/history", headers=ann).json()
    assert [(t["outcome"], t["side"], t["cost"]) for t in hist["trades"]] == [("YES", "buy", 40.0)]
    assert hist["resolved"] == [{"question_id": q["id"], "title": TITLE, "resolution": "YES", "paid_in": 40.0,
                                 "payout": a["shares"], "profit": pytest.approx(a["shares"] - 40.0)}]
    assert client.get("/api/me", headers=ann).json()["balance"] == pytest.approx(960.0 + a["shares"])


def test_comments_are_stored_limited_and_in_the_feed(client, host_headers):
    q = create(client, host_headers)
    ann = join(client, "ann")
    r = client.post(f"/api/questions/{q['id']}/comments", json={"body": "  <b>cheap</b> at 50%  "}, headers=ann)
    assert r.status_code == 201 and (r.json()["name"], r.json()["body"]) == ("ann", "<b>cheap</b> at 50%")
    r = client.post(f"/api/questions/{q['id']}/comments", json={"body": "x" * 1001}, headers=ann)
    assert (r.status_code, r.json()["detail"]) == (400, "a comment is at most 1000 characters; this one has 1001")
    assert client.post(f"/api/questions/{q['id']}/comments", json={"body": "hi"}).status_code == 401
    assert client.post("/api/questions/999/comments", json={"body": "hi"}, headers=ann).status_code == 404
    for k in range(4):
        assert client.post(f"/api/questions/{q['id']}/comments", json={"body": f"c{k}"}, headers=ann).status_code == 201
    r = client.post(f"/api/questions/{q['id']}/comments", json={"body": "one too many"}, headers=ann)
    assert (r.status_code, r.json()["detail"]) == (409, "you have posted 5 comments in the last minute; wait a little (at most 5 a minute)")
    assert [c["body"] for c in client.get(f"/api/questions/{q['id']}/comments").json()] == ["<b>cheap</b> at 50%", "c0", "c1", "c2", "c3"]
    buy(client, ann, q["id"], "yes", 10)
    feed = client.get("/api/activity").json()
    assert [i["kind"] for i in feed][:2] == ["trade", "comment"] and feed[-1] == {
        "kind": "question", "at": feed[-1]["at"], "question_id": q["id"], "title": TITLE, "text": f"new question: {TITLE}"}
    assert feed[0]["text"].startswith("ann bought YES for 10.00; YES now ")


def test_fingerprint_moves_with_trades_comments_and_players(engine, client, host_headers):
    from benchcast.server.events import fingerprint

    q = create(client, host_headers)
    seen = {fingerprint(engine)}
    ann = join(client, "ann")
    seen.add(fingerprint(engine))
    buy(client, ann, q["id"], "YES", 5)
    seen.add(fingerprint(engine))
    client.post(f"/api/questions/{q['id']}/comments", json={"body": "hi"}, headers=ann)
    seen.add(fingerprint(engine))
    assert len(seen) == 4


def test_docs_are_served_without_a_cdn(client):
    page = client.get("/docs").text
    assert "cdn" not in page and "https://" not in page
    assets = [part for part in page.split('"') if part.endswith((".js", ".css"))]
    assert assets and all(client.get(a).status_code == 200 for a in assets)
