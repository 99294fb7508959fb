"""Errors of the priors package.

Hierarchy::

    PriorsError
    ├── DataFileError      a user's or shipped CSV cannot be read as benchmark results
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
