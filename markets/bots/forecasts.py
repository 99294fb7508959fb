"""Beliefs from the benchcast forecast engine, for forecast-driven bots.

``forecast`` is imported lazily, inside the function, so importing the bots never loads a
model library, and tests inject a plain number instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import partial


def forecast_belief(benchmark: str, threshold: float, by: str | date, *, seed: int | None = None) -> float:
    """P(best score on `benchmark` >= `threshold` by `by`) from the forecast engine (runs a model)."""
    from forecast import forecast_benchmark  # lazy: heavy, and only forecast bots need it

    fc = forecast_benchmark(benchmark=benchmark, seed=0 if seed is None else seed)
    return float(fc.probability(threshold, by))


def lazy_forecast_belief(benchmark: str, threshold: float, by: str | date, *, seed: int | None = None) -> Callable[[], float]:
    """A callable for :class:`~markets.bots.strategies.ForecastTrader` that forecasts when first asked."""
    return partial(forecast_belief, benchmark, threshold, by, seed=seed)


#: "FrontierMath v2 >= 95 by 2027-12-31", "P(FrontierMath v2 best score >= 95% by 2027-12-31)"
QUESTION_PATTERN = re.compile(
    r"^\s*(?:P\()?\s*(?P<bench>.+?)\s*(?:best score\s*)?>=\s*(?P<t>\d+(?:\.\d+)?)\s*%?\s*by\s*(?P<by>\d{4}-\d{2}-\d{2})"
)


def parse_benchmark_question(title: str) -> tuple[str, float, str] | None:
    """(benchmark, threshold, date) from "FrontierMath v2 >= 95 by 2027-12-31", else None."""
    m = QUESTION_PATTERN.match(title)
    return None if m is None else (m["bench"].strip(), float(m["t"]), m["by"])
