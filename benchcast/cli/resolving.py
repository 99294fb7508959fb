"""`benchcast market autoresolve` and `benchcast market scoreboard`: questions settled by the
data, and who forecast them better."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from benchcast.cli.common import cli_errors, echo_json

DB = typer.Option(None, "--db", help="Database URL (default: BENCHCAST_DB, else SQLite in BENCHCAST_HOME).")
AS_JSON = typer.Option(False, "--json", help="Print one JSON object instead of text.")


@cli_errors
def autoresolve(db: str = DB, today: str = typer.Option(None, "--today", help="Decide as if it were this date (default: today)."),
                as_json: bool = AS_JSON) -> None:
    """Resolve every linked question the data (shipped + imported) now settles, with evidence."""
    from datetime import date

    from benchcast.db.autoresolve import autoresolve_url
    from benchcast.errors import ConfigError

    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise ConfigError(f"--today {today!r} is not a date such as 2027-01-31") from None
    done = autoresolve_url(db, today=day)
    if as_json:
        echo_json({"resolved": [asdict(r) for r in done]})
        return
    for r in done:
        typer.echo(f"resolved #{r.question_id} {r.outcome}: {r.title}")
        typer.echo(f"    {r.reason}")
        for e in r.evidence:
            typer.echo(f"    evidence: {e['benchmark']} | {e['model']} | {e['date']} | {e['score']:g} | {e['provenance']} | {e['origin']}")
    typer.echo(f"{len(done)} questions resolved from the data")


@cli_errors
def scoreboard(db: str = DB, plot: Path = typer.Option(None, "--plot", help="Write a calibration PNG (market against model)."),
               as_json: bool = AS_JSON) -> None:
    """Score every resolved question: market at close and time-weighted, the model, each trader (Brier, log)."""
    from benchcast.db.engine import create_all, make_engine
    from benchcast.db.scoreboard import build_scoreboard, calibration_plot, render_lines

    engine = make_engine(db)
    try:
        create_all(engine)
        board = build_scoreboard(engine)
    finally:
        engine.dispose()
    if plot:
        calibration_plot(board, plot)
    if as_json:
        echo_json(board.to_dict())
        return
    for line in render_lines(board):
        typer.echo(line)
    if plot:
        typer.echo(f"wrote {plot}")


def link_lines(link: dict) -> list[str]:
    """How a linked question resolves, the model's opening forecast, and the evidence once decided."""
    if link["kind"] == "leader":
        lines = [f"linked: {link['leader']} of the open-weight leader on {link['metric']} at {link['at']} "
                 f"(decided {link['grace_days']} days later)"]
    else:
        lines = [f"linked: {link['benchmark']} >= {link['threshold']:g}% by {link['by']}, {link['series']} series, "
                 f"{link['settings'].replace('_', '-')} settings, grace {link['grace_days']} days"]
    if link.get("model_forecast"):
        lines.append(f"model at opening: {' / '.join(f'{p:.3f}' for p in link['model_forecast'])}  ({link.get('model_basis') or 'given'})")
    ev = link.get("evidence")
    if ev:
        lines.append(f"resolved from the data: {link['decided']} - {ev['reason']}")
        lines += [f"    evidence: {e['model']} | {e['date']} | {e['score']:g} | {e['provenance']} | {e['origin']}" for e in ev["rows"]]
    return lines
