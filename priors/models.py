"""Model names: one key per model across benchmarks, sources and settings.

The shipped data names one model many ways: ``claude-opus-4-5-20251101_32K`` (Epoch's runs,
with a thinking budget), ``Claude Opus 4.5`` (a lab's own table), ``chutes/Qwen3-235B-A22B``
(a hosting provider). A capability index needs them to be one model. The rules, in order:

1. **normalise**: lower case; a provider prefix (``chutes/``, ``qwen/``) dropped; spaces, dots,
   underscores between words, parentheses and repeated dashes become single dashes
   (``Claude 3.5 Sonnet`` and ``claude-3-5-sonnet`` meet).
2. **settings**: effort and budget suffixes (``_high``, ``_xhigh``, ``_32K``, ``_unknown``,
   ``(24K thinking)``, ``-webapp``) are settings of one model, not models: dropped. The index
   takes a model's best score over its settings, as Epoch's index gives every setting one value.
3. **aliases**: ``priors/data/model_aliases.csv`` maps a normalised name to another
   (``LLaMa-1 7B`` is ``LLaMA-7B``), for names no rule can join.
4. **snapshots**: a trailing date or version (``-20240620``, ``-2024-08-06``, ``-0613``,
   ``-001``) names one snapshot of a model. Snapshots are different models (GPT-4o of May and
   of November 2024 differ), so a dated name stays as it is; a name *without* a snapshot whose
   base has dated siblings (``GPT-4o`` of 2024-08-06) links to the sibling released nearest its
   own date, within `SNAPSHOT_WINDOW_DAYS`, else it stays on its own.

`ModelResolver` applies them against a reference list of names (with dates); `resolve_frame`
adds a ``model_key`` column to a results table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from priors.errors import DataFileError
from priors.history import data_path

ALIAS_FILE = "model_aliases.csv"
#: How far a snapshot's date may be from an undated name's date for the two to be one model.
SNAPSHOT_WINDOW_DAYS = 31

_PROVIDER = re.compile(r"^[a-z0-9][a-z0-9_.-]*/")
_THINKING = re.compile(r"\s*\(\s*\d+k\s+thinking\s*\)\s*$", re.IGNORECASE)
_EFFORT = re.compile(r"_(?:x?high|low|medium|max|minimal|none|unknown|\d+k)$", re.IGNORECASE)
_SETTING = re.compile(r"-(?:web-?app|customtools)$")
_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3})$")


def strip_settings(name: str) -> str:
    """`name` without its effort, thinking-budget or interface suffixes (case kept)."""
    out = name.strip()
    while True:
        new = _EFFORT.sub("", _THINKING.sub("", out))
        if new == out:
            return out
        out = new


def normalise(name: str) -> str:
    """The normalised key of a model name: rules 1 and 2 of the module docstring."""
    key = strip_settings(name).lower()
    key = _PROVIDER.sub("", key)
    key = re.sub(r"[\s._()\[\],:]+", "-", key)
    key = re.sub(r"-{2,}", "-", key).strip("-")
    while True:
        new = _SETTING.sub("", key)
        if new == key:
            break
        key = new
    return key.removesuffix("-hf")


def split_snapshot(key: str) -> tuple[str, str | None]:
    """(base, snapshot) of a normalised key; snapshot is None when the key has none."""
    m = _SNAPSHOT.search(key)
    if m is None or m.start() == 0:
        return key, None
    return key[: m.start()], m.group(1)


def load_aliases(source: str | None = None) -> dict[str, str]:
    """The shipped alias table as {normalised alias: normalised model}."""
    path = data_path(ALIAS_FILE) if source is None else source
    table = pd.read_csv(path, keep_default_na=False, comment="#")
    if list(table.columns[:2]) != ["alias", "model"]:
        raise DataFileError(f"{path}: header must start with alias,model; got {','.join(table.columns)}")
    out = {}
    for row in table.itertuples(index=False):
        a, m = normalise(row.alias), normalise(row.model)
        if not a or not m or a == m:
            raise DataFileError(f"{path}: alias row {row.alias!r} -> {row.model!r} maps nothing")
        out[a] = m
    return out


@dataclass(frozen=True)
class ModelResolver:
    """Resolves model names to keys against reference names with release dates.

    Parameters
    ----------
    dated
        Normalised dated keys (with a snapshot) known to the reference, with their dates,
        grouped by base: ``{base: ((key, date), ...)}``.
    known
        Every key the reference resolves to.
    aliases
        ``{normalised alias: normalised model}``.
    """

    dated: dict[str, tuple[tuple[str, date], ...]]
    known: frozenset[str]
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_names(cls, names: Iterable[tuple[str, date | pd.Timestamp]],
                   aliases: dict[str, str] | None = None) -> ModelResolver:
        """A resolver whose reference is `names`: (model name, release date) pairs."""
        aliases = load_aliases() if aliases is None else aliases
        pairs = [(str(n), d) for n, d in names]
        dated: dict[str, dict[str, date]] = {}
        keys = set()
        for name, day in pairs:
            key = _aliased(normalise(name), aliases)
            keys.add(key)
            base, snap = split_snapshot(key)
            if snap is not None:
                dated.setdefault(base, {})[key] = pd.Timestamp(day).date()
        grouped = {b: tuple(sorted(d.items(), key=lambda kv: kv[1])) for b, d in dated.items()}
        resolver = cls(grouped, frozenset(), aliases)
        known = {resolver._link(_aliased(normalise(n), aliases), pd.Timestamp(d).date()) for n, d in pairs}
        return cls(grouped, frozenset(known | keys), aliases)

    def _link(self, key: str, day: date | None) -> str:
        base, snap = split_snapshot(key)
        if snap is not None:
            return key
        siblings = self.dated.get(key, ())
        if not siblings or day is None:
            return key
        best, when = min(siblings, key=lambda kv: abs((kv[1] - day).days))
        return best if abs((when - day).days) <= SNAPSHOT_WINDOW_DAYS else key

    def key(self, name: str, day: date | pd.Timestamp | None = None) -> str:
        """The key of `name` (released on `day`, which picks among snapshots), known or not."""
        d = pd.Timestamp(day).date() if day is not None else None
        return self._link(_aliased(normalise(name), self.aliases), d)

    def resolve(self, name: str, day: date | pd.Timestamp | None = None) -> str | None:
        """The key of `name` if the reference knows it, else None."""
        k = self.key(name, day)
        return k if k in self.known else None


def _aliased(key: str, aliases: dict[str, str]) -> str:
    return aliases.get(key, key)


def resolve_frame(frame: pd.DataFrame, resolver: ModelResolver | None = None) -> pd.DataFrame:
    """`frame` (columns model, date) with a ``model_key`` column; the reference is `frame`
    itself unless a `resolver` is given, and unknown names then get None."""
    pairs = list(zip(frame["model"].astype(str), frame["date"]))
    if resolver is None:
        resolver = ModelResolver.from_names(pairs)
        keys = [resolver.key(n, d) for n, d in pairs]
    else:
        keys = [resolver.resolve(n, d) for n, d in pairs]
    return frame.assign(model_key=keys)
