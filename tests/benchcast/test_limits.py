"""The rate limiter: `limits`' counters without a timer thread per request."""

from __future__ import annotations

import threading

from benchcast.server import limits
from benchcast.server.limits import RateLimiter


def test_hits_start_no_threads_and_stale_counters_are_swept(monkeypatch):
    started = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (started.append(self.name), real_start(self))[1])
    limiter = RateLimiter(100, 200)
    storage = limiter._limiter.storage
    started.clear()  # the base storage's one timer at construction is fine; none per hit
    assert sum(limiter.allow(f"ip:10.0.0.{k % 7}") for k in range(1000)) == 1000  # 143 a key, under the burst of 200
    assert started == []
    assert any("ip:10.0.0.1" in key for key in storage.expirations)
    for key in storage.expirations:  # every counter expires now: the next sweep must drop them
        storage.expirations[key] = 0.0
    monkeypatch.setattr(limits, "SWEEP_S", 0.0)
    limiter.allow("ip:192.0.2.1")
    assert all("10.0.0." not in key for key in storage.storage) and started == []


def test_the_limit_still_holds():
    limiter = RateLimiter(100, 200)
    assert sum(limiter.allow("ip:203.0.113.9") for _ in range(1200)) == 200
    assert RateLimiter(0, 0).allow("x") is True  # 0: no limit
