"""Errors of the shell.

Hierarchy::

    BenchcastError
    ├── ConfigError     a command-line option or environment setting is unusable
    └── ClientError     a market server answered with an error or could not be reached
"""

from __future__ import annotations


class BenchcastError(Exception):
    """Base class of every error raised by `benchcast`."""


class ConfigError(BenchcastError):
    """A command-line option or environment setting is unusable."""


class ClientError(BenchcastError):
    """A market server answered with an error or could not be reached."""
