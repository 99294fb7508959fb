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
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from benchcast.db.errors import InvalidRequest
from benchcast.db.models import QuestionLink
from benchcast.db.questions import NewQuestion, QuestionView, create_question, parse_time
from benchcast.db.tx import run_write
from benchcast.units import quoted

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


@dataclass(frozen=True, slots=True)
class LinkView:
    """A stored link with the model's opening forecast and, once the data decided, the decision
    and its evidence (the stored JSON document: ``{"reason": ..., "rows": [...]}``)."""

    link: Link
    model_forecast: tuple[float, ...] | None
    model_basis: str
    decided: str | None
    decided_at: datetime | None
    evidence: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A link as sent, before `parse_link` checks it against the data (see the module docstring)."""

    benchmark: str | None = None
    threshold: float | None = None
    by: str | None = None
    series: str | None = None
    settings: str | None = None
    leader: str | None = None
    metric: str | None = None
    at: str | None = None
    grace_days: int = DEFAULT_GRACE_DAYS
    auto: bool = True
    model_forecast: tuple[float, ...] | None = None  # the model's probabilities, one per outcome
    model_basis: str = ""


@dataclass(frozen=True, slots=True)
class NewLinkedQuestion:
    """What opening a data-linked question takes: money in micro-units, the close time as naive
    UTC (the HTTP edge and the CLI convert what people type)."""

    link: LinkSpec
    title: str = ""  # empty: written from the link
    outcomes: tuple[str, ...] | None = None  # leader links; empty: the three best groups now and 'other'
    mechanism: str = "lmsr"  # lmsr | cpmm
    subsidy: int = 100_000_000
    closes_at: datetime | None = None  # None: the end of the link's day, when that is still ahead
    initial_prices: tuple[float, ...] | None = None
    criteria: str = ""  # added after the criteria written from the link
    description: str = ""


def _day(value: object, field: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidRequest(f"link.{field} {quoted(str(value))} is not a date such as 2027-12-31") from None


def parse_link(raw: LinkSpec) -> Link:
    """Check a link against the data it names; InvalidRequest names the bad value."""
    grace = raw.grace_days
    if not isinstance(grace, int) or not 0 <= grace <= 3650:
        raise InvalidRequest(f"link.grace_days {grace!r} must be a whole number of days from 0 to 3650")
    auto = bool(raw.auto)
    if raw.leader is not None:
        return _leader_link(raw, grace, auto)
    if raw.benchmark is None:
        raise InvalidRequest('a link needs "benchmark", "threshold" and "by", or "leader", "metric" and "at"')
    from priors.errors import UnknownBenchmark
    from priors.history import match_benchmark
    from priors.store import load_all

    try:
        name = match_benchmark(str(raw.benchmark), load_all()["benchmark"].unique())
    except UnknownBenchmark as exc:
        raise InvalidRequest(f"link.benchmark: {exc}") from None
    t = raw.threshold
    if t is None:
        raise InvalidRequest("link.threshold is missing: the score in percent to reach, such as 98")
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t <= 100:
        raise InvalidRequest(f"link.threshold {t!r} must be a score in percent, above 0 and at most 100")
    for field, value, allowed in (("series", raw.series, SERIES), ("settings", raw.settings, SETTINGS)):
        if value is not None and value not in allowed:
            raise InvalidRequest(f"link.{field} {quoted(str(value))} is not one of {', '.join(allowed)}")
    if raw.by is None:
        raise InvalidRequest("link.by is missing: the date by which the result must exist, such as 2027-12-31")
    return Link("threshold", benchmark=name, threshold=float(t), by=_day(raw.by, "by"),
                series=raw.series or "independent", settings=raw.settings or "single_attempt",
                grace_days=grace, auto=auto)


def _leader_link(raw: LinkSpec, grace: int, auto: bool) -> Link:
    from priors.errors import UnknownBenchmark
    from priors.open_weight import match_metric, metrics
    from priors.store import load_open_weight

    if raw.leader not in ("country", "organization"):
        raise InvalidRequest(f"link.leader {quoted(str(raw.leader))} is not one of country, organization")
    try:
        metric = match_metric(str(raw.metric or "ECI"), metrics(load_open_weight()))
    except UnknownBenchmark as exc:
        raise InvalidRequest(f"link.metric: {exc}") from None
    if raw.at is None:
        raise InvalidRequest("link.at is missing: the day on which the leader counts, such as 2027-06-30")
    return Link("leader", leader=raw.leader, metric=metric, at=_day(raw.at, "at"), grace_days=grace, auto=auto)


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


def create_linked_question(engine: Engine, *, created_by: int, question_in: NewLinkedQuestion) -> QuestionView:
    """Open a question with a link: title and criteria come from the link (a given title is
    kept, given criteria are added), and the link is stored for resolution."""
    q = question_in
    link = parse_link(q.link)
    title, criteria = describe(link)
    criteria += f"\n\n{q.criteria}" if q.criteria else ""
    outcomes = q.outcomes
    if link.kind == "leader":
        outcomes = outcomes or tuple(default_outcomes(link))
        if outcomes[-1] != "other" and "other" not in outcomes:
            outcomes += ("other",)
    day = link.at if link.kind == "leader" else link.by
    closes_at = q.closes_at
    if closes_at is None and date.fromisoformat(day) >= date.today():  # type: ignore[arg-type]
        closes_at = parse_time(f"{day}T23:59:59Z")  # trading stops at the deadline; a past one leaves it open
    forecast = q.link.model_forecast
    n = len(outcomes or ("YES", "NO"))
    if forecast is not None and (len(forecast) != n or not all(0.0 <= p <= 1.0 for p in forecast)):
        raise InvalidRequest(f"link.model_forecast {list(forecast)!r} must be {n} probabilities in [0, 1], one per outcome")
    question = create_question(engine, created_by=created_by, question_in=NewQuestion(
        title=q.title or title, kind="multiple_choice" if link.kind == "leader" else "binary", outcomes=outcomes,
        mechanism=q.mechanism, subsidy=q.subsidy, closes_at=closes_at, initial_prices=q.initial_prices, criteria=criteria,
        description=q.description))

    def work(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute(insert(QuestionLink).values(
            question_id=question.id, kind=link.kind, benchmark=link.benchmark, threshold=link.threshold, by_date=link.by,
            series=link.series, settings=link.settings, leader_by=link.leader, metric=link.metric, at_date=link.at,
            grace_days=link.grace_days, is_auto=link.auto, model_forecast=json.dumps(list(forecast)) if forecast else None,
            model_basis=q.link.model_basis[:200]))

    run_write(engine, work)
    return attach_links(engine, [question])[0]


def default_outcomes(link: Link) -> list[str]:
    """The three groups whose open-weight models score best on the metric now, and 'other'."""
    from priors.store import load_open_weight

    ow = load_open_weight()
    rows = ow[(ow["metric"] == link.metric) & (ow["open_weights"] == True)]  # noqa: E712
    key = "country" if link.leader == "country" else "lab"
    ranked = rows[rows[key] != ""].groupby(key)["score"].max().sort_values(ascending=False)
    return [str(k) for k in ranked.index[:3]] + ["other"]


def link_rows(engine: Engine, question_ids: list[int] | None = None) -> dict[int, LinkView]:
    """The stored links (with model forecast, decision and evidence), keyed by question id."""
    q = select(QuestionLink)
    if question_ids is not None:
        q = q.where(QuestionLink.question_id.in_(question_ids))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return {r.question_id: LinkView(
        Link(r.kind, r.benchmark, r.threshold, r.by_date, r.series, r.settings, r.leader_by, r.metric, r.at_date, r.grace_days,
             r.is_auto),
        tuple(json.loads(r.model_forecast)) if r.model_forecast else None, r.model_basis, r.decided, r.decided_at,
        json.loads(r.evidence) if r.evidence else None) for r in rows}


def attach_links(engine: Engine, questions: list[QuestionView]) -> list[QuestionView]:
    """`questions` with their `link` filled in (None when a question has none)."""
    links = link_rows(engine, [q.id for q in questions]) if questions else {}
    return [replace(q, link=links.get(q.id)) for q in questions]


def list_with_links(engine: Engine) -> list[QuestionView]:
    """Every question with its prices and its link."""
    from benchcast.db.questions import list_questions

    return attach_links(engine, list_questions(engine))


def get_with_link(engine: Engine, question_id: int) -> QuestionView:
    """One question with its prices and its link (NotFound if there is none)."""
    from benchcast.db.questions import get_question

    return attach_links(engine, [get_question(engine, question_id)])[0]
