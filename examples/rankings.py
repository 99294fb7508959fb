"""Who will hold the best open-weight model, and how far open-weight models trail closed ones.

Shows the library behind `benchcast rankings`: read the shipped open_weight.csv, fit the rankings
model as of a past date with tiny sampler settings, then read leader probabilities by country and
by organization and the open-closed gap.
Tiny settings: runs in well under a minute once PyTensor has compiled the model.

    python examples/rankings.py
"""

from __future__ import annotations

from datetime import date

from forecast.rankings import fit_rankings, simulate, summarize
from forecast.rankings.model import DEFAULT_SAMPLER
from priors.open_weight import match_metric, metrics, read_open_weight


def main(draws: int = 100, as_of: date = date(2025, 7, 1)) -> dict:
    frame = read_open_weight()
    metric = match_metric("ECI", metrics(frame))
    fit = fit_rankings(frame, metric, as_of, seed=1, config=DEFAULT_SAMPLER.with_overrides(draws=draws, tune=draws))
    at = [date(2026, 1, 1), date(2026, 7, 1)]
    sim = simulate(fit, at, seed=1)
    out: dict = {}
    for by in ("country", "organization"):
        for forecast in summarize(sim, by):
            top = list(forecast.leader_probabilities.items())[:4]
            print(f"{metric} leader by {by} on {forecast.date} (data up to {as_of}): "
                  + ", ".join(f"{k} {v:.2f}" for k, v in top))
            out[(by, forecast.date.isoformat())] = forecast.leader_probabilities
    gap = summarize(sim, "country")[0].gap_months
    print(f"open trails closed on {at[0]} by {gap['0.5']:.1f} months (80%: {gap['0.1']:.1f} to {gap['0.9']:.1f})")
    return out


if __name__ == "__main__":
    main()
