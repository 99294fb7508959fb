"""Server-Sent Events from a real server process: a change event follows every write."""

from __future__ import annotations

import time

import httpx

from benchcast.server.process import ServerProcess

TOKEN = "host-token-events-test-0123456789"


def _next_change(lines) -> str:  # type: ignore[no-untyped-def]
    event = None
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "change":
            return line.split(":", 1)[1].strip()
    raise AssertionError("the stream ended")


def test_events_stream_a_change_after_each_write(tmp_path):
    with ServerProcess(f"sqlite:///{tmp_path / 'ev.db'}", TOKEN) as s, httpx.Client(base_url=s.url, timeout=10) as c:
        with c.stream("GET", "/api/events") as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            lines = r.iter_lines()
            first = _next_change(lines)
            start = time.monotonic()
            c.post("/api/join", json={"name": "ann"}).raise_for_status()
            second = _next_change(lines)
            assert second != first and time.monotonic() - start < 2.0
            c.post("/api/questions", json={"title": "T"}, headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()
            assert _next_change(lines) not in (first, second)
