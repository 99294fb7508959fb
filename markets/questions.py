"""Questions: binary, multiple choice (2 to 20 outcomes), numeric and date buckets.

A question is a frozen value. Numeric and date questions are ordered buckets: ``edges``
``e_1 < ... < e_k`` cut the line into ``k + 1`` outcomes ``(-inf, e_1), [e_1, e_2), ...,
[e_k, +inf)``; `bucket_for` maps an observed value to its outcome, for resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from markets.errors import InvalidQuestion, UnknownOutcome

KINDS = ("binary", "multiple_choice", "numeric", "date")
MAX_OUTCOMES = 20
BINARY_OUTCOMES = ("YES", "NO")


@dataclass(frozen=True, slots=True)
class Question:
    """What a market trades on.

    Attributes
    ----------
    title : the question, e.g. "Will a model score >= 80% on FrontierMath v2 by 2027?"
    kind : one of ``KINDS``
    outcomes : outcome labels, unique; ``("YES", "NO")`` for binary
    criteria : how it resolves
    closes_at : trading stops at this time (None: never, until resolved)
    source : optional link to the resolution source
    edges : bucket boundaries of numeric (floats) or date (ISO strings) questions
    """

    title: str
    kind: str
    outcomes: tuple[str, ...]
    criteria: str = ""
    closes_at: datetime | None = None
    source: str | None = None
    edges: tuple[float | str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcomes", tuple(self.outcomes))
        object.__setattr__(self, "edges", tuple(self.edges))
        _check(self)

    def index(self, outcome: str) -> int:
        """Position of `outcome` in ``outcomes``; raise UnknownOutcome if absent."""
        try:
            return self.outcomes.index(outcome)
        except ValueError:
            raise UnknownOutcome(
                f"outcome {outcome!r} is not one of {list(self.outcomes)} of {self.title!r}",
                outcome=outcome, choices=self.outcomes) from None


def _check(q: Question) -> None:
    if not isinstance(q.title, str) or not q.title.strip():
        raise InvalidQuestion(f"title {q.title!r} must be a non-empty string")
    if q.kind not in KINDS:
        raise InvalidQuestion(f"kind {q.kind!r} is not one of {list(KINDS)}")
    n = len(q.outcomes)
    if not 2 <= n <= MAX_OUTCOMES:
        raise InvalidQuestion(f"{n} outcomes for {q.title!r}: a question has 2 to {MAX_OUTCOMES}")
    for o in q.outcomes:
        if not isinstance(o, str) or not o.strip():
            raise InvalidQuestion(f"outcome {o!r} must be a non-empty string")
    if len(set(q.outcomes)) != n:
        raise InvalidQuestion(f"outcomes {', '.join(q.outcomes)} are not unique")
    if q.kind == "binary" and q.outcomes != BINARY_OUTCOMES:
        raise InvalidQuestion(f"a binary question has outcomes {BINARY_OUTCOMES}, not {q.outcomes}")
    if q.kind in ("numeric", "date"):
        if len(q.edges) != n - 1:
            raise InvalidQuestion(f"{len(q.edges)} edges for {n} buckets: need {n - 1}")
        keys = _edge_keys(tuple(_edge_value(e, q.kind) for e in q.edges), q.kind)
        if any(a >= b for a, b in zip(keys, keys[1:])):
            raise InvalidQuestion(f"edges {list(q.edges)} must be strictly increasing")
    if q.kind not in ("numeric", "date") and q.edges:
        raise InvalidQuestion(f"a {q.kind} question has no bucket edges, got {q.edges}")
    if q.closes_at is not None and not isinstance(q.closes_at, datetime):
        raise InvalidQuestion(f"closes_at {q.closes_at!r} must be a datetime or None")
    if q.source is not None and not isinstance(q.source, str):
        raise InvalidQuestion(f"source {q.source!r} must be a string or None")


def binary_question(title: str, *, criteria: str = "", closes_at: datetime | None = None,
                    source: str | None = None) -> Question:
    """A YES/NO question."""
    return Question(title, "binary", BINARY_OUTCOMES, criteria, closes_at, source)


def multiple_choice_question(title: str, outcomes: Sequence[str], *, criteria: str = "",
                             closes_at: datetime | None = None,
                             source: str | None = None) -> Question:
    """A question with 2 to 20 mutually exclusive outcomes."""
    return Question(title, "multiple_choice", tuple(outcomes), criteria, closes_at, source)


def _edge_value(edge: float | str | date, kind: str) -> float | str:
    if kind == "date":
        if isinstance(edge, datetime):
            return edge.date().isoformat()
        if isinstance(edge, date):
            return edge.isoformat()
        if isinstance(edge, str):
            try:
                date.fromisoformat(edge)
            except ValueError:
                raise InvalidQuestion(f"date edge {edge!r} is not an ISO date") from None
            return edge
        raise InvalidQuestion(f"date edge {edge!r} must be a date or an ISO string")
    if isinstance(edge, bool) or not isinstance(edge, (int, float)) or not math.isfinite(edge):
        raise InvalidQuestion(f"numeric edge {edge!r} must be a finite number")
    return float(edge)


def _edge_keys(values: tuple[float | str, ...], kind: str) -> list:
    return [date.fromisoformat(v) if kind == "date" else v for v in values]  # type: ignore[arg-type]


def bucket_question(title: str, edges: Sequence[float | str | date], *, kind: str = "numeric",
                    labels: Sequence[str] | None = None, criteria: str = "",
                    closes_at: datetime | None = None, source: str | None = None) -> Question:
    """A numeric or date question as ordered buckets cut at `edges` (strictly increasing).

    Default labels are ``"< e1"``, ``"e1 to e2"``, ..., ``">= ek"``; pass `labels` for
    friendlier ones (e.g. ``["2026", "2027", "2028", "later"]`` with yearly date edges).
    """
    if kind not in ("numeric", "date"):
        raise InvalidQuestion(f"bucket kind {kind!r} must be 'numeric' or 'date'")
    values = tuple(_edge_value(e, kind) for e in edges)
    if not values:
        raise InvalidQuestion("a bucket question needs at least one edge")
    if labels is None:
        shown = [format(v, "g") if isinstance(v, float) else v for v in values]
        labels = ([f"< {shown[0]}"] + [f"{a} to {b}" for a, b in zip(shown, shown[1:])]
                  + [f">= {shown[-1]}"])
    return Question(title, kind, tuple(labels), criteria, closes_at, source, values)


def bucket_for(question: Question, value: float | str | date) -> str:
    """The outcome (bucket label) an observed value falls in: bucket i holds [e_i, e_i+1)."""
    if question.kind not in ("numeric", "date"):
        raise InvalidQuestion(f"{question.title!r} is {question.kind}, not a bucket question")
    key = _edge_keys((_edge_value(value, question.kind),), question.kind)[0]
    edges = _edge_keys(question.edges, question.kind)
    i = sum(1 for e in edges if key >= e)
    return question.outcomes[i]
