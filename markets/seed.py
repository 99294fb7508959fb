"""A starter set of questions whose opening prices are benchcast's own forecasts.

`starter_questions` returns plain question specs (title, kind, outcomes, criteria, closing
time, opening prices) for the server or the simulator to open. Forecasts are imported lazily:
this module itself needs only the standard library and numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

#: Opening prices are kept inside [P_MIN, 1 - P_MIN]: an LMSR opened at an extreme price puts
#: far more than its subsidy at risk (loss bound -b ln p_min).
P_MIN = 0.02


@dataclass(frozen=True)
class QuestionSpec:
    """A question to open, with its opening prices and where they came from."""

    title: str
    kind: str  # "binary" or "multiple_choice"
    outcomes: tuple[str, ...]
    prices: tuple[float, ...]
    criteria: str
    closes_at: str
    basis: str = field(default="", compare=False)
    #: A data link (benchcast/db/linked.py) when the data can settle the question: it then resolves itself.
    link: dict | None = field(default=None, compare=False)


def opening_prices(p: list[float] | np.ndarray) -> tuple[float, ...]:
    """Clip to [P_MIN, 1 - P_MIN] and renormalise so the prices sum to 1."""
    p = np.clip(np.asarray(p, dtype=float), P_MIN, 1 - P_MIN)
    p = p / p.sum()
    head = [round(float(x), 4) for x in p[:-1]]
    return tuple(head + [round(1.0 - sum(head), 4)])  # rounded, yet summing to 1 (the engine checks)


def _threshold(fc, name: str, threshold: float, by: str) -> QuestionSpec:
    p = fc.probability(threshold, by)
    return QuestionSpec(
        title=f"{name} best score >= {threshold:g}% by {by}",
        kind="binary", outcomes=("YES", "NO"), prices=opening_prices([p, 1 - p]),
        criteria=(f"YES if a result of {threshold:g}% or more on {name} (the independent evaluators' series) "
                  f"for a model released on or before {by} is published."),
        closes_at=f"{by}T23:59:59Z", basis=f"benchcast forecast: P = {p:.3f}",
        link={"benchmark": name, "threshold": threshold, "by": by, "model_forecast": [p, 1 - p],
              "model_basis": f"benchcast forecast: P = {p:.3f}"})


def _year_buckets(fc, name: str, threshold: float, years: list[int]) -> QuestionSpec:
    from forecast.series import to_years

    until = to_years(date(years[-1], 12, 31))
    times = fc.paths.crossing_times(float(fc.data.normalise(threshold)), until=until)
    edges = [to_years(date(y, 12, 31)) for y in years]
    probs, lo = [], -np.inf
    for e in edges:
        probs.append(float(np.mean((times > lo) & (times <= e))))
        lo = e
    probs.append(float(np.mean(times > edges[-1])))
    labels = tuple(str(y) for y in years) + (f"{years[-1] + 1} or later (or never)",)
    return QuestionSpec(
        title=f"Year {name} first reaches {threshold:g}%", kind="multiple_choice", outcomes=labels,
        prices=opening_prices(probs),
        criteria=f"The calendar year of the release date of the first model with {threshold:g}% or more on {name}.",
        closes_at=f"{years[-1]}-12-31T23:59:59Z", basis="benchcast forecast: crossing-date distribution")


def starter_questions(*, seed: int = 0, cache_dir: str | Path | None = None, draws: int = 1000,
                      as_of: date | None = None, leader_date: str = "2027-06-30") -> list[QuestionSpec]:
    """FrontierMath and Humanity's Last Exam thresholds and crossing years, and open-weight
    leadership by country, each priced by benchcast's forecasts."""
    from forecast import forecast_benchmark

    as_of = as_of or date.today()
    fm = "FrontierMath Tiers 1-3 v2"
    fc = forecast_benchmark(benchmark=fm, seed=seed, draws=draws, as_of=as_of, cache_dir=cache_dir)
    hle = "Humanity's Last Exam"
    fc_hle = forecast_benchmark(benchmark=hle, seed=seed, draws=draws, as_of=as_of, cache_dir=cache_dir)
    specs = [
        _threshold(fc, fm, 95, "2027-12-31"),
        _threshold(fc, fm, 99, "2028-12-31"),
        _year_buckets(fc, fm, 95, [as_of.year, as_of.year + 1, as_of.year + 2]),
        _threshold(fc_hle, hle, 50, "2027-12-31"),
        _threshold(fc_hle, hle, 80, "2028-12-31"),
    ]
    specs.append(_leader_question("country", leader_date, seed))
    return specs


def _leader_question(by: str, leader_date: str, seed: int) -> QuestionSpec:
    """Who holds the top open-weight model (ECI) on `leader_date`: the likeliest entries of
    benchcast's rankings forecast (three countries or four labs) and "other"."""
    from forecast.rankings import leader_probabilities

    leaders = leader_probabilities(by=by, at=date.fromisoformat(leader_date), seed=seed)
    top = sorted(((k, v) for k, v in leaders.items() if k != "other"), key=lambda kv: -kv[1])
    top = top[: 3 if by == "country" else 4]
    names = [k for k, _ in top] + ["other"]
    probs = [v for _, v in top] + [1.0 - sum(v for _, v in top)]
    who = "country" if by == "country" else "organization"
    return QuestionSpec(
        title=f"Which {who} holds the top open-weight model (ECI) on {leader_date}?",
        kind="multiple_choice", outcomes=tuple(names), prices=opening_prices(probs),
        criteria=(f"The {who} of the lab of the open-weight model with the highest ECI on {leader_date} "
                  "(the lead organization when several are listed); any not listed resolves \"other\"."),
        closes_at=f"{leader_date}T23:59:59Z", basis=f"benchcast rankings: leader probabilities by {by}",
        link={"leader": who, "metric": "ECI", "at": leader_date, "model_forecast": probs,
              "model_basis": f"benchcast rankings: leader probabilities by {by}"})
