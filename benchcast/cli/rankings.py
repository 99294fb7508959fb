"""`benchcast rankings`: who will hold the best open-weight model, and how far open trails closed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from benchcast.cli.common import cli_errors, echo_json, fail


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date like 2026-12-31") from None


def _render(result: object) -> None:
    """Print a RankingsForecast as a few human lines."""
    r = result  # a forecast.rankings.RankingsForecast
    typer.echo(f"{r.metric}: open-weight leader by {r.by}, data up to {r.as_of}")
    typer.echo(
        f"now: {r.now_leader} leads; the closed frontier is {r.now_gap_score:.1f} points ahead "
        f"and reached today's open best {r.now_gap_months:.1f} months earlier"
    )
    for a in r.at:
        probs = "  ".join(f"{name} {p:.2f}" for name, p in a.leader_probabilities.items())
        g, s = a.gap_months, a.gap_score
        typer.echo(f"{a.date}  leader: {probs}")
        typer.echo(
            f"{'':10}  gap: {g['0.5']:.1f} months (80%: {g['0.1']:.1f} to {g['0.9']:.1f}), "
            f"{s['0.5']:.1f} points (80%: {s['0.1']:.1f} to {s['0.9']:.1f})"
        )
    if r.divergences:
        typer.echo(f"note: {r.divergences} divergent transitions in sampling; treat the tails with care")


def _backtest(frame: object, metric: str, seed: int, config: object, as_json: bool) -> None:
    """Run the leader backtest and print its log-score table (and the gap check)."""
    from forecast.rankings.backtest import (
        run_backtest,
        summarize_backtest,
        summarize_gaps,
    )
    from priors.open_weight import match_metric, metrics

    name = match_metric(metric, metrics(frame))
    rows = run_backtest(frame, name, seed=seed, config=config)
    table, gaps = summarize_backtest(rows), summarize_gaps(rows)
    if as_json:
        echo_json({"metric": name, "log_score": table.to_dict(orient="records"),
                   "gap_months": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                                  for r in gaps.to_dict(orient="records")]})
        return
    typer.echo(f"{name}: mean log score of P(actual open-weight leader), higher is better")
    typer.echo(f"{'by':<13} {'horizon':>7} {'n':>3} {'model':>7} {'persist':>8} {'freq':>7}")
    for r in table.itertuples(index=False):
        typer.echo(f"{r.by:<13} {r.horizon!s:>7} {r.n:>3} {r.model:>7.3f} {r.persistence:>8.3f} {r.frequency:>7.3f}")
    inside = int(gaps["inside_80"].sum())
    typer.echo(f"gap in months: the observed gap fell inside the 80% interval {inside} of {len(gaps)} times")


@cli_errors
def rankings(
    by: str = typer.Option("country", "--by", help="Rank by country or organization."),
    metric: str = typer.Option("ECI", "--metric", help="Score to rank on (a name or an unambiguous part of one)."),
    as_of: str = typer.Option(None, "--as-of", help="Use only data dated on or before this (default: the metric's last date)."),
    at: list[str] = typer.Option(None, "--at", help="Date to forecast; repeat for several (default: 6 and 12 months on)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    plot: Path = typer.Option(None, "--plot", help="Also write a PNG chart of records, forecast and leader odds."),
    seed: int = typer.Option(0, "--seed", help="Seed of the sampler and the simulation."),
    draws: int = typer.Option(400, "--draws", min=50, help="Posterior draws per chain (2 chains)."),
    data: Path = typer.Option(None, "--data", help="An open_weight.csv of your own instead of the shipped one."),
    backtest: bool = typer.Option(False, "--backtest", help="Instead: score leader forecasts from past as-of dates against two baselines (minutes)."),
    shipped_only: bool = typer.Option(False, "--shipped-only", help="Ignore imported results (`benchcast data import`): the shipped snapshot only."),
) -> None:
    """Forecast which country or lab will hold the top open-weight model, and the open-closed gap."""
    from forecast.rankings import forecast_rankings
    from forecast.rankings.model import DEFAULT_SAMPLER
    from priors.open_weight import read_open_weight

    if plot is not None and plot.suffix.lower() != ".png":
        raise fail(f"--plot {str(plot)!r} must end in .png")
    day = _parse_date(as_of, "--as-of") if as_of else None
    days = [_parse_date(v, "--at") for v in at] if at else None
    from priors.store import load_open_weight

    frame = read_open_weight(data) if data else load_open_weight(shipped_only)  # shipped + imported scores
    config = DEFAULT_SAMPLER.with_overrides(draws=draws, tune=draws)
    if backtest:
        _backtest(frame, metric, seed, config, as_json)
        return
    result = forecast_rankings(frame, metric=metric, by=by, as_of=day, at=days, seed=seed, config=config)
    if plot is not None:
        from forecast.rankings.plot import plot_rankings

        plot_rankings(frame, result, plot, seed=seed)
    if as_json:
        echo_json(result.to_dict())
        return
    _render(result)
    if not data:
        from priors.store import Store

        extra = 0 if shipped_only else len(Store().imported_open_weight())
        typer.echo("data: shipped only" if shipped_only else f"data: shipped + {extra} imported open-weight scores")
    if plot is not None:
        typer.echo(f"wrote {plot}")
