"""Reading a CSV file or a DataFrame into numbered rows of text, for the validating loaders."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from priors.errors import DataFileError


def column_name(header_cell: object) -> str:
    """A header cell as a column name: ``" Open weights"`` -> ``"open_weights"``."""
    return "_".join(str(header_cell).strip().lower().split())


def read_table(source: str | Path | pd.DataFrame,
               required: tuple[str, ...]) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """(label, header, [(line number, cells)]); line numbers count the header as line 1.

    Raises DataFileError for a missing, non-UTF-8 or empty file, naming it.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.astype(object).where(source.notna(), "")
        frame.columns = [str(c) for c in frame.columns]
        for col in [c for c in frame.columns if column_name(c) == "date"]:
            frame[col] = [d.date().isoformat() if isinstance(d, pd.Timestamp) else d for d in frame[col]]
        body = [(i + 2, [str(v) for v in row]) for i, row in enumerate(frame.itertuples(index=False))]
        return "DataFrame", list(frame.columns), body
    path = Path(source)
    label = str(path)
    if not path.is_file():
        raise DataFileError(f"{label}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"{label}: not a UTF-8 text file") from None
    lines = list(csv.reader(io.StringIO(text)))
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise DataFileError(f"{label}: the file is empty; expected a header line {','.join(required)}")
    return label, lines[0], [(i + 2, row) for i, row in enumerate(lines[1:])]
