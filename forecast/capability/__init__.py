"""The capability index: models and benchmark series on one scale (item-response theory), the
frontier capability over time, and two-step forecasts of a benchmark's frontier.

Modules: `data` (the model x series matrix at an as-of date), `model` (the IRT model and its
Laplace fit), `frontier` (the broken-line trend and its paths), `index` (`capability_index`
and the `CapabilityIndex` it returns), `forecast` (the ensemble member), `plot`.

Stable API (read by the rankings): ``capability_index(...)`` returns an object with
``models`` (model, index, lo, hi, date, n_series, latent), ``benchmarks`` (item, benchmark,
series, difficulty, slope, ceiling, n_models, with _lo/_hi), ``frontier`` (trend, earlier_trend,
ratio, ...), ``to_json()`` and ``plot(path)``.
"""

from forecast.capability.forecast import CapabilityFit, fit_for_members
from forecast.capability.index import CapabilityIndex, capability_index

__all__ = ["CapabilityFit", "CapabilityIndex", "capability_index", "fit_for_members"]
