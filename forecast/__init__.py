"""Bayesian saturation models of AI benchmark progress.

Dependency rule: `forecast` depends on `priors`, numpy, pandas, scipy, pymc, arviz and
matplotlib. It never imports `markets` or `benchcast`, and it does not print: it is a library.
PyMC, PyTensor and ArviZ are imported lazily, only where a model is built or sampled, so the
default forecast (the ensemble: no MCMC), reading a cached posterior or computing timelines
never loads them (tests/forecast/test_lazy_imports.py checks this in a fresh process). The
capability index is imported on first use of `capability_index`.

The entry point is `ForecastQuery(...).run()` (or `forecast_benchmark(...)`), which returns a
`Forecast`; `--method` chooses saturation, reference, ensemble (or capability).
"""

from typing import Any

from forecast.query import ForecastQuery, forecast_benchmark
from forecast.result import Forecast
from forecast.errors import ForecastError, InvalidQuery, NotEnoughData, SamplingError
from forecast.saturation.population import PopulationPrior, build_prior, load_prior

__all__ = [
    "Forecast",
    "ForecastError",
    "ForecastQuery",
    "InvalidQuery",
    "NotEnoughData",
    "PopulationPrior",
    "SamplingError",
    "build_prior",
    "capability_index",
    "forecast_benchmark",
    "load_prior",
]


def __getattr__(name: str) -> Any:
    """`capability_index` on first use: its module pulls in the capability model's imports."""
    if name == "capability_index":
        from forecast.capability.index import capability_index

        return capability_index
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")
