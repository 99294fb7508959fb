"""Errors of the priors package.

Hierarchy::

    PriorsError
    ├── DataFileError      a user's or shipped CSV cannot be read as benchmark results
    │   └── ImportRejected an import with bad rows (one line per bad row); nothing imported
    ├── UnknownBenchmark   a benchmark name matches nothing in the data
    └── PriorFileError     a saved population prior is missing or malformed
"""

from __future__ import annotations


class PriorsError(Exception):
    """Base class of every error raised by `priors`."""


class DataFileError(PriorsError):
    """A data file cannot be read as benchmark results."""


class UnknownBenchmark(PriorsError):
    """A benchmark name matches nothing in the data."""


class PriorFileError(PriorsError):
    """A saved population prior is missing or malformed."""


class ImportRejected(DataFileError):
    """An import has bad rows; nothing was imported. `problems` holds one line per bad row."""

    def __init__(self, problems: list[str], rows: int) -> None:
        self.problems = problems
        self.rows = rows
        shown = "; ".join(problems[:1])
        more = f" (and {len(problems) - 1} more bad row{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        super().__init__(f"nothing imported: {shown}{more}")
