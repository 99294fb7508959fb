"""Errors of the markets package.

Hierarchy::

    MarketError
"""

from __future__ import annotations


class MarketError(Exception):
    """Base class of every error raised by `markets`."""
