"""`benchcast benchmarks` and `benchcast data ...`: what the data holds, and keeping it current."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from benchcast.cli.common import SCALE, cli_errors, echo_json, fail, scale_needs_data

app = typer.Typer(help="Keep benchmark data current: import results (CSV or Epoch AI's zip), add one, undo, status.",
                  no_args_is_help=True, rich_markup_mode=None)
AS_JSON = typer.Option(False, "--json", help="Print one JSON object instead of text.")
SHIPPED_ONLY = typer.Option(False, "--shipped-only", help="Ignore imported results: use only the shipped snapshot.")


def history_note(shipped_only: bool) -> str:
    """The line a command prints about the data it read: shipped only, or shipped + N imported."""
    from priors.store import data_note

    return data_note(shipped_only)


@cli_errors
def benchmarks(
    data: Path = typer.Option(None, "--data", help="A results CSV of your own instead of the shipped history."),
    scale: str = SCALE,
    shipped_only: bool = SHIPPED_ONLY,
    as_json: bool = AS_JSON,
) -> None:
    """List benchmarks: results, date span, best score and model so far, random-chance floor."""
    from priors.history import read_results, summarize
    from priors.store import load_all

    scale_needs_data(scale, data)
    table = summarize(read_results(data, scale) if data else load_all(shipped_only))
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
        floor = "?" if r.floor is None or r.floor != r.floor else f"{r.floor:g}"
        typer.echo(
            f"{r.benchmark:<{width}}  {r.points:>4}  {r.first}  {r.last}  {r.best:>6.1f}  {floor:>5}  {r.best_model}"
        )
    typer.echo(f"{len(table)} benchmarks, {int(table['points'].sum())} results"
               + ("" if data else f"  ({history_note(shipped_only)})"))


def _download(url: str) -> Path:
    """Fetch `url` into the data directory; one clear line when there is no network."""
    import httpx

    from benchcast.db.engine import data_home
    from benchcast.errors import ConfigError

    target = data_home() / "data" / "downloads" / (url.rstrip("/").rsplit("/", 1)[-1] or "download")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=30.0) as resp:
            if resp.status_code != 200:
                raise ConfigError(f"cannot download {url}: the server answered {resp.status_code}")
            with target.open("wb") as fh:
                for chunk in resp.iter_bytes():
                    fh.write(chunk)
    except httpx.HTTPError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot download {url}: no network or server unreachable ({reason})") from None
    return target


def _print_record(rec: dict, dry_run: bool) -> None:
    verb = "would import" if dry_run else (f"import {rec['id']}:" if rec["added"] + rec["added_open_weight"] else "nothing new:")
    ow = f", {rec['added_open_weight']} open-weight scores" if rec["added_open_weight"] else ""
    typer.echo(f"{verb} {rec['added']} results{ow} from {rec['source']}; {rec['duplicates']} already known (skipped)")
    if rec["benchmarks"]:
        typer.echo("benchmarks: " + ", ".join(rec["benchmarks"]))


@app.command("import")
@cli_errors
def import_(
    path: str = typer.Argument(..., help="A results CSV, an open_weight-style CSV, Epoch AI's benchmark_data.zip, or an http(s) URL of one."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; store nothing."),
    db: str = typer.Option(None, "--db", help="Then resolve the linked questions of this market database that the data settles."),
    scale: str = SCALE,
    as_json: bool = AS_JSON,
) -> None:
    """Import results into the local data store (validated, deduplicated, undoable)."""
    from priors.errors import ImportRejected
    from priors.store import import_file

    local = _download(path) if path.startswith(("http://", "https://")) else Path(path)
    try:
        rec = import_file(local, source=path, dry_run=dry_run, scale=scale).to_dict()
    except ImportRejected as exc:
        if as_json:
            echo_json({"imported": False, "problems": exc.problems})
            raise typer.Exit(1) from None
        for line in exc.problems[:10]:
            typer.echo(f"error: {line}", err=True)
        n = len(exc.problems)
        raise fail(f"nothing imported: {n} bad row{'s' if n > 1 else ''}" + (" (first 10 shown)" if n > 10 else "")) from None
    resolved = []
    if db and not dry_run:
        from benchcast.db.autoresolve import autoresolve_url

        resolved = autoresolve_url(db)
    if as_json:
        echo_json({"import": rec, "resolved": [asdict(r) for r in resolved]})
        return
    _print_record(rec, dry_run)
    for r in resolved:
        typer.echo(f"resolved #{r.question_id} {r.outcome}: {r.title}; {r.reason}")


@app.command("status")
@cli_errors
def status(as_json: bool = AS_JSON) -> None:
    """What was imported, and what the imports hold that is newer than the shipped snapshot."""
    from priors.store import Store, imported_count, newer_than_shipped

    records = [r.to_dict() for r in Store().records()]
    newer = newer_than_shipped()
    if as_json:
        echo_json({"imports": records, "imported_results": imported_count(), "benchmarks": newer})
        return
    if not records:
        typer.echo("no imports yet: the shipped snapshot only (`benchcast data import PATH`)")
        return
    for r in records:
        flag = "" if r["status"] == "active" else f"  [undone {r['undone_at']}]"
        typer.echo(f"import {r['id']}  {r['imported_at']}  {r['kind']:<5}  +{r['added']} results"
                   + (f" +{r['added_open_weight']} open-weight" if r["added_open_weight"] else "")
                   + f"  ({r['duplicates']} duplicates skipped)  {r['source']}{flag}")
    for b in newer:
        shipped = "new benchmark" if b["is_new_benchmark"] else f"shipped to {b['shipped_last']}, best {b['shipped_best']:.1f}"
        record = "  NEW RECORD" if b["is_record"] else ""
        typer.echo(f"  {b['benchmark']}: {b['imported']} imported ({b['newer']} newer); best {b['best']:.1f} "
                   f"by {b['best_model']} ({b['best_date']}); {shipped}{record}")
    typer.echo(f"data: shipped + {imported_count()} imported results")


@app.command("add")
@cli_errors
def add(
    benchmark: str = typer.Argument(..., help="Benchmark name (a shipped one, any case, or a new one)."),
    model: str = typer.Argument(..., help="Model name."),
    score: float = typer.Argument(..., help="Score in percent, 0-100."),
    date: str = typer.Option(..., "--date", help="The model's release date, YYYY-MM-DD."),
    organization: str = typer.Option("", "--organization", help="The lab."),
    country: str = typer.Option("", "--country", help="The lab's country code (US, CN, FR ...)."),
    open_weights: bool = typer.Option(None, "--open-weights/--closed-weights", help="Whether the weights are public."),
    provenance: str = typer.Option("unspecified", "--provenance", help="epoch_run, self_reported, ... (self_reported results do not count as independent)."),
    source: str = typer.Option("benchcast data add", "--source", help="Where the number comes from."),
    new_benchmark: bool = typer.Option(False, "--new-benchmark", help="Allow a benchmark name the data does not have yet."),
    as_json: bool = AS_JSON,
) -> None:
    """Add one result to the local data store."""
    import pandas as pd

    from priors.errors import UnknownBenchmark
    from priors.history import match_benchmark
    from priors.store import Store, load_all

    try:
        benchmark = match_benchmark(benchmark, load_all()["benchmark"].unique())
    except UnknownBenchmark as exc:
        if not new_benchmark:
            raise UnknownBenchmark(f"{exc} (or pass --new-benchmark to add one of your own)") from None
    row = pd.DataFrame([{"benchmark": benchmark, "model": model, "date": date, "score": str(score),
                         "organization": organization, "country": country, "provenance": provenance, "source": source,
                         "open_weights": "" if open_weights is None else str(open_weights).lower()}])
    rec = Store().add(row, source=f"data add: {benchmark} {model} {score:g} {date}", kind="add").to_dict()
    if as_json:
        echo_json({"import": rec})
        return
    _print_record(rec, False)


@app.command("undo")
@cli_errors
def undo(import_id: int = typer.Argument(..., help="The import to take back (see `benchcast data status`)."),
         as_json: bool = AS_JSON) -> None:
    """Take an import back: its rows leave the local data store."""
    from priors.store import Store

    rec = Store().undo(import_id).to_dict()
    if as_json:
        echo_json({"undone": rec})
        return
    typer.echo(f"import {rec['id']} undone: {rec['added']} results removed ({rec['source']})")
