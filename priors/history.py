"""Benchmark results: the one validating loader for shipped and user CSV files.

A results table has one row per (benchmark, model) result:

=============  ========  ==================================================================
column         required  meaning
=============  ========  ==================================================================
benchmark      yes       benchmark name; versions are separate benchmarks
model          yes       model name
date           yes       ISO date (YYYY-MM-DD) of the model's release
score          yes       headline score in percent, 0-100
organization   no        lab
open_weights   no        true / false / unknown
provenance     no        epoch_run, epoch_run_v2, epoch_compiled, self_reported, or your own
source         no        where the number comes from
=============  ========  ==================================================================

The shipped file has a few more columns (``score_column``, ``country`` ...); they are accepted
too. Column names are read without regard to case or surrounding spaces (``Benchmark``, ``Open
weights``), and a score may end in ``%``. Anything else is an error, as are unparseable dates,
non-numbers and scores outside 0-100: each error names the file, the line and the value.

Scores on a 0-1 scale are the commonest slip in a user's file, and they are not always wrong: a
hard new benchmark can sit below 1% for months. So a user's file in which every score of a
benchmark is at most 1 is refused until the caller says which it is (``scale="fraction"``: times
100; ``scale="percent"``: as written). The shipped history and the import store's own files are
read as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from priors.errors import DataFileError, ScaleAmbiguous, UnknownBenchmark
from priors.tables import column_name, read_table

REQUIRED = ("benchmark", "model", "date", "score")
OPTIONAL = ("organization", "open_weights", "provenance", "source")
SHIPPED_EXTRA = (
    "country",
    "date_kind",
    "score_column",
    "original_source",
    "open_weights_basis",
)
#: How a file's scores are written: percent (0-100, the format) or fraction (0-1, read times 100).
SCALES = ("percent", "fraction")
HISTORY_FILE = "benchmark_history.csv"
METADATA_FILE = "benchmarks.csv"

#: Settings that are not one attempt per problem: majority votes, best-of-k, parallel compute.
_MULTI_ATTEMPT = re.compile(
    r"cons@|maj@\s*(?:[2-9]|\d\d)|pass\s*@\s*(?:[2-9]|\d\d)|parallel|multiple attempts",
    re.IGNORECASE,
)


def data_path(name: str) -> Path:
    """Path of a shipped data file (works from a checkout and from an installed wheel)."""
    return Path(str(resources.files("priors") / "data" / name))


def is_single_attempt(score_column: str | float | None) -> bool:
    """True unless a score's setting says it used several attempts per problem (cons@64, pass@8 ...)."""
    if not isinstance(score_column, str):
        return True
    return _MULTI_ATTEMPT.search(score_column) is None


def _parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "y", "t"):
        return True
    if v in ("false", "0", "no", "n", "f"):
        return False
    if v in ("", "unknown", "na", "nan", "none"):
        return None
    raise ValueError(value)


def _parse_day(text: str) -> date:
    """An ISO date, or an ISO date and time (``2026-01-10 00:00:00``, ``...T13:45Z``: spreadsheet
    and pandas exports), as its date."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        if len(text) <= 10:
            raise
        return datetime.fromisoformat(text).date()


def _check_header(header: list[str], label: str) -> list[str]:
    cols = [column_name(h) for h in header]
    allowed = set(REQUIRED) | set(OPTIONAL) | set(SHIPPED_EXTRA)
    if len(cols) == 1:
        sep = next((d for d in (";", "\t", "|") if d in header[0]), None)
        if sep is not None:
            shown = "tabs" if sep == "\t" else repr(sep)
            raise DataFileError(f"{label}, line 1: the header is separated by {shown}; "
                                f"expected commas: {','.join(REQUIRED)}")
    for c in cols:
        if c not in allowed:
            raise DataFileError(
                f"{label}, line 1: unknown column {c!r}; expected {', '.join(REQUIRED)}"
                f" and optionally {', '.join(OPTIONAL)}"
            )
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise DataFileError(
            f"{label}, line 1: missing required column {missing[0]!r}; header is {', '.join(cols)}"
        )
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise DataFileError(f"{label}, line 1: column {dup!r} appears twice")
    return cols


def _parse_rows(rows: Iterable[list[str]], cols: list[str], label: str,
                scale: str = "percent") -> list[dict[str, object]]:
    top = 1.0 if scale == "fraction" else 100.0
    out: list[dict[str, object]] = []
    for lineno, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(cols):
            raise DataFileError(
                f"{label}, line {lineno}: {len(row)} fields where the header has {len(cols)}"
            )
        rec = dict(zip(cols, (cell.strip() for cell in row)))
        for c in ("benchmark", "model"):
            if not rec[c]:
                raise DataFileError(f"{label}, line {lineno}: empty {c}")
        try:
            day = _parse_day(str(rec["date"]))
        except ValueError:
            raise DataFileError(
                f"{label}, line {lineno}: date {rec['date']!r} is not a date like 2024-05-13"
            ) from None
        try:
            score = float(str(rec["score"]).removesuffix("%").strip())
        except ValueError:
            raise DataFileError(
                f"{label}, line {lineno}: score {rec['score']!r} is not a number"
            ) from None
        if not np.isfinite(score) or not 0.0 <= score <= top:
            raise DataFileError(
                f"{label}, line {lineno}: score {rec['score']} for {rec['benchmark']} on {day}"
                f" is outside 0-{top:g}" + (" (the scale is fraction)" if scale == "fraction" else "")
            )
        if "open_weights" in rec:
            try:
                rec["open_weights"] = _parse_bool(str(rec["open_weights"]))
            except ValueError:
                raise DataFileError(
                    f"{label}, line {lineno}: open_weights {rec['open_weights']!r}"
                    " is not true, false or unknown"
                ) from None
        rec["date"] = pd.Timestamp(day)
        rec["score"] = score * 100.0 / top
        rec["line"] = lineno
        out.append(rec)
    return out


def check_scale(results: pd.DataFrame, label: str) -> None:
    """Refuse a table in which every score of some benchmark is at most 1 (and not all 0): it
    is most likely on a 0-1 scale, read as under 1%. Raises ScaleAmbiguous naming it."""
    best = results.groupby("benchmark", sort=True)["score"].max()
    small = best[(best > 0.0) & (best <= 1.0)]
    if len(small):
        raise ScaleAmbiguous(label, str(small.index[0]), float(small.iloc[0]), len(small))


def read_results(source: str | Path | pd.DataFrame | None = None, scale: str | None = None,
                 benchmark: str | None = None) -> pd.DataFrame:
    """Read and validate benchmark results.

    Parameters
    ----------
    source
        A CSV path, a DataFrame with the same columns, or None for the shipped history.
    scale
        ``"percent"`` (0-100, as written), ``"fraction"`` (0-1, read times 100) or None: percent,
        but a user's `source` in which every score of a benchmark is at most 1 raises
        ScaleAmbiguous (the shipped history is read as written).
    benchmark
        The benchmark every row belongs to when `source` has no benchmark column (a table of one
        benchmark: model, date, score); ignored when it has one.

    Returns
    -------
    DataFrame with columns benchmark, model, date (Timestamp), score (float), organization,
    open_weights (True/False/None), provenance (default ``"unspecified"``), source,
    score_column (default ``""``), line (source line number), sorted by benchmark and date.

    Raises
    ------
    DataFileError
        naming the file, line and value of the first problem (ScaleAmbiguous: see `scale`).
    """
    if scale is not None and scale not in SCALES:
        raise DataFileError(f"scale {scale!r} is not one of {', '.join(SCALES)}")
    if source is None:
        source, scale = data_path(HISTORY_FILE), "percent"
    label, header, body = read_table(source, REQUIRED)
    if benchmark is not None and benchmark.strip() and "benchmark" not in [column_name(h) for h in header]:
        header = ["benchmark", *header]
        body = [(n, [benchmark.strip(), *row] if any(c.strip() for c in row) else row) for n, row in body]
    cols = _check_header(header, label)
    records = _parse_rows(body, cols, label, scale or "percent")
    if not records:
        raise DataFileError(f"{label}: no results after the header line")
    df = pd.DataFrame.from_records(records)
    if scale is None:
        check_scale(df, label)
    for c in OPTIONAL + ("score_column",):
        if c not in df.columns:
            df[c] = None if c == "open_weights" else ""
    df["provenance"] = df["provenance"].replace("", "unspecified")
    df = df.sort_values(["benchmark", "date", "line"], kind="stable").reset_index(drop=True)
    return df


@dataclass(frozen=True)
class BenchmarkInfo:
    """What is known about a benchmark apart from its results."""

    name: str
    floor: float
    released: date | None
    floor_basis: str = ""


def load_metadata() -> dict[str, BenchmarkInfo]:
    """Floors and release dates of the shipped benchmarks, keyed by name."""
    meta = pd.read_csv(data_path(METADATA_FILE), keep_default_na=False)
    out: dict[str, BenchmarkInfo] = {}
    for row in meta.itertuples(index=False):
        released = date.fromisoformat(row.release_date) if row.release_date else None
        out[row.benchmark] = BenchmarkInfo(row.benchmark, float(row.floor), released, row.floor_basis)
    return out


def match_benchmark(name: str, names: Iterable[str]) -> str:
    """The benchmark among `names` that `name` means, ignoring case; else UnknownBenchmark
    listing close matches."""
    import difflib

    names = list(names)
    by_lower = {n.lower(): n for n in names}
    key = name.strip().lower()
    if key in by_lower:
        return by_lower[key]
    close = difflib.get_close_matches(key, list(by_lower), n=4, cutoff=0.5)
    close += [n for n in by_lower if key and key in n and n not in close][: max(0, 4 - len(close))]
    hint = (
        "; did you mean " + ", ".join(repr(by_lower[c]) for c in close) + "?"
        if close
        else "; `benchcast benchmarks` lists them"
    )
    raise UnknownBenchmark(f"unknown benchmark {name!r}{hint}")


def summarize(results: pd.DataFrame, meta: dict[str, BenchmarkInfo] | None = None) -> pd.DataFrame:
    """One row per benchmark: points, first and last date, best single-attempt score and its
    model, floor and release date (where known)."""
    meta = load_metadata() if meta is None else meta
    rows = []
    for name, grp in results.groupby("benchmark", sort=True):
        single = grp[[is_single_attempt(c) for c in grp["score_column"]]]
        best = (single if len(single) else grp).sort_values(["score", "date"], ascending=[False, True]).iloc[0]
        info = meta.get(str(name))
        rows.append(
            {
                "benchmark": name,
                "points": len(grp),
                "first": grp["date"].min().date(),
                "last": grp["date"].max().date(),
                "best": float(best["score"]),
                "best_model": str(best["model"]),
                "best_date": best["date"].date(),
                "floor": info.floor if info else None,
                "released": info.released if info else None,
            }
        )
    return pd.DataFrame(rows)
