"""Errors of the priors package.

Hierarchy::

    PriorsError
    ├── DataFileError      a user's or shipped CSV cannot be read as benchmark results
    │   ├── ImportRejected an import with bad rows (one line per bad row); nothing imported
    │   └── ScaleAmbiguous every score of a benchmark is at most 1: 0-1 scale or under 1%?
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


class ScaleAmbiguous(DataFileError):
    """Every score of a benchmark in a user's file is at most 1: a 0-1 scale, or really under 1%?
    The caller must say (`read_results(..., scale=...)`); `cli_message` names the CLI option."""

    def __init__(self, label: str, benchmark: str, largest: float, count: int = 1) -> None:
        self.label, self.benchmark, self.largest = label, benchmark, largest
        others = f" (and {count - 1} other benchmark{'s' if count > 2 else ''})" if count > 1 else ""
        head = (f"{label}: every score of {benchmark}{others} is at most 1 (largest {largest:g}), "
                "but scores are read as percent (0-100)")
        super().__init__(f"{head}; say which they are: scale='fraction' reads them times 100, "
                         "scale='percent' as written")
        self.cli_message = (f"{head}; say which they are: --scale fraction reads them times 100, "
                            "--scale percent as written")
