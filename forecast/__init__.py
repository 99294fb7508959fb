"""Bayesian saturation models of AI benchmark progress.

Dependency rule: `forecast` depends on `priors`, numpy, pandas, scipy, pymc, arviz and
matplotlib. It never imports `markets` or `benchcast`, and it does not print: it is a library.
PyMC is imported lazily, only where a model is built or sampled, so reading a cached
posterior or computing timelines stays fast.

The entry point is `ForecastQuery(...).run()` (or `forecast_benchmark(...)`), which returns a
`Forecast`; `--method` chooses saturation, reference, ensemble (or capability).
"""

from forecast.capability.index import capability_index
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
