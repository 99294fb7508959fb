"""`benchcast forecast`: a benchmark's frontier timeline, as tables, JSON or a fan chart."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from benchcast.cli.common import SCALE, cli_errors, echo_json, fail, scale_needs_data


def half_year_ends(after: date, n: int = 5) -> list[date]:
    """The next `n` June 30ths and December 31sts after `after`."""
    out, year = [], after.year
    while len(out) < n:
        for d in (date(year, 6, 30), date(year, 12, 31)):
            if d > after and len(out) < n:
                out.append(d)
        year += 1
    return out


def cache_dir() -> Path:
    from benchcast.db.engine import data_home

    return data_home() / "cache"


def _pair_thresholds(thresholds: list[float], by: list[str]) -> list[tuple[float, date]]:
    from forecast.result import parse_date

    if by and not thresholds:
        raise fail("--by needs --threshold: e.g. --threshold 80 --by 2027-12-31", 2)
    if not by:
        return []
    if len(by) not in (1, len(thresholds)):
        raise fail(f"give one --by for all thresholds or one per --threshold ({len(thresholds)}), not {len(by)}", 2)
    dates = [parse_date(b, "--by date") for b in by]
    if len(dates) == 1:
        dates = dates * len(thresholds)
    return list(zip(thresholds, dates))


def _render(fc, at: list[date], pairs: list[tuple[float, date]], crossing: list[float]) -> None:
    d = fc.data
    echo = typer.echo
    released = d.released
    from forecast.series import from_years

    echo(f"{fc.benchmark}  (floor {fc.floor:g}%, released {from_years(released)}), as of {fc.as_of}; "
         f"method {fc.method}")
    if fc.frontier:
        f = fc.frontier
        echo(f"Frontier: {f.score:.1f}% by {f.model} ({f.date}); {d.n_results} results, "
             f"{d.n_records} records; series: {', '.join(d.series_names)}")
    else:
        echo("Frontier: no results known yet")
    for note in fc.notes:
        echo(f"Note: {note}")
    echo("")
    stands = fc.frontier is not None
    echo(f"{'best score by':<14}{'mean':>7}" + "".join(f"{int(q * 100):>6}%" for q in (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95))
         + ("   P(record stands)" if stands else ""))
    for day in at:
        qs = fc.quantiles(day)
        echo(f"{day.isoformat():<14}{fc.mean(day):>7.1f}" + "".join(f"{v:>7.1f}" for v in qs.values())
             + (f"{fc.record_stands(day):>19.2f}" if stands else ""))
    if pairs:
        echo("")
        for thr, by in pairs:
            p = fc.probability(thr, by)
            crossed = "  (already reached)" if fc.is_crossed(thr) else ""
            echo(f"P(best >= {thr:g}% by {by}) = {p:.3f}{crossed}")
    if crossing:
        echo("")
        for thr in crossing:
            if fc.is_crossed(thr):
                echo(f"First date best >= {thr:g}%: already reached on {fc.frontier.date} ({fc.frontier.score:.1f}%)")
                continue
            qs, p_not = fc.crossing(thr)
            cells = "  ".join(f"{int(q * 100)}%: {d.isoformat() if d else 'not by horizon'}" for q, d in qs.items())
            echo(f"First date best >= {thr:g}%:  {cells}  (P not within 10 years: {p_not:.2f})")
    echo("")
    if fc.weights:
        for band in fc.weights["bands"]:
            span = f"<= {band['max_months']:g} months" if band["max_months"] is not None else "longer"
            if fc.weights.get("online_as_of"):
                span = f"any horizon; from the members' forecasts resolved by {fc.weights['online_as_of']}"
            cells = ", ".join(f"{m} {w:.2f}" for m, w in band["weights"].items())
            echo(f"Ensemble weights ({span}): {cells}")
        if fc.members and at:
            alone = {m: fc.member(m) for m in fc.members}
            parts = [f"median on {at[-1]} " + ", ".join(f"{m} {a.quantiles(at[-1])[0.5]:.1f}" for m, a in alone.items())]
            parts += [f"P(best >= {thr:g}% by {by}) " + ", ".join(f"{m} {a.probability(thr, by):.3f}" for m, a in alone.items())
                      for thr, by in pairs]
            echo("Each member alone: " + "; ".join(parts))
        recal = fc.weights.get("recalibration", {"kind": "pit" if fc.weights["recalibrated"] else "none"})
        how = {"none": "no (the held-out backtest kept the plain pool)", "pit": "yes, empirical PIT map",
               "beta": f"yes, beta transform a={recal.get('a')}, b={recal.get('b')}"}[recal["kind"]]
        echo(f"Recalibrated: {how}")
    dg = fc.diagnostics
    if dg is not None:
        status = "POOR: " + "; ".join(dg.warnings) if dg.is_poor else ("ok" if not dg.warnings else "; ".join(dg.warnings))
        echo(f"Diagnostics (saturation fit): max r_hat {dg.r_hat_max:.3f}, min bulk ESS {dg.ess_bulk_min:.0f}, "
             f"{dg.divergences} divergences ({status})")
    else:
        how = {"ensemble": "reference: Laplace/EM; trend: error quantiles; ceilings learned from past plateaus",
               "reference": "Laplace/EM; ceilings learned from past plateaus",
               "trend": "the rule's past error quantiles; ceilings learned from past plateaus",
               "capability": "capability index and frontier trend; each curve's posterior on a grid"}.get(fc.method)
        echo(f"Diagnostics: no MCMC in {fc.method}" + (f" ({how})" if how else ""))
    prior = f"population prior: data known by {fc.prior_cutoff}; " if fc.prior_cutoff else ""
    echo(f"{prior[:1].upper() + prior[1:]}draws {fc.paths.n}")


@cli_errors
def forecast(
    benchmark: str = typer.Argument(..., help="A shipped benchmark (any case), or one in --data."),
    data: Path = typer.Option(None, "--data", help="Your results CSV: benchmark, model, date, score[, provenance ...]; a file of the named benchmark alone may leave out the benchmark column."),
    scale: str = SCALE,
    floor: float = typer.Option(None, "--floor", help="Random-chance score in percent (known for shipped benchmarks; default 0 for yours)."),
    ceiling: float = typer.Option(None, "--ceiling", help="Fix the maximum reachable score (percent) instead of learning it."),
    released: str = typer.Option(None, "--released", help="The benchmark's release date (default: known, or the first result's)."),
    as_of: str = typer.Option(None, "--as-of", help="Use only results known on or before this date (default: today)."),
    at: list[str] = typer.Option(None, "--at", help="Report the frontier at this date (repeatable; default: the next 5 half-year ends)."),
    threshold: list[float] = typer.Option(None, "--threshold", help="A score threshold in percent (repeatable); gives its crossing date."),
    by: list[str] = typer.Option(None, "--by", help="With --threshold: P(best >= threshold by this date) (one, or one per threshold)."),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
    plot: Path = typer.Option(None, "--plot", help="Write a fan chart PNG here."),
    method: str = typer.Option(None, "--method", help="saturation, reference, trend, ensemble or capability (default: what the backtests favour)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed, same forecast."),
    draws: int = typer.Option(2000, "--draws", help="Posterior draws in all (2 chains)."),
    refit: bool = typer.Option(False, "--refit", help="Sample again even if an identical fit is cached."),
    save: bool = typer.Option(True, "--save/--no-save", help="Record this forecast in the local database."),
    db: str = typer.Option(None, "--db", help="Database URL (default: BENCHCAST_DB or SQLite in BENCHCAST_HOME)."),
    shipped_only: bool = typer.Option(False, "--shipped-only", help="Ignore imported results (`benchcast data import`): the shipped snapshot only."),
) -> None:
    """Forecast a benchmark's best score: quantiles by date, threshold odds, crossing dates."""
    from forecast.query import ForecastQuery
    from forecast.result import parse_date

    from priors.store import data_note, history_source

    scale_needs_data(scale, data)
    source = data if data is not None else history_source(shipped_only)  # shipped + imported results
    scale = scale if data is not None else "percent"  # the store keeps imports in percent
    query = ForecastQuery(source, benchmark, floor=floor, scale=scale, ceiling=ceiling, released=released, as_of=as_of,
                          method=method, draws=draws, seed=seed, cache_dir=cache_dir(), refit=refit,
                          progressbar=sys.stderr.isatty() and not as_json,
                          notify=lambda message: typer.echo(message, err=True))
    as_of_day = query.day
    thresholds = list(threshold or [])
    pairs = _pair_thresholds(thresholds, list(by or []))
    at_days = [parse_date(a, "--at date") for a in at] if at else half_year_ends(as_of_day)
    query.check_dates(at_days + [b for _, b in pairs], thresholds)
    fc = query.run()
    crossing = thresholds or [t for t in (50.0, 80.0, 90.0, 95.0) if not fc.is_crossed(t)][:3]
    result = fc.to_json(at_days, pairs, crossing)
    if as_json:
        echo_json(result)
    else:
        _render(fc, at_days, pairs, crossing)
    if data is None:
        typer.echo(data_note(shipped_only), err=as_json)
    if save:
        from benchcast.db.engine import make_engine
        from benchcast.db.forecasts import save_forecast_run

        engine = make_engine(db)
        run = save_forecast_run(engine=engine, benchmark=fc.benchmark, as_of=fc.as_of.isoformat(), seed=seed,
                                draws=draws, data_file=str(data) if data else None, result=result)
        typer.echo(f"saved as forecast #{run.id} in {engine.url.render_as_string(hide_password=True)}",
                   err=as_json)
    if plot is not None:
        from priors.history import read_results

        res = read_results(source, scale or "percent", benchmark=fc.benchmark)  # the query checked its scale
        res = res[res["benchmark"] == fc.benchmark]
        until = max(at_days + [b for _, b in pairs])
        out = fc.plot(plot, until=until, thresholds=thresholds, results=res[res["date"].dt.date <= as_of_day])
        typer.echo(f"wrote {out}", err=as_json)


@cli_errors
def forecasts(
    benchmark: str = typer.Argument(None, help="Only this benchmark."),
    limit: int = typer.Option(20, "--limit", help="How many, newest first."),
    db: str = typer.Option(None, "--db", help="Database URL (default: BENCHCAST_DB or SQLite in BENCHCAST_HOME)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List saved forecasts, newest first, with their threshold probabilities."""
    import json

    from benchcast.db.engine import make_engine
    from benchcast.db.forecasts import list_forecast_runs

    runs = list_forecast_runs(engine=make_engine(db), benchmark=benchmark, limit=limit)
    if as_json:
        echo_json({"forecasts": [{"id": r.id, "created_at": r.created_at.isoformat(), "benchmark": r.benchmark,
                                  "as_of": r.as_of, "result": json.loads(r.result_json)} for r in runs]})
        return
    if not runs:
        typer.echo("no saved forecasts yet: run `benchcast forecast NAME`")
    for r in runs:
        res = json.loads(r.result_json)
        probs = ", ".join(f"P(>={t['threshold']:g} by {t['by']})={t['probability']:.3f}" for t in res["thresholds"])
        front = res["frontier"]["score"] if res.get("frontier") else None
        typer.echo(f"#{r.id:<4} {r.created_at:%Y-%m-%d %H:%M}  {r.benchmark}  as of {r.as_of}  "
                   f"frontier {front}  {probs}")
