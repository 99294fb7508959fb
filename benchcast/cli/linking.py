"""Building a data link (and the model's forecast for it) from `market create` options."""

from __future__ import annotations

import sys
from datetime import date

import typer

from benchcast.cli.common import fail


def _threshold_forecast(benchmark: str, threshold: float, by: str) -> tuple[list[float], str]:
    from benchcast.cli.forecast import cache_dir
    from forecast.api import forecast_benchmark
    from forecast.saturation.population import needs_build, prior_for
    from priors.store import history_source

    today = date.today()
    if needs_build(today, cache_dir=cache_dir() / "priors"):
        typer.echo(f"building a population prior from results known by {today} (minutes, once)...", err=True)
    typer.echo(f"forecasting {benchmark} (--no-model skips this)...", err=True)
    fc = forecast_benchmark(history_source(), benchmark, as_of=today, draws=1000, seed=0,
                            prior=prior_for(today, cache_dir=cache_dir() / "priors"), cache_dir=cache_dir())
    p = float(fc.probability(threshold, by))
    return [p, 1.0 - p], f"benchcast forecast as of {today}: P = {p:.3f}"


def _leader_forecast(leader: str, metric: str, at: str, outcomes: list[str] | None) -> tuple[list[str], list[float], str]:
    from forecast.rankings import leader_probabilities

    typer.echo(f"forecasting the open-weight leader by {leader} (--no-model skips this)...", err=True)
    probs = leader_probabilities(by=leader, at=date.fromisoformat(at), metric=metric, seed=0)
    if not outcomes:
        top = sorted(((k, v) for k, v in probs.items() if k != "other"), key=lambda kv: -kv[1])[:3]
        outcomes = [k for k, _ in top] + ["other"]
    named = [o for o in outcomes if o != "other"]
    p = [probs.get(o, 0.0) for o in named] + [1.0 - sum(probs.get(o, 0.0) for o in named)]
    return named + ["other"], p, "benchcast rankings: leader probabilities"


def link_spec(benchmark: str | None, threshold: float | None, by: str | None, leader: str | None, metric: str,
              at: str | None, grace_days: int, model: bool, outcomes: list[str] | None
              ) -> tuple[dict | None, list[float] | None, list[str] | None]:
    """(link for POST /api/questions, the model's forecast per outcome, outcomes) from the options."""
    if benchmark is None and leader is None:
        return None, None, outcomes
    if benchmark is not None and leader is not None:
        raise fail("give --benchmark (a threshold question) or --leader (a leader question), not both")
    forecast, basis = None, ""
    if benchmark is not None:
        if threshold is None or by is None:
            raise fail("--benchmark needs --threshold T and --by DATE")
        _check_day(by, "--by")
        link = {"benchmark": benchmark, "threshold": threshold, "by": by, "grace_days": grace_days}
        if model:
            forecast, basis = _threshold_forecast(benchmark, threshold, by)
    else:
        if at is None:
            raise fail("--leader needs --at DATE (and --metric, default ECI)")
        _check_day(at, "--at")
        link = {"leader": leader, "metric": metric, "at": at, "grace_days": grace_days}
        if model:
            outcomes, forecast, basis = _leader_forecast(leader, metric, at, outcomes)
    if forecast is not None:
        forecast = clip_forecast(forecast)
        link |= {"model_forecast": forecast, "model_basis": basis}
        sys.stderr.flush()
    return link, forecast, outcomes if leader else None


def clip_forecast(p: list[float], eps: float = 0.001) -> list[float]:
    """Probabilities kept inside [eps, 1 - eps] and summing to 1: a forecast from 1000 draws
    that never saw an outcome says "under 1 in 1000", not "impossible" (a log score of -inf)."""
    q = [min(max(x, eps), 1 - eps) for x in p]
    return [round(x / sum(q), 6) for x in q]


def _check_day(text: str, option: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r} is not a date such as 2027-12-31") from None
