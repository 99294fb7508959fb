"""Open-weight and closed models on common scores: the validating loader of ``open_weight.csv``.

One row per (model, metric) score:

====================  ========  =============================================================
column                required  meaning
====================  ========  =============================================================
metric                yes       the common score, e.g. ``ECI (Epoch Capabilities Index)``
organization          yes       lab(s), comma separated when several; may be empty
country               yes       ISO country code of the lab (US, CN, FR ...); may be empty
date                  yes       ISO date (YYYY-MM-DD) of the model's release
open_weights          yes       true / false / unknown
score                 yes       a finite number; 0-100 when the metric name has ``%``
model                 no        model name
display_name          no        a nicer model name
accessibility_detail  no        how the weights are released (Open weights (restricted use) ...)
source                no        where the number comes from
====================  ========  =============================================================

Anything else is an error, as are unparseable dates and non-numbers; every error names the
file, the line and the value. The returned frame adds ``lab``: the lead organization (the first
one listed), with a few aliases merged (``Microsoft Research`` is ``Microsoft``), which is what
rankings by organization count; and ``known_at``: when a score could first be known, the later
of the model's date and its benchmark's release (FrontierMath v2 scores of 2025 models were
measured after v2 came out in June 2026). As-of cuts filter on ``known_at``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from priors.errors import DataFileError, UnknownBenchmark
from priors.history import _parse_bool, data_path
from priors.tables import read_table

OPEN_WEIGHT_FILE = "open_weight.csv"
REQUIRED = ("metric", "organization", "country", "date", "open_weights", "score")
OPTIONAL = ("model", "display_name", "accessibility_detail", "source")

#: Lead organizations that are one lab under two names in the shipped data.
LAB_ALIASES = {"Microsoft Research": "Microsoft", "Google": "Google DeepMind"}


def lab_of(organization: str) -> str:
    """The lead lab of an ``organization`` cell: the first name listed, aliases merged."""
    first = organization.split(",")[0].strip()
    return LAB_ALIASES.get(first, first)


def _read_table(source: str | Path | pd.DataFrame) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    return read_table(source, REQUIRED)


def _check_header(header: list[str], label: str) -> list[str]:
    cols = [h.strip() for h in header]
    for c in cols:
        if c not in REQUIRED + OPTIONAL:
            raise DataFileError(
                f"{label}, line 1: unknown column {c!r}; expected {', '.join(REQUIRED)}"
                f" and optionally {', '.join(OPTIONAL)}"
            )
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise DataFileError(f"{label}, line 1: missing required column {missing[0]!r}; header is {', '.join(cols)}")
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise DataFileError(f"{label}, line 1: column {dup!r} appears twice")
    return cols


def _parse_row(rec: dict[str, str], lineno: int, label: str) -> dict[str, object]:
    if not rec["metric"]:
        raise DataFileError(f"{label}, line {lineno}: empty metric")
    try:
        day = pd.Timestamp(date.fromisoformat(rec["date"]))
    except ValueError:
        raise DataFileError(f"{label}, line {lineno}: date {rec['date']!r} is not a date like 2024-05-13") from None
    try:
        score = float(rec["score"])
    except ValueError:
        raise DataFileError(f"{label}, line {lineno}: score {rec['score']!r} is not a number") from None
    if not np.isfinite(score):
        raise DataFileError(f"{label}, line {lineno}: score {rec['score']!r} is not a finite number")
    if "%" in rec["metric"] and not 0.0 <= score <= 100.0:
        raise DataFileError(
            f"{label}, line {lineno}: score {rec['score']} for {rec['metric']} on {day.date()} is outside 0-100"
        )
    try:
        is_open = _parse_bool(rec["open_weights"])
    except ValueError:
        raise DataFileError(
            f"{label}, line {lineno}: open_weights {rec['open_weights']!r} is not true, false or unknown"
        ) from None
    out: dict[str, object] = dict(rec)
    out.update(date=day, score=score, open_weights=is_open, lab=lab_of(rec["organization"]), line=lineno)
    return out


def read_open_weight(source: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate open/closed model scores.

    Parameters
    ----------
    source
        A CSV path, a DataFrame with the same columns, or None for the shipped ``open_weight.csv``.

    Returns
    -------
    DataFrame with columns metric, model, organization, lab, country, date (Timestamp),
    known_at (Timestamp), open_weights (True/False/None), score (float), line (source line
    number) and the optional
    columns (empty strings where absent), sorted by metric and date.

    Raises
    ------
    DataFileError
        naming the file, line and value of the first problem.
    """
    label, header, body = _read_table(data_path(OPEN_WEIGHT_FILE) if source is None else source)
    cols = _check_header(header, label)
    records = []
    for lineno, row in body:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(cols):
            raise DataFileError(f"{label}, line {lineno}: {len(row)} fields where the header has {len(cols)}")
        records.append(_parse_row(dict(zip(cols, (c.strip() for c in row))), lineno, label))
    if not records:
        raise DataFileError(f"{label}: no scores after the header line")
    df = pd.DataFrame.from_records(records)
    for c in OPTIONAL:
        if c not in df.columns:
            df[c] = ""
    released = {m: _released(m) for m in df["metric"].unique()}
    df["known_at"] = [max(d, released[m]) if released[m] is not None else d
                      for d, m in zip(df["date"], df["metric"])]
    return df.sort_values(["metric", "date", "line"], kind="stable").reset_index(drop=True)


def _released(metric: str) -> pd.Timestamp | None:
    """Release date of the benchmark a metric names (``FrontierMath Tiers 1-3 v2 (%)`` is the
    benchmark ``FrontierMath Tiers 1-3 v2``), if the shipped metadata knows it."""
    from priors.history import load_metadata

    info = load_metadata().get(metric.replace("(%)", "").strip())
    return pd.Timestamp(info.released) if info and info.released else None


def metrics(frame: pd.DataFrame) -> list[str]:
    """The metric names in a frame read by `read_open_weight`, sorted."""
    return sorted(frame["metric"].unique())


def match_metric(name: str, names: list[str]) -> str:
    """The metric among `names` that `name` means: an exact, prefix or substring match ignoring
    case, if only one; else UnknownBenchmark listing the metrics."""
    key = name.strip().lower()
    for rule in (lambda n: n.lower() == key, lambda n: n.lower().startswith(key), lambda n: key in n.lower()):
        hits = [n for n in names if rule(n)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UnknownBenchmark(f"metric {name!r} is ambiguous: it matches {', '.join(map(repr, hits))}")
    raise UnknownBenchmark(f"unknown metric {name!r}; the data has {', '.join(map(repr, names))}")


def add_results(shipped: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """`shipped` with a user's rows (both read by `read_open_weight`) added; a user's row for a
    model and metric the shipped data already has replaces the shipped row."""
    key = lambda df: df["model"].str.strip().str.lower() + "\x00" + df["metric"]  # noqa: E731
    named = extra["model"].str.strip() != ""
    kept = shipped[~key(shipped).isin(set(key(extra[named])))]
    out = pd.concat([kept, extra], ignore_index=True)
    return out.sort_values(["metric", "date"], kind="stable").reset_index(drop=True)
