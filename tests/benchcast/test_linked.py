"""Data-linked questions end to end: created over HTTP, traded, resolved by `data import --db`,
with evidence, exact payouts and a passing audit (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app as cli

GPQA_LINK = {"benchmark": "GPQA Diamond", "threshold": 98, "by": "2026-12-31"}


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def join(client, name: str) -> dict[str, str]:
    r = client.post("/api/join", json={"name": name})
    assert r.status_code == 201
    return {"Authorization": f"Bearer {r.json()['token']}"}


def buy(client, headers, qid: int, outcome: str, amount: float) -> dict:
    r = client.post(f"/api/questions/{qid}/orders", json={"outcome": outcome, "side": "buy", "amount": amount}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def write_csv(path, rows: list[str]) -> str:
    path.write_text("benchmark,model,date,score,provenance,source\n" + "\n".join(rows) + "\n")
    return str(path)


def test_linked_question_resolves_yes_from_an_import(client, host_headers, db_url, tmp_path):
    r = client.post("/api/questions", json={"link": GPQA_LINK | {"model_forecast": [0.2, 0.8]}, "subsidy": 100}, headers=host_headers)
    assert r.status_code == 201, r.text
    q = r.json()
    assert q["title"] == "GPQA Diamond >= 98% by 2026-12-31" and q["kind"] == "binary"
    assert "independent series" in q["criteria"] and "single-attempt" in q["criteria"] and "30 days" in q["criteria"]
    assert q["link"]["model_forecast"] == [0.2, 0.8] and q["closes_at"] == "2026-12-31T23:59:59Z"
    alice, bob = join(client, "alice"), join(client, "bob")
    a = buy(client, alice, q["id"], "YES", 40)
    b = buy(client, bob, q["id"], "NO", 25)
    # self-reported and too-late rows do not count; the epoch_run row of 98.4 does
    csv = write_csv(tmp_path / "new.csv", [
        "GPQA Diamond,lab-claim,2026-10-01,99.0,self_reported,press release",
        "GPQA Diamond,late-model,2027-01-15,99.5,epoch_run,hub",
        "GPQA Diamond,gemini-4-ultra,2026-11-02,98.4,epoch_run,hub",
    ])
    code, out, err = run("data", "import", csv, "--db", db_url)
    assert code == 0, err
    assert "import 1: 3 results" in out and f"resolved #{q['id']} YES" in out and "gemini-4-ultra scored 98.4%" in out
    got = client.get(f"/api/questions/{q['id']}").json()
    assert got["status"] == "resolved" and got["resolution"]["outcome"] == "YES"
    assert [e["model"] for e in got["link"]["evidence"]["rows"]] == ["gemini-4-ultra"]
    assert got["link"]["evidence"]["rows"][0]["origin"] == "import 1" and got["link"]["decided"] == "YES"
    me_a, me_b = client.get("/api/me", headers=alice).json(), client.get("/api/me", headers=bob).json()
    assert me_a["balance"] == pytest.approx(1000 - 40 + a["shares"], abs=1e-6)  # each YES share paid exactly 1
    assert me_b["balance"] == pytest.approx(1000 - 25, abs=1e-6)
    assert me_a["positions"] == [] and me_b["positions"] == []
    code, out, _ = run("market", "audit", "--db", db_url)
    assert code == 0, out
    code, out, _ = run("market", "autoresolve", "--db", db_url, "--json")  # nothing left to do, nothing doubled
    assert code == 0 and json.loads(out) == {"resolved": []}
    assert b["shares"] > 0


def test_no_by_deadline_and_hand_override(client, host_headers, engine):
    from benchcast.db.autoresolve import autoresolve

    q = client.post("/api/questions", json={"link": {"benchmark": "gpqa diamond", "threshold": 99.5, "by": "2027-01-31",
                                                     "grace_days": 10}}, headers=host_headers).json()
    hand = client.post("/api/questions", json={"link": GPQA_LINK}, headers=host_headers).json()
    carol = join(client, "carol")
    buy(client, carol, q["id"], "YES", 10)
    r = client.post(f"/api/questions/{hand['id']}/resolve", json={"outcome": "YES"}, headers=host_headers)
    assert r.status_code == 200  # the host may still resolve by hand, whatever the data says
    assert autoresolve(engine, today=date(2027, 2, 10)) == []  # inside the grace period: undecided
    done = autoresolve(engine, today=date(2027, 2, 11))
    assert [(d.question_id, d.outcome) for d in done] == [(q["id"], "NO")]
    assert "best 94.6% by gpt-5.4-pro-2026-03-05_xhigh" in done[0].reason
    assert client.get("/api/me", headers=carol).json()["balance"] == pytest.approx(990.0, abs=1e-6)
    assert client.get(f"/api/questions/{hand['id']}").json()["resolution"]["outcome"] == "YES"


def test_leader_link_and_bad_links(client, host_headers, engine):
    from benchcast.db.autoresolve import autoresolve

    r = client.post("/api/questions", json={"link": {"leader": "country", "metric": "ECI", "at": "2025-06-30"}}, headers=host_headers)
    assert r.status_code == 201, r.text
    q = r.json()
    assert q["kind"] == "multiple_choice" and q["outcomes"][-1]["name"] == "other"
    assert q["title"] == "Which country holds the top open-weight model (ECI) on 2025-06-30?"
    done = autoresolve(engine, today=date(2026, 12, 1))
    assert [d.outcome for d in done] == ["CN"]
    bad = client.post("/api/questions", json={"link": {"benchmark": "GPQA Diamnd", "threshold": 98, "by": "2026-12-31"}}, headers=host_headers)
    assert bad.status_code == 400 and bad.json()["detail"] == "link.benchmark: unknown benchmark 'GPQA Diamnd'; did you mean 'GPQA Diamond'?"
    bad = client.post("/api/questions", json={"link": GPQA_LINK | {"threshold": 120}}, headers=host_headers)
    assert bad.status_code == 400 and bad.json()["detail"] == "link.threshold 120.0 must be a score in percent, above 0 and at most 100"
    bad = client.post("/api/questions", json={"link": {"benchmark": "GPQA Diamond", "by": "2026-12-31"}}, headers=host_headers)
    assert bad.status_code == 400 and bad.json()["detail"] == "link.threshold is missing: the score in percent to reach, such as 98"
    bad = client.post("/api/questions", json={"link": GPQA_LINK | {"by": "2026-13-01"}}, headers=host_headers)
    assert bad.status_code == 400 and bad.json()["detail"] == "link.by '2026-13-01' is not a date such as 2027-12-31"
    assert len(client.get("/api/questions").json()) == 1  # rejected requests created nothing
    seeded = client.post("/api/questions", headers=host_headers, json={  # how `market seed` opens one
        "title": "Humanity's Last Exam best score >= 50% by 2027-12-31", "initial_prices": [0.43, 0.57],
        "link": {"benchmark": "Humanity's Last Exam", "threshold": 50, "by": "2027-12-31", "model_forecast": [0.433, 0.567]}})
    assert seeded.status_code == 201, seeded.text
    s = seeded.json()
    assert s["title"] == "Humanity's Last Exam best score >= 50% by 2027-12-31" and s["outcomes"][0]["price"] == 0.43
    assert s["criteria"].startswith("YES if benchcast's data (shipped plus imported results) holds a result of 50% or more on Humanity's Last Exam")


def test_serve_resolves_periodically(engine, tmp_path):
    import time

    from benchcast.db import users
    from benchcast.db.autoresolve import start_periodic
    from benchcast.db.linked import LinkSpec, NewLinkedQuestion, create_linked_question
    from benchcast.db.questions import get_question

    host = users.ensure_host(engine, "host-token-periodic-0123456789").id
    q = create_linked_question(engine, created_by=host, question_in=NewLinkedQuestion(
        LinkSpec(benchmark="GPQA Diamond", threshold=90, by="2027-06-30"), subsidy=10_000_000))
    seen: list = []
    stop = start_periodic(engine, 0.05, report=seen.append)
    try:
        for _ in range(200):
            if seen:
                break
            time.sleep(0.05)
    finally:
        stop.set()
    # the shipped 94.6% (epoch_run, 2026-03-05) already settles ">= 90 by 2027-06-30"
    assert [(r.question_id, r.outcome) for r in seen[0]] == [(q.id, "YES")]
    assert get_question(engine, q.id).status == "resolved"
