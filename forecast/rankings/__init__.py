"""Open-weight rankings: who holds the best open-weight model at a date, forecast from each
lab's releases.

Modules: `data` (the as-of cut and working scale), `model` (the PyMC model and its fit),
`waits` (release waits: dead time, Weibull wait, exits), `simulate` (simulated futures),
`forecast` (the query and leader probabilities), `baselines` and `pool` (the recency baseline
and its logarithmic pool with the model), `backtest`, `checks` (posterior predictive checks),
`cache` (fits on disk), `plot`. Depends on numpy, pandas, PyMC (inside functions) and `priors`;
never on `markets` or the shell.
"""

from forecast.rankings.forecast import (
    BY_CHOICES,
    OTHER,
    QUANTILES,
    AtForecast,
    RankingsForecast,
    Simulation,
    check_dates,
    default_as_of,
    fit_rankings,
    forecast_rankings,
    leader_probabilities,
    leaders_per_draw,
    observed_state,
    pool_leaders,
    simulate,
    summarize,
)

__all__ = [
    "BY_CHOICES",
    "OTHER",
    "QUANTILES",
    "AtForecast",
    "RankingsForecast",
    "Simulation",
    "check_dates",
    "default_as_of",
    "fit_rankings",
    "forecast_rankings",
    "leader_probabilities",
    "leaders_per_draw",
    "observed_state",
    "pool_leaders",
    "simulate",
    "summarize",
]
