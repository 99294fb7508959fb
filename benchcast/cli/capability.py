"""`benchcast capability`: every model and benchmark series on one capability scale, and the frontier trend."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from benchcast.cli.common import SCALE, cli_errors, echo_json, fail, scale_needs_data


def _render(ci: object, top: int) -> None:
    """Print a CapabilityIndex as tables."""
    echo = typer.echo
    scale = "Epoch scale: Claude 3.5 Sonnet 130, GPT-5 150" if ci.scale.name == "eci" else "latent scale"
    echo(f"Capability index as of {ci.as_of} ({scale}); {len(ci.models)} models, {len(ci.benchmarks)} benchmark "
         f"series; fit {ci.fit_seconds:.1f} s ({ci.posterior.method})")
    echo("")
    echo(f"{'model':<40} {'index':>6} {'90% interval':>15}  {'released':<10} {'series':>6}")
    for r in ci.top(top).itertuples(index=False):
        echo(f"{r.model[:40]:<40} {r.index:6.1f} {r.lo:7.1f}-{r.hi:<7.1f}  {r.date!s:<10} {r.n_series:>6}")
    echo("")
    echo(f"{'benchmark series':<58} {'difficulty':>10} {'90% interval':>14} {'slope':>6} {'models':>6}")
    for r in ci.benchmarks.itertuples(index=False):
        echo(f"{r.item[:58]:<58} {r.difficulty:10.1f} {r.difficulty_lo:6.1f}-{r.difficulty_hi:<7.1f} "
             f"{r.slope:6.3f} {r.n_models:>6}")
    f = ci.frontier
    t, e, q = f["trend"], f["earlier_trend"], f["ratio"]
    echo("")
    echo(f"Frontier trend since {f['recent_from']}: {t['median']:.1f} points/year (90%: {t['lo']:.1f} to {t['hi']:.1f}); "
         f"{f['earlier_from']} to {f['recent_from']}: {e['median']:.1f} ({e['lo']:.1f} to {e['hi']:.1f})")
    echo(f"Acceleration ratio (recent / earlier slope): {q['median']:.2f} (90%: {q['lo']:.2f} to {q['hi']:.2f}); "
         f"P(faster) = {f['p_faster']:.2f}; {f['records']} frontier records")
    if not ci.posterior.converged:
        echo("note: the optimiser stopped before its convergence test; treat the intervals with care")


@cli_errors
def capability(
    as_of: str = typer.Option(None, "--as-of", help="Use only results known on or before this date (default: the latest)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    plot: Path = typer.Option(None, "--plot", help="Also write a PNG of the index over time with the frontier."),
    top: int = typer.Option(20, "--top", min=1, help="How many models to list (JSON lists all)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the posterior draws."),
    draws: int = typer.Option(1000, "--draws", min=100, help="Posterior draws (Laplace approximation)."),
    data: Path = typer.Option(None, "--data", help="A results CSV of your own instead of the shipped history."),
    scale: str = SCALE,
    shipped_only: bool = typer.Option(False, "--shipped-only", help="Ignore imported results (`benchcast data import`): the shipped snapshot only."),
) -> None:
    """Place every model and benchmark series on one capability scale, with the frontier trend."""
    from forecast.capability import capability_index

    if plot is not None and plot.suffix.lower() != ".png":
        raise fail(f"--plot {str(plot)!r} must end in .png")
    scale_needs_data(scale, data)
    if as_of is not None:
        from forecast.api import parse_as_of

        parse_as_of(as_of)  # before the fit is announced
    if not as_json:
        typer.echo("fitting the capability index ...", err=True)
    from priors.store import data_note, load_all

    from priors.history import read_results

    source = read_results(data, scale) if data is not None else load_all(shipped_only)
    ci = capability_index(source, as_of=as_of, seed=seed, draws=draws)
    if data is None:
        typer.echo(data_note(shipped_only), err=True)  # shipped + imported results
    if plot is not None:
        ci.plot(plot)
    if as_json:
        echo_json(ci.to_json())
        return
    _render(ci, top)
    if plot is not None:
        typer.echo(f"wrote {plot}")
    sys.stdout.flush()
