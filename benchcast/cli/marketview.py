"""How `benchcast market ...` words questions for people: close times, time left, resolutions."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_utc(text: str) -> datetime:
    """An API time (ISO, `Z` for UTC) as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def span(seconds: float) -> str:
    """A duration in words: 45 s, 12 min, 5 h, 3 days, 14 months."""
    s = abs(seconds)
    if s < 90:
        return f"{round(s)} s"
    if s < 90 * 60:
        return f"{round(s / 60)} min"
    if s < 36 * 3600:
        return f"{round(s / 3600)} h"
    if s < 60 * 86400:
        return f"{round(s / 86400)} days"
    return f"{round(s / (30.44 * 86400))} months"


def closing(q: dict, now: datetime | None = None) -> str:
    """"closes in 3 days (2027-12-31 00:00 UTC)", "closed 2 h ago (...)", or "" without a close time."""
    if not q.get("closes_at"):
        return ""
    at = parse_utc(q["closes_at"])
    left = (at - (now or datetime.now(UTC))).total_seconds()
    when = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"closes in {span(left)} ({when})" if left > 0 else f"closed {span(left)} ago ({when})"


def status(q: dict) -> str:
    """open, closed (trading stopped, not resolved yet), resolved or cancelled."""
    return "closed" if q["status"] == "open" and q.get("is_closed") else q["status"]


def resolution(res: dict | None) -> str:
    """A resolution in words: "YES", "P(YES) = 0.30", "cancelled (money refunded)"."""
    if not res:
        return ""
    if res["kind"] == "cancel":
        return "cancelled (money refunded)"
    if res.get("outcome"):
        return res["outcome"]
    p = res["probability"]
    return "probabilities " + ", ".join(f"{x:.2f}" for x in p) if isinstance(p, list) else f"P(YES) = {p:.2f}"


def prices(q: dict) -> str:
    return "  ".join(f"{o['name']} {o['price']:.1%}" for o in q["outcomes"])


def signed(x: float) -> str:
    """Money with its sign, rounded to cents: +31.28, -25.00, +0.00 (never -0.00)."""
    return f"{round(x, 2) + 0.0:+.2f}"
