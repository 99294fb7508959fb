"""`benchcast benchmarks`: what the shipped (or a user's) data holds."""

from __future__ import annotations

from pathlib import Path

import typer

from benchcast.cli.common import cli_errors, echo_json


@cli_errors
def benchmarks(
    data: Path = typer.Option(None, "--data", help="A results CSV of your own instead of the shipped history."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """List benchmarks: results, date span, best score and model so far, random-chance floor."""
    from priors.history import read_results, summarize

    table = summarize(read_results(data))
    if as_json:
        records = [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rec.items()}
            for rec in table.to_dict(orient="records")
        ]
        echo_json({"benchmarks": records})
        return
    width = max(len("benchmark"), *(len(b) for b in table["benchmark"]))
    typer.echo(f"{'benchmark':<{width}}  {'pts':>4}  {'first':<10}  {'last':<10}  {'best':>6}  {'floor':>5}  best model")
    for r in table.itertuples(index=False):
        floor = "?" if r.floor is None else f"{r.floor:g}"
        typer.echo(
            f"{r.benchmark:<{width}}  {r.points:>4}  {r.first}  {r.last}  {r.best:>6.1f}  {floor:>5}  {r.best_model}"
        )
    typer.echo(f"{len(table)} benchmarks, {int(table['points'].sum())} results")
