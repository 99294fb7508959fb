"""Saved priors as JSON files: written atomically, read with one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from priors.errors import PriorFileError


def write_json(path: Path, obj: Any) -> Path:
    """Write `obj` to `path` through a temporary file, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=1))
    tmp.replace(path)
    return path


def read_json(path: Path, *, what: str, how_to_make: str) -> Any:
    """The JSON object at `path`; a missing file or bad JSON is one `PriorFileError` line."""
    path = Path(path)
    if not path.is_file():
        raise PriorFileError(f"{path}: no {what} there; run `{how_to_make}`")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise PriorFileError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
