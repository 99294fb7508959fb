"""Data-linked questions: a question tied to the benchmark data, with its title and criteria
written from the link, so that `db/autoresolve.py` can resolve it from the data.

Two kinds of link:

- threshold: ``{"benchmark": "GPQA Diamond", "threshold": 98, "by": "2026-12-31"}`` is a binary
  question: YES when a qualifying result of at least ``threshold`` percent, for a model dated on
  or before ``by``, is in the data; NO once ``by`` plus ``grace_days`` has passed without one.
  ``series`` says which results qualify: ``independent`` (every result not marked
  ``self_reported``: Epoch AI's runs, compilations, your own rows), ``self_reported`` or
  ``any``; ``settings``: ``single_attempt`` (no cons@64, pass@k > 1, parallel compute) or ``any``.
- leader: ``{"leader": "country", "metric": "ECI", "at": "2027-06-30"}`` is a multiple-choice
  question: which country (or organization) holds the best open-weight score of the metric on
  ``at``, decided once ``at`` plus ``grace_days`` has passed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from benchcast.db.errors import InvalidRequest
from benchcast.db.models import QuestionLink
from benchcast.db.questions import NewQuestion, create_question, parse_time
from benchcast.db.tx import run_write
from benchcast.units import quoted, to_micro

SERIES = {"independent": "the independent series (every result not self-reported by its lab)",
          "self_reported": "the labs' self-reported series", "any": "any series (independent or self-reported)"}
SETTINGS = {"single_attempt": "single-attempt settings only (no majority votes, pass@k > 1 or parallel compute)",
            "any": "any setting"}
DEFAULT_GRACE_DAYS = 30


@dataclass(frozen=True)
class Link:
    """A validated link (see the module docstring)."""

    kind: str
    benchmark: str | None = None
    threshold: float | None = None
    by: str | None = None
    series: str = "independent"
    settings: str = "single_attempt"
    leader: str | None = None
    metric: str | None = None
    at: str | None = None
    grace_days: int = DEFAULT_GRACE_DAYS
    auto: bool = True

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _day(value: object, field: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidRequest(f"link.{field} {quoted(str(value))} is not a date such as 2027-12-31") from None


def parse_link(raw: dict) -> Link:
    """Check a link against the data it names; InvalidRequest names the bad value."""
    grace = raw.get("grace_days", DEFAULT_GRACE_DAYS)
    if not isinstance(grace, int) or not 0 <= grace <= 3650:
        raise InvalidRequest(f"link.grace_days {grace!r} must be a whole number of days from 0 to 3650")
    auto = bool(raw.get("auto", True))
    if raw.get("leader") is not None:
        return _leader_link(raw, grace, auto)
    if raw.get("benchmark") is None:
        raise InvalidRequest('a link needs "benchmark", "threshold" and "by", or "leader", "metric" and "at"')
    from priors.errors import UnknownBenchmark
    from priors.history import match_benchmark
    from priors.store import load_all

    try:
        name = match_benchmark(str(raw["benchmark"]), load_all()["benchmark"].unique())
    except UnknownBenchmark as exc:
        raise InvalidRequest(f"link.benchmark: {exc}") from None
    t = raw.get("threshold")
    if t is None:
        raise InvalidRequest("link.threshold is missing: the score in percent to reach, such as 98")
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t <= 100:
        raise InvalidRequest(f"link.threshold {t!r} must be a score in percent, above 0 and at most 100")
    for field, allowed in (("series", SERIES), ("settings", SETTINGS)):
        if raw.get(field) is not None and raw[field] not in allowed:
            raise InvalidRequest(f"link.{field} {quoted(str(raw[field]))} is not one of {', '.join(allowed)}")
    if raw.get("by") is None:
        raise InvalidRequest("link.by is missing: the date by which the result must exist, such as 2027-12-31")
    return Link("threshold", benchmark=name, threshold=float(t), by=_day(raw["by"], "by"),
                series=raw.get("series") or "independent", settings=raw.get("settings") or "single_attempt",
                grace_days=grace, auto=auto)


def _leader_link(raw: dict, grace: int, auto: bool) -> Link:
    from priors.errors import UnknownBenchmark
    from priors.open_weight import match_metric, metrics
    from priors.store import load_open_weight

    if raw["leader"] not in ("country", "organization"):
        raise InvalidRequest(f"link.leader {quoted(str(raw['leader']))} is not one of country, organization")
    try:
        metric = match_metric(str(raw.get("metric") or "ECI"), metrics(load_open_weight()))
    except UnknownBenchmark as exc:
        raise InvalidRequest(f"link.metric: {exc}") from None
    if raw.get("at") is None:
        raise InvalidRequest("link.at is missing: the day on which the leader counts, such as 2027-06-30")
    return Link("leader", leader=raw["leader"], metric=metric, at=_day(raw["at"], "at"), grace_days=grace, auto=auto)


def describe(link: Link) -> tuple[str, str]:
    """The title and resolution criteria a link implies."""
    if link.kind == "leader":
        short = link.metric.split(" (")[0] if link.metric else ""
        title = f"Which {link.leader} holds the top open-weight model ({short}) on {link.at}?"
        criteria = (f"The {link.leader} of the lab of the open-weight model with the highest {link.metric} score "
                    f"dated on or before {link.at}, in benchcast's data (shipped plus imported results; open weights "
                    f"as the data marks them). 'other' if that {link.leader} is not listed. Resolved from the data "
                    f"{link.grace_days} days after {link.at}, so late results count; the first to reach a tied score wins.")
        return title, criteria
    series = "" if link.series == "independent" else f", {link.series.replace('_', '-')} results"
    title = f"{link.benchmark} >= {link.threshold:g}% by {link.by}{series}"
    criteria = (f"YES if benchcast's data (shipped plus imported results) holds a result of {link.threshold:g}% or more "
                f"on {link.benchmark} for a model dated on or before {link.by}, counting {SERIES[link.series]} "
                f"and {SETTINGS[link.settings]}. NO if none is there {link.grace_days} days after {link.by} "
                f"(the grace period for results published late). Resolved from the data; the deciding rows are shown.")
    return title, criteria


def create_linked_question(engine: Engine, *, created_by: int, spec: dict) -> dict:
    """Open a question from `spec` with a ``link``: title and criteria come from the link
    (a given title is kept), and the link is stored for resolution."""
    link = parse_link(spec["link"])
    title, criteria = describe(link)
    spec = dict(spec)
    spec["title"] = spec.get("title") or title
    spec["criteria"] = criteria + (f"\n\n{spec['criteria']}" if spec.get("criteria") else "")
    if link.kind == "leader":
        spec["kind"] = "multiple_choice"
        spec["outcomes"] = spec.get("outcomes") or default_outcomes(link)
        if spec["outcomes"][-1] != "other" and "other" not in spec["outcomes"]:
            spec["outcomes"] = list(spec["outcomes"]) + ["other"]
    else:
        spec["kind"] = "binary"
    day = link.at if link.kind == "leader" else link.by
    if not spec.get("closes_at") and date.fromisoformat(day) >= date.today():
        spec["closes_at"] = f"{day}T23:59:59Z"  # trading stops at the deadline; a past one leaves it open
    forecast = spec["link"].get("model_forecast")
    n = len(spec.get("outcomes") or ["YES", "NO"])
    if forecast is not None and (len(forecast) != n or not all(0.0 <= p <= 1.0 for p in forecast)):
        raise InvalidRequest(f"link.model_forecast {forecast!r} must be {n} probabilities in [0, 1], one per outcome")
    q = create_question(engine, created_by=created_by, question_in=NewQuestion(
        title=spec["title"], kind=spec["kind"], outcomes=tuple(spec["outcomes"]) if spec.get("outcomes") else None,
        mechanism=spec.get("mechanism", "lmsr"), subsidy=to_micro(spec.get("subsidy", 100.0), "subsidy"),
        closes_at=parse_time(spec.get("closes_at")),
        initial_prices=tuple(spec["initial_prices"]) if spec.get("initial_prices") else None,
        criteria=spec.get("criteria") or "", description=spec.get("description") or ""))

    def work(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute(insert(QuestionLink).values(
            question_id=q["id"], kind=link.kind, benchmark=link.benchmark, threshold=link.threshold, by_date=link.by,
            series=link.series, settings=link.settings, leader_by=link.leader, metric=link.metric, at_date=link.at,
            grace_days=link.grace_days, is_auto=link.auto, model_forecast=json.dumps(forecast) if forecast else None,
            model_basis=str(spec["link"].get("model_basis") or "")[:200]))

    run_write(engine, work)
    return attach_links(engine, [q])[0]


def default_outcomes(link: Link) -> list[str]:
    """The three groups whose open-weight models score best on the metric now, and 'other'."""
    from priors.store import load_open_weight

    ow = load_open_weight()
    rows = ow[(ow["metric"] == link.metric) & (ow["open_weights"] == True)]  # noqa: E712
    key = "country" if link.leader == "country" else "lab"
    ranked = rows[rows[key] != ""].groupby(key)["score"].max().sort_values(ascending=False)
    return [str(k) for k in ranked.index[:3]] + ["other"]


def link_rows(engine: Engine, question_ids: list[int] | None = None) -> dict[int, dict]:
    """The stored links (with model forecast, decision and evidence), keyed by question id."""
    q = select(QuestionLink)
    if question_ids is not None:
        q = q.where(QuestionLink.question_id.in_(question_ids))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    out = {}
    for r in rows:
        d = Link(r["kind"], r["benchmark"], r["threshold"], r["by_date"], r["series"], r["settings"], r["leader_by"],
                 r["metric"], r["at_date"], r["grace_days"], r["is_auto"]).to_dict()
        d["model_forecast"] = json.loads(r["model_forecast"]) if r["model_forecast"] else None
        d["model_basis"] = r["model_basis"]
        d["decided"] = r["decided"]
        d["decided_at"] = r["decided_at"].isoformat() + "Z" if r["decided_at"] else None
        d["evidence"] = json.loads(r["evidence"]) if r["evidence"] else None
        out[r["question_id"]] = d
    return out


def attach_links(engine: Engine, questions: list[dict]) -> list[dict]:
    """`questions` with a ``link`` entry (None when a question has none)."""
    links = link_rows(engine, [q["id"] for q in questions]) if questions else {}
    return [q | {"link": links.get(q["id"])} for q in questions]


def list_with_links(engine: Engine) -> list[dict]:
    """Every question with its prices and its link."""
    from benchcast.db.questions import list_questions

    return attach_links(engine, list_questions(engine))


def get_with_link(engine: Engine, question_id: int) -> dict:
    """One question with its prices and its link (NotFound if there is none)."""
    from benchcast.db.questions import get_question

    return attach_links(engine, [get_question(engine, question_id)])[0]
