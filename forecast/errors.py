"""Errors of the forecast package.

Hierarchy::

    ForecastError
    ├── InvalidQuery      a date, threshold or option that cannot be answered as asked
    ├── NotEnoughData     too few results to fit what was asked
    └── SamplingError     the sampler failed outright (poor diagnostics are reported, not raised)
"""

from __future__ import annotations


class ForecastError(Exception):
    """Base class of every error raised by `forecast`."""


class InvalidQuery(ForecastError):
    """A date, threshold or option that cannot be answered as asked."""


class NotEnoughData(ForecastError):
    """Too few results to fit what was asked."""


class SamplingError(ForecastError):
    """The sampler failed outright."""
