"""Outcome names as people type them: `yes`, ` Yes ` and `YES` all name the outcome YES.

Names are matched exactly first, then after NFKC and case folding; an unknown name passes
through unchanged so the engine words the refusal. A question's outcomes never change, so
they are cached per database and question.
"""

from __future__ import annotations

import threading
import unicodedata

from sqlalchemy import select
from sqlalchemy.engine import Engine

from benchcast.db.engine import database_name
from benchcast.db.models import Outcome

_CACHE: dict[tuple[str, int], tuple[str, ...]] = {}
_LOCK = threading.Lock()


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def outcome_names(engine: Engine, question_id: int) -> tuple[str, ...]:
    """The outcomes of a question in order (empty if it does not exist; not cached then)."""
    key = (database_name(engine), question_id)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    with engine.connect() as conn:
        names = tuple(r.name for r in conn.execute(select(Outcome.name).where(Outcome.question_id == question_id).order_by(Outcome.idx)))
    if names:
        with _LOCK:
            _CACHE[key] = names
    return names


def canonical(engine: Engine, question_id: int, name: str | None) -> str | None:
    """The outcome of `question_id` that `name` means, ignoring case; `name` itself if none does."""
    if name is None:
        return None
    names = outcome_names(engine, question_id)
    if name in names:
        return name
    folded = _fold(name)
    matches = [n for n in names if _fold(n) == folded]
    return matches[0] if len(matches) == 1 else name
