"""What every command shares: mapping library errors to one clean line and an exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

P = ParamSpec("P")
R = TypeVar("R")


def known_errors() -> tuple[type[Exception], ...]:
    """Errors a command reports as one line on stderr with exit code 1.

    Imported when needed, so a forecast command does not load the market engine.
    """
    from benchcast.errors import BenchcastError
    from forecast.errors import ForecastError
    from markets.errors import MarketError
    from priors.errors import PriorsError

    return (PriorsError, ForecastError, MarketError, BenchcastError)


#: How a results CSV's scores are written (`priors.history.read_results`'s scale).
SCALE = typer.Option(None, "--scale", metavar="percent|fraction",
                     help="How your CSV's scores are written: percent (0-100, the default) or fraction (0-1). "
                          "Needed when every score of a benchmark is at most 1.")


def scale_needs_data(scale: str | None, data: object) -> None:
    """Refuse `--scale` without `--data` (usage, exit 2): the shipped and imported results are
    already in percent, and a scale silently ignored reads as one applied."""
    if scale is not None and data is None:
        raise fail(f"--scale {scale} says how a --data file's scores are written; the shipped and imported "
                   "results are already in percent (pass --data FILE, or leave --scale out)", 2)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` as one error line and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def cli_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's errors into `error: ...` on stderr and exit code 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except Exception as exc:
            if isinstance(exc, known_errors()):
                raise fail(getattr(exc, "cli_message", None) or str(exc)) from None
            raise

    return wrapper


def echo_json(obj: object) -> None:
    """Print exactly one JSON object on stdout."""
    import json

    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")
