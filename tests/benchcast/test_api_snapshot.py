"""The JSON the server answers stays byte for byte what it was when the services returned dicts.

`data/api_snapshot_{sqlite,postgresql}.json` were recorded with the code before the read
services became typed (commit 86c3d7e): a session with binary, multiple-choice, CPMM and data-linked questions,
trades, a resting and a cancelled limit order, comments, three kinds of resolution, a decision
from the data with its evidence, a removed player. Every response body is compared as text
(times and tokens replaced by placeholders, since they differ from run to run). Run this file
with ``BENCHCAST_RECORD_SNAPSHOT=1`` to record it again (only when an answer is meant to change).
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pandas as pd

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
TOKEN = re.compile(r'(token[=":]+)[A-Za-z0-9_\-]{20,}')


def _normal(text: str) -> str:
    return TOKEN.sub(r"\1<token>", TIME.sub("<time>", text))


def _results() -> pd.DataFrame:
    """Benchmark results for the data decision (fixed here, so the shipped data cannot move the snapshot)."""
    rows = [("GPQA Diamond", "model-a", "2024-03-01", 61.5, "epoch_run", "accuracy", "OpenAI", "US", "hub"),
            ("GPQA Diamond", "model-b", "2024-06-01", 72.25, "epoch_run", "accuracy", "Anthropic", "US", "hub"),
            ("GPQA Diamond", "claim", "2024-05-01", 80.0, "self_reported", "accuracy", "Lab", "FR", "press")]
    df = pd.DataFrame(rows, columns=["benchmark", "model", "date", "score", "provenance", "score_column", "organization",
                                     "country", "source"])
    df["date"] = pd.to_datetime(df["date"])
    df["import_id"] = None
    return df


def _scenario(client, host: dict, engine) -> list[tuple[str, int, str]]:
    """Every route's answer in one session, as (request, status, body)."""
    from benchcast.db.autoresolve import autoresolve

    seen: list[tuple[str, int, str]] = []

    def call(method: str, path: str, headers: dict | None = None, body: dict | None = None) -> dict | list:
        r = client.request(method, path, headers=headers, json=body)
        seen.append((f"{method} {path} {json.dumps(body, sort_keys=True) if body else ''}".strip(), r.status_code, _normal(r.text)))
        return r.json()

    def joined(name: str) -> dict:
        return {"Authorization": f"Bearer {call('POST', '/api/join', body={'name': name})['token']}"}

    yes = call("POST", "/api/questions", host, {"title": "SWE-bench Verified >= 90% by 2030-06-30", "subsidy": 100,
                                                 "criteria": "the leaderboard", "description": "Some *markdown* and <b>html</b>",
                                                 "closes_at": "2030-06-30T00:00:00Z"})
    mc = call("POST", "/api/questions", host, {"title": "First to 95% on GPQA", "kind": "multiple_choice",
                                                "outcomes": ["A", "B", "C"], "initial_prices": [0.5, 0.3, 0.2], "subsidy": 250})
    cp = call("POST", "/api/questions", host, {"title": "A CPMM market", "mechanism": "cpmm", "subsidy": 80})
    gone = call("POST", "/api/questions", host, {"title": "Cancelled later", "subsidy": 50})
    link = call("POST", "/api/questions", host, {"link": {"benchmark": "GPQA Diamond", "threshold": 70, "by": "2024-12-31",
                                                          "model_forecast": [0.6, 0.4], "model_basis": "a test"}, "subsidy": 60})
    lead = call("POST", "/api/questions", host, {"link": {"leader": "country", "metric": "ECI", "at": "2030-06-30"},
                                                 "outcomes": ["US", "CN", "other"], "subsidy": 90})
    ann, bob, cy = joined("ann"), joined("bob"), joined("Cy")
    call("POST", f"/api/questions/{yes['id']}/quote", ann, {"outcome": "YES", "side": "buy", "amount": 12.5})
    call("POST", f"/api/questions/{yes['id']}/quote", ann, {"outcome": "NO", "side": "buy", "amount": 5, "limit_price": 0.2,
                                                             "resting": True})
    a1 = call("POST", f"/api/questions/{yes['id']}/orders", ann, {"outcome": "YES", "side": "buy", "amount": 12.5})
    call("POST", f"/api/questions/{yes['id']}/orders", bob, {"outcome": "no", "side": "buy", "amount": 7.25,
                                                              "idempotency_key": "k1"})
    call("POST", f"/api/questions/{yes['id']}/orders", bob, {"outcome": "no", "side": "buy", "amount": 7.25,
                                                              "idempotency_key": "k1"})
    call("POST", f"/api/questions/{yes['id']}/orders", ann, {"outcome": "YES", "side": "sell", "shares": a1["shares"] / 3})
    rest = call("POST", f"/api/questions/{yes['id']}/orders", cy, {"outcome": "YES", "side": "buy", "amount": 20,
                                                                   "limit_price": 0.3, "resting": True})
    call("POST", f"/api/questions/{yes['id']}/orders", cy, {"outcome": "NO", "side": "buy", "amount": 4, "limit_price": 0.2,
                                                             "resting": True})
    call("POST", f"/api/orders/{rest['order_id']}/cancel", cy)
    for who, q, outcome, amount in [(ann, mc, "B", 30), (bob, mc, "C", 11), (cy, mc, "A", 3.3), (ann, cp, "YES", 9),
                                    (bob, cp, "NO", 14), (cy, gone, "YES", 6), (ann, link, "NO", 8), (bob, link, "YES", 5),
                                    (cy, lead, "CN", 7), (ann, lead, "US", 2)]:
        call("POST", f"/api/questions/{q['id']}/orders", who, {"outcome": outcome, "side": "buy", "amount": amount})
    call("POST", f"/api/questions/{mc['id']}/comments", ann, {"body": "  B looks likely  "})
    call("POST", f"/api/questions/{mc['id']}/comments", bob, {"body": "x" * 100})
    call("POST", f"/api/questions/{yes['id']}/comments", cy, {"body": "<script>no</script>"})
    call("POST", f"/api/questions/{mc['id']}/resolve", host, {"outcome": "b"})
    call("POST", f"/api/questions/{cp['id']}/resolve", host, {"probability": 0.3})
    call("POST", f"/api/questions/{gone['id']}/resolve", host, {"cancel": True})
    done = autoresolve(engine, today=date(2026, 1, 1), results=_results(), open_weight=_results().iloc[0:0])
    assert [d.outcome for d in done] == ["YES"]
    for who in (ann, bob, cy, host):
        call("GET", "/api/me", who)
        call("GET", "/api/me/history", who)
    call("DELETE", "/api/players/bob", host)
    call("GET", "/api/leaderboard")
    call("GET", "/api/players", host)
    call("GET", "/api/questions")
    for q in (yes, mc, cp, gone, link, lead):
        for tail in ("", "/history", "/payouts", "/comments"):
            call("GET", f"/api/questions/{q['id']}{tail}")
    call("GET", "/api/activity")
    call("GET", f"/api/activity?question_id={yes['id']}&limit=3")
    return seen


def test_answers_are_unchanged(client, host_headers, engine):
    seen = _scenario(client, host_headers, engine)
    snapshot = Path(__file__).parent / "data" / f"api_snapshot_{engine.dialect.name}.json"  # PostgreSQL skips order ids
    if os.environ.get("BENCHCAST_RECORD_SNAPSHOT"):
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(json.dumps(seen, indent=1, ensure_ascii=False) + "\n")
    recorded = [tuple(x) for x in json.loads(snapshot.read_text())]
    assert len(seen) == len(recorded)
    for got, want in zip(seen, recorded):
        assert got == want


def test_the_normalisation_leaves_the_numbers() -> None:
    text = '{"at":"2026-12-02T20:00:00.123456Z","token":"abcdefghijklmnopqrstuvwxyz012345","cost":12.5}'
    assert _normal(text) == '{"at":"<time>","token":"<token>","cost":12.5}'
