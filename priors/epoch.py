"""Reading Epoch AI's Benchmarking Hub export (``benchmark_data.zip``) as benchcast results.

The zip holds one CSV per benchmark (in a folder or at its top) and a models table:

- a benchmark file has ``Model version``, a score column (``Best score (across scorers)`` on a
  0-1 scale in Epoch's own runs; ``mean_score``, ``Percent correct``, ``Accuracy``, ``Score``
  ... in the files of external results) and dates (``Release date``; run dates such as
  ``Started at``);
- the models table (a file whose name has ``model`` and no score column) gives ``Model
  version``, ``Release date``, ``Organization``, ``Country`` and ``Model accessibility``.

``priors/data/epoch_names.csv`` maps a file's name (without ``.csv``) to a benchmark name, the
provenance of its rows, the factor that turns its scores into percent (``100`` for a 0-1
scale, ``auto``: 100 when every score is at most 1) and its kind (``results`` or
``open_weight`` for scores such as ECI that are not percentages). Files it does not name are
skipped and reported. A result's date is the model's release date (from its row or the models
table), else its first run date (``date_kind`` says which).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from priors.errors import DataFileError, ImportRejected
from priors.history import data_path

NAMES_FILE = "epoch_names.csv"
MODEL = "Model version"
SCORE_COLUMNS = ("Best score (across scorers)", "mean_score", "Percent correct", "Accuracy", "Score", "EM",
                 "Average", "% Resolved", "Challenge score", "Overall accuracy", "ECI Score", "ECI")
RELEASE = ("Release date", "Model release date")
RUN_DATES = ("Started at", "Run date", "Date", "date")
TEXT = {"organization": ("Organization", "Organisation"), "country": ("Country",),
        "access": ("Model accessibility", "Accessibility")}


@dataclass(frozen=True)
class EpochExport:
    """What a Benchmarking Hub zip holds, in benchcast's columns."""

    results: pd.DataFrame  # history columns
    open_weight: pd.DataFrame  # open_weight.csv columns
    skipped: tuple[str, ...]  # files no row of epoch_names.csv names


@dataclass(frozen=True)
class _Name:
    benchmark: str
    provenance: str
    factor: str
    kind: str


def load_names(path: str | Path | None = None) -> dict[str, _Name]:
    """File name (no ``.csv``) -> how to read it, from ``epoch_names.csv``."""
    table = pd.read_csv(path or data_path(NAMES_FILE), keep_default_na=False, dtype=str)
    return {r.file: _Name(r.benchmark, r.provenance, r.factor, r.kind) for r in table.itertuples(index=False)}


def is_epoch_zip(path: str | Path) -> bool:
    """Whether `path` is a zip file (Epoch's export) rather than a CSV."""
    return zipfile.is_zipfile(path)


def _tables(path: Path) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if info.is_dir() or name.suffix.lower() != ".csv" or name.name.startswith("."):
                    continue
                text = zf.read(info).decode("utf-8-sig")
                out[name.stem] = list(csv.DictReader(io.StringIO(text)))
    except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not a readable Benchmarking Hub zip ({exc})") from None
    return out


def _first(row: dict[str, str], names: tuple[str, ...]) -> str:
    for n in names:
        if (row.get(n) or "").strip():
            return row[n].strip()
    return ""


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return pd.Timestamp(text).date()
    except (ValueError, TypeError):
        return None


def _open(access: str) -> str:
    a = access.lower()
    if a.startswith("open"):
        return "true"
    if a.startswith(("api", "hosted", "unreleased", "closed", "proprietary")):
        return "false"
    return ""


def _models(tables: dict[str, list[dict[str, str]]]) -> dict[str, dict[str, str]]:
    for stem, rows in tables.items():
        if "model" in stem.lower() and rows and MODEL in rows[0] and not any(c in rows[0] for c in SCORE_COLUMNS):
            return {r[MODEL].strip(): r for r in rows if r.get(MODEL)}
    return {}


def _score_column(rows: list[dict[str, str]]) -> str | None:
    cols = rows[0].keys() if rows else ()
    return next((c for c in SCORE_COLUMNS if c in cols), None)


def _file_rows(label: str, rows: list[dict[str, str]], name: _Name, models: dict[str, dict[str, str]],
               problems: list[str]) -> list[dict[str, object]]:
    col = _score_column(rows)
    if col is None:
        problems.append(f"{label}, line 1: no score column; expected one of {', '.join(SCORE_COLUMNS)}")
        return []
    values = [_number(r.get(col, "")) for r in rows]
    finite = [v for v in values if v is not None]
    factor = (100.0 if finite and max(finite) <= 1.0 else 1.0) if name.factor == "auto" else float(name.factor)
    out = []
    for lineno, (r, v) in enumerate(zip(rows, values), start=2):
        model = (r.get(MODEL) or "").strip()
        if not model and not (r.get(col) or "").strip():
            continue
        meta = models.get(model, {})
        released = _day(_first(r, RELEASE) or _first(meta, RELEASE))
        run = _day(_first(r, RUN_DATES))
        if not model:
            problems.append(f"{label}, line {lineno}: empty {MODEL}")
        elif v is None:
            problems.append(f"{label}, line {lineno}: score {r.get(col)!r} in {col!r} is not a number")
        elif released is None and run is None:
            problems.append(f"{label}, line {lineno}: no release date for {model!r} (in the file or the models table)")
        else:
            out.append({
                "model": model, "date": (released or run).isoformat(), "score": round(v * factor, 4),
                "date_kind": "model_release" if released else "run", "score_column": col,
                "organization": _first(r, TEXT["organization"]) or _first(meta, TEXT["organization"]),
                "country": _first(r, TEXT["country"]) or _first(meta, TEXT["country"]),
                "open_weights": _open(_first(r, TEXT["access"]) or _first(meta, TEXT["access"])),
                "provenance": name.provenance, "source": f"{label} (Epoch AI Benchmarking Hub, CC-BY-4.0)",
            })
    return out


def _number(text: str) -> float | None:
    try:
        v = float(str(text).strip().rstrip("%"))
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def read_epoch_zip(path: str | Path, names: dict[str, _Name] | None = None) -> EpochExport:
    """Read a Benchmarking Hub zip; ImportRejected lists every bad row (one line each)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    names = names or load_names()
    tables = _tables(path)
    models = _models(tables)
    results, ow, skipped, problems = [], [], [], []
    for stem, rows in sorted(tables.items()):
        name = names.get(stem)
        if name is None:
            if not (models and "model" in stem.lower()):
                skipped.append(f"{stem}.csv")
            continue
        got = _file_rows(f"{path.name}:{stem}.csv", rows, name, models, problems)
        if name.kind == "open_weight":
            ow += [{k: v for k, v in g.items() if k in ("model", "date", "score", "organization", "country",
                                                        "open_weights", "source")} | {"metric": name.benchmark} for g in got]
        else:
            results += [g | {"benchmark": name.benchmark} for g in got]
    if problems:
        raise ImportRejected(problems, sum(len(r) for r in tables.values()))
    if not results and not ow:
        raise DataFileError(f"{path}: no benchmark file that epoch_names.csv knows; files: {', '.join(skipped) or 'none'}")
    return EpochExport(pd.DataFrame(results), pd.DataFrame(ow), tuple(skipped))
