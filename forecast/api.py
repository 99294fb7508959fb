"""The entry point, kept for existing callers: `forecast_benchmark` is `ForecastQuery(...).run()`.

>>> from forecast import forecast_benchmark
>>> fc = forecast_benchmark("my_results.csv", floor=25, released="2025-03-01", seed=1)
>>> fc.probability(80, by="2027-12-31")
"""

from forecast.query import ForecastQuery, forecast_benchmark
from forecast.result import Forecast, parse_as_of, parse_date
from forecast.saturation_member import fit_theta

__all__ = ["Forecast", "ForecastQuery", "fit_theta", "forecast_benchmark", "parse_as_of", "parse_date"]
