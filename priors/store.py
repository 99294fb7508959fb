"""The user data store: results imported after the shipped snapshot, kept under BENCHCAST_HOME.

Layout (``{home}/data/``)::

    imports.json          one record per import: id, source, kind, time, counts, status
    imports/0003.csv      the rows import 3 added, in the shipped history's columns
    imports/0003.ow.csv   its open-weight scores (ECI ...), in ``open_weight.csv``'s columns

Every row goes through the same validating loaders as the shipped data
(`priors.history.read_results`, `priors.open_weight.read_open_weight`) before it is written,
and again when it is read. A row that repeats one already known (shipped, or imported
before, or earlier in the same file) is skipped: the key is benchmark, model (ignoring case)
and score to 0.01, so the same result under a run date instead of a release date is caught. Undoing an import deletes its files and keeps its record, marked
undone, so import ids are never reused. The row's import id is the number of its file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from priors.errors import DataFileError, ImportRejected
from priors.history import OPTIONAL, REQUIRED, SHIPPED_EXTRA, _check_header, _parse_rows, load_metadata, read_results
from priors.open_weight import read_open_weight
from priors.tables import column_name, read_table

HISTORY_COLUMNS = ("benchmark", "model", "organization", "date", "score", "open_weights", "source", "country",
                   "date_kind", "provenance", "score_column")
OPEN_WEIGHT_COLUMNS = ("metric", "model", "organization", "country", "date", "open_weights", "score", "source")
#: At most this many bad rows are listed when an import is refused.
MAX_PROBLEMS = 10


def store_dir(home: str | Path | None = None) -> Path:
    """``{home}/data``; `home` defaults to BENCHCAST_HOME, else ``~/.benchcast``."""
    base = Path(home or os.environ.get("BENCHCAST_HOME") or Path.home() / ".benchcast").expanduser()
    return base / "data"


@dataclass(frozen=True)
class ImportRecord:
    """What one import did."""

    id: int
    source: str
    kind: str  # csv | epoch | add
    imported_at: str
    added: int
    added_open_weight: int = 0
    duplicates: int = 0
    benchmarks: tuple[str, ...] = ()
    status: str = "active"  # active | undone
    undone_at: str | None = None
    dry_run: bool = field(default=False, compare=False)

    def to_dict(self) -> dict:
        return asdict(self) | {"benchmarks": list(self.benchmarks)}


class Store:
    """The import records and row files under one data directory."""

    def __init__(self, home: str | Path | None = None, shipped_as_of: date | None = None) -> None:
        self.home = home
        self.root = store_dir(home)
        self.shipped_as_of = shipped_as_of  # replay: the shipped snapshot as it stood then

    # -- records -------------------------------------------------------------------------
    def records(self) -> list[ImportRecord]:
        path = self.root / "imports.json"
        if not path.is_file():
            return []
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise DataFileError(f"{path}: not a readable import list ({exc})") from None
        return [ImportRecord(**(r | {"benchmarks": tuple(r.get("benchmarks", ()))})) for r in raw]

    def _save_records(self, records: list[ImportRecord]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / "imports.json.tmp"
        tmp.write_text(json.dumps([r.to_dict() for r in records], indent=1))
        tmp.replace(self.root / "imports.json")

    def _file(self, import_id: int, open_weight: bool = False) -> Path:
        return self.root / "imports" / f"{import_id:04d}{'.ow' if open_weight else ''}.csv"

    def active_ids(self) -> list[int]:
        return [r.id for r in self.records() if r.status == "active"]

    # -- reading -------------------------------------------------------------------------
    def imported(self) -> pd.DataFrame:
        """Every active imported result, validated, with its ``import_id``; empty if none."""
        frames = []
        for i in self.active_ids():
            path = self._file(i)
            if path.is_file():
                frames.append(read_results(path, scale="percent").assign(import_id=i))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def imported_open_weight(self) -> pd.DataFrame:
        """Every active imported open-weight score (ECI ...), validated; empty if none."""
        frames = []
        for i in self.active_ids():
            path = self._file(i, open_weight=True)
            if path.is_file():
                frames.append(read_open_weight(path).assign(import_id=i))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # -- writing -------------------------------------------------------------------------
    def add(self, rows: pd.DataFrame, *, source: str, kind: str, open_weight: pd.DataFrame | None = None,
            dry_run: bool = False) -> ImportRecord:
        """Validate `rows` (history columns) and `open_weight` rows, drop duplicates, and save
        the rest as a new import (unless `dry_run`; nor when nothing is new). Raises DataFileError naming the bad value."""
        rows = _validated(rows, source)
        known = load_all(home=self.home, shipped_as_of=self.shipped_as_of)
        fresh, dups = _new_rows(rows, known, ("benchmark",))
        ow_fresh = pd.DataFrame()
        if open_weight is not None and len(open_weight):
            ow = read_open_weight(open_weight[list(c for c in OPEN_WEIGHT_COLUMNS if c in open_weight.columns)])
            ow_fresh, ow_dups = _new_rows(ow, load_open_weight(home=self.home, shipped_as_of=self.shipped_as_of), ("metric",))
            dups += ow_dups
        records = self.records()
        rec = ImportRecord(
            id=max((r.id for r in records), default=0) + 1, source=source, kind=kind,
            imported_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            added=len(fresh), added_open_weight=len(ow_fresh), duplicates=dups,
            benchmarks=tuple(sorted(set(fresh.get("benchmark", [])) | set(ow_fresh.get("metric", [])))), dry_run=dry_run)
        if dry_run or (rec.added == 0 and rec.added_open_weight == 0):
            return rec
        (self.root / "imports").mkdir(parents=True, exist_ok=True)
        if len(fresh):
            _history_csv(fresh).to_csv(self._file(rec.id), index=False)
        if len(ow_fresh):
            _open_weight_csv(ow_fresh).to_csv(self._file(rec.id, open_weight=True), index=False)
        self._save_records(records + [rec])
        return rec

    def undo(self, import_id: int) -> ImportRecord:
        """Take an import back: its rows leave the store; its record stays, marked undone."""
        records = self.records()
        match = [r for r in records if r.id == import_id]
        if not match:
            ids = ", ".join(str(r.id) for r in records if r.status == "active") or "none"
            raise DataFileError(f"no import {import_id}; active imports: {ids}")
        rec = match[0]
        if rec.status == "undone":
            raise DataFileError(f"import {import_id} was already undone at {rec.undone_at}")
        for path in (self._file(import_id), self._file(import_id, open_weight=True)):
            path.unlink(missing_ok=True)
        new = ImportRecord(**(rec.to_dict() | {"status": "undone", "benchmarks": rec.benchmarks,
                                                "undone_at": datetime.now(UTC).replace(microsecond=0).isoformat()}))
        self._save_records([new if r.id == import_id else r for r in records])
        return new


def _shipped_results(as_of: date | None) -> pd.DataFrame:
    shipped = read_results().assign(import_id=0)
    if as_of is None:
        return shipped
    released = {k: pd.Timestamp(v.released) for k, v in load_metadata().items() if v.released}
    known = [max(d, released.get(b, d)) for d, b in zip(shipped["date"], shipped["benchmark"])]
    return shipped[pd.Series(known, index=shipped.index) <= pd.Timestamp(as_of)].reset_index(drop=True)


def load_all(shipped_only: bool = False, home: str | Path | None = None, shipped_as_of: date | None = None) -> pd.DataFrame:
    """The shipped history plus every imported result (``import_id`` 0 for shipped rows).

    `shipped_as_of` replays the past: only shipped results known by then (the later of the
    model's date and the benchmark's release), as if the snapshot had been taken that day."""
    shipped = _shipped_results(shipped_as_of)
    if shipped_only:
        return shipped
    extra = Store(home).imported()
    if extra.empty:
        return shipped
    both = pd.concat([shipped, extra], ignore_index=True)
    return both.sort_values(["benchmark", "date"], kind="stable").reset_index(drop=True)


def load_open_weight(shipped_only: bool = False, home: str | Path | None = None,
                     shipped_as_of: date | None = None) -> pd.DataFrame:
    """The shipped open-weight scores plus imported ones (``import_id`` 0 for shipped rows)."""
    shipped = read_open_weight().assign(import_id=0)
    if shipped_as_of is not None:
        shipped = shipped[shipped["known_at"] <= pd.Timestamp(shipped_as_of)].reset_index(drop=True)
    extra = pd.DataFrame() if shipped_only else Store(home).imported_open_weight()
    if extra.empty:
        return shipped
    return pd.concat([shipped, extra], ignore_index=True).sort_values(["metric", "date"], kind="stable").reset_index(drop=True)


def history_source(shipped_only: bool = False, home: str | Path | None = None) -> pd.DataFrame | None:
    """What to hand a library that reads history through `read_results`: None (the shipped
    file) when nothing is imported or `shipped_only`, else shipped plus imported rows."""
    if shipped_only or not Store(home).active_ids():
        return None
    return _history_csv(load_all(home=home))


def open_weight_source(shipped_only: bool = False, home: str | Path | None = None) -> pd.DataFrame | None:
    """Like `history_source`, for `read_open_weight`."""
    if shipped_only or Store(home).imported_open_weight().empty:
        return None
    return _open_weight_csv(load_open_weight(home=home))


def imported_count(shipped_only: bool = False, home: str | Path | None = None) -> int:
    """How many imported results the commands that read history will see."""
    return 0 if shipped_only else len(Store(home).imported())


def data_note(shipped_only: bool = False, home: str | Path | None = None) -> str:
    """The line commands print about the data they read."""
    if shipped_only:
        return "data: shipped only"
    return f"data: shipped + {imported_count(home=home)} imported results"


def read_user_csv(path: str | Path, scale: str | None = None) -> pd.DataFrame:
    """A results CSV in benchcast's format, validated; every bad row is listed (up to
    MAX_PROBLEMS), one line each, in ImportRejected. `scale` as in `read_results`."""
    label, header, body = read_table(path, REQUIRED)
    cols = _check_header(header, label)
    problems, good = [], 0
    for lineno, row in body:
        try:
            good += len(_parse_rows([(lineno, row)], cols, label, scale or "percent"))
        except DataFileError as exc:
            problems.append(str(exc))
    if problems:
        raise ImportRejected(problems, len(body))
    if not good:
        raise DataFileError(f"{label}: no results after the header line")
    return read_results(path, scale)


def _validated(rows: pd.DataFrame, source: str) -> pd.DataFrame:
    if rows.empty:
        return rows
    keep = [c for c in REQUIRED + OPTIONAL + SHIPPED_EXTRA if c in rows.columns]
    try:
        return read_results(rows[keep], scale="percent")  # already on the percent scale
    except DataFileError as exc:
        raise DataFileError(f"{source}: {str(exc).removeprefix('DataFrame, ')}") from None


def _key(frame: pd.DataFrame, name: str) -> pd.Series:
    return (frame[name].astype(str) + "|" + frame["model"].astype(str).str.strip().str.casefold() + "|"
            + frame["score"].astype(float).round(2).astype(str))


def _new_rows(rows: pd.DataFrame, known: pd.DataFrame, name: tuple[str, ...]) -> tuple[pd.DataFrame, int]:
    if rows.empty:
        return rows, 0
    seen = set(_key(known, name[0])) if len(known) else set()
    keys = _key(rows, name[0])
    is_new = ~keys.isin(seen) & ~keys.duplicated()
    return rows[is_new.to_numpy()].reset_index(drop=True), int((~is_new).sum())


def _history_csv(frame: pd.DataFrame) -> pd.DataFrame:
    return _text(pd.DataFrame({c: frame[c] if c in frame.columns else "" for c in HISTORY_COLUMNS}))


def _open_weight_csv(frame: pd.DataFrame) -> pd.DataFrame:
    return _text(pd.DataFrame({c: frame[c] if c in frame.columns else "" for c in OPEN_WEIGHT_COLUMNS}))


def _text(out: pd.DataFrame) -> pd.DataFrame:
    """Cells as the loaders read them: ISO dates, true/false/empty open_weights, no NaN."""
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    out["open_weights"] = [("" if v is None or v != v or v == "" else str(bool(v)).lower()) for v in out["open_weights"]]
    return out.fillna("")


def import_file(path: str | Path, *, source: str | None = None, dry_run: bool = False,
                home: str | Path | None = None, shipped_as_of: date | None = None,
                scale: str | None = None) -> ImportRecord:
    """Import a results CSV (benchcast's columns), an open-weight CSV (``open_weight.csv``'s
    columns) or an Epoch AI Benchmarking Hub zip into the store. `scale`: a results CSV's
    scores, as in `read_results` (the store keeps them in percent)."""
    from priors.epoch import is_epoch_zip, read_epoch_zip

    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    source = source or str(path)
    store = Store(home, shipped_as_of)
    if is_epoch_zip(path):
        export = read_epoch_zip(path)
        return store.add(export.results, open_weight=export.open_weight, source=source, kind="epoch", dry_run=dry_run)
    _, header, _ = read_table(path, REQUIRED)
    if "metric" in [column_name(h) for h in header]:
        return store.add(pd.DataFrame(), open_weight=read_open_weight(path), source=source, kind="csv", dry_run=dry_run)
    return store.add(read_user_csv(path, scale), source=source, kind="csv", dry_run=dry_run)


def newer_than_shipped(home: str | Path | None = None) -> list[dict]:
    """Per benchmark with imported results: how many, the latest, and whether they beat the
    shipped best (a new record) or the shipped last date."""
    extra = Store(home).imported()
    if extra.empty:
        return []
    shipped = read_results()
    out = []
    for name, grp in extra.groupby("benchmark", sort=True):
        base = shipped[shipped["benchmark"] == name]
        best = grp.sort_values(["score", "date"], ascending=[False, True]).iloc[0]
        last = base["date"].max() if len(base) else None
        out.append({
            "benchmark": str(name), "imported": len(grp), "is_new_benchmark": base.empty,
            "shipped_last": last.date().isoformat() if last is not None else None,
            "newer": int((grp["date"] > last).sum()) if last is not None else len(grp),
            "shipped_best": float(base["score"].max()) if len(base) else None,
            "best": float(best["score"]), "best_model": str(best["model"]), "best_date": best["date"].date().isoformat(),
            "is_record": base.empty or float(best["score"]) > float(base["score"].max()),
        })
    return out
