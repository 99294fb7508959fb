"""`benchcast backtest`: forecasts from past cut-offs scored against what happened."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from benchcast.cli.common import cli_errors, echo_json, fail


def _horizons(text: str) -> tuple[int, ...]:
    out = []
    for part in text.split(","):
        p = part.strip().lower().removesuffix("m")
        if not p.isdigit() or not 1 <= int(p) <= 60:
            raise fail(f"horizon {part.strip()!r} is not a number of months like 6m (1-60)", 2)
        out.append(int(p))
    return tuple(sorted(set(out)))


@cli_errors
def backtest(
    cutoff: list[str] = typer.Option(None, "--cutoff", help="A cut-off date (repeatable; default: 2023-07-01 to 2025-07-01 every 6 months)."),
    horizon: str = typer.Option("6m,12m,18m", "--horizon", help="Horizons in months, comma-separated."),
    data: Path = typer.Option(None, "--data", help="Results CSV instead of the shipped history."),
    benchmarks: str = typer.Option(None, "--benchmarks", help="Only score these benchmarks (comma-separated; all are still fitted)."),
    include_new: bool = typer.Option(False, "--include-new", help="Also score benchmarks released after each cut-off, from the population prior alone."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    plot: Path = typer.Option(None, "--plot", help="Write the calibration plot and PIT histogram PNG here."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    draws: int = typer.Option(500, "--draws", help="Posterior draws per chain."),
    tune: int = typer.Option(800, "--tune", help="Tuning steps per chain."),
    shipped_only: bool = typer.Option(False, "--shipped-only", help="Ignore imported results (`benchcast data import`): the shipped snapshot only."),
) -> None:
    """Score benchcast and four baselines on history each forecast did not see."""
    from forecast.api import parse_date
    from forecast.backtest import DEFAULT_CUTOFFS, BacktestConfig, run_backtest, summarize
    from forecast.sampling import SamplerConfig
    from priors.history import BenchmarkInfo, load_metadata, match_benchmark, read_results

    from priors.store import data_note, load_all

    results = read_results(data) if data else load_all(shipped_only)
    if not data:
        typer.echo(data_note(shipped_only), err=True)
    meta = load_metadata()
    for name in set(results["benchmark"]) - set(meta):  # a user's own benchmarks
        first = results.loc[results["benchmark"] == name, "date"].min().date()
        meta[name] = BenchmarkInfo(name, 0.0, first)
    cutoffs = tuple(sorted(parse_date(c, "--cutoff date") for c in cutoff)) if cutoff else DEFAULT_CUTOFFS
    names = None
    if benchmarks:
        names = tuple(match_benchmark(b, sorted(set(results["benchmark"]))) for b in benchmarks.split(","))
    config = BacktestConfig(cutoffs=cutoffs, horizons=_horizons(horizon), benchmarks=names, include_new=include_new,
                            sampler=SamplerConfig(draws=draws, tune=tune, chains=2, target_accept=0.95, seed=seed))
    start = time.monotonic()
    steps = 3 * len(cutoffs)
    with typer.progressbar(length=steps, label="backtest", file=sys.stderr) as bar:
        scores = run_backtest(results, meta, config, progress=lambda _: bar.update(1))
    elapsed = time.monotonic() - start
    models = summarize(scores)
    per_cutoff = {c: summarize([s for s in scores if s.cutoff == c]) for c in cutoffs}
    per_bench = []
    for key in sorted({(s.benchmark, s.cutoff, s.model) for s in scores}, key=lambda k: (k[1], k[0], k[2])):
        mine = [s.crps for s in scores if (s.benchmark, s.cutoff, s.model) == key]
        per_bench.append({"benchmark": key[0], "cutoff": key[1].isoformat(), "model": key[2],
                          "crps": round(sum(mine) / len(mine), 5), "n": len(mine)})
    if plot is not None:
        from forecast.plot import backtest_chart

        backtest_chart(scores, plot)
    if as_json:
        echo_json({"cutoffs": [c.isoformat() for c in cutoffs], "horizons_months": list(config.horizons),
                   "models": models, "by_cutoff": {c.isoformat(): v for c, v in per_cutoff.items()},
                   "per_benchmark": per_bench, "seconds": round(elapsed, 1)})
        return
    _table("all cut-offs", models)
    for c, summ in per_cutoff.items():
        _table(f"cut-off {c}", summ)
    typer.echo(f"\n{len(scores)} scored forecasts in {elapsed:.0f} s" + (f"; wrote {plot}" if plot else ""))


def _table(title: str, models: dict) -> None:
    typer.echo(f"\n{title}")
    typer.echo(f"  {'model':<26}{'CRPS':>8}{'RMSE':>8}{'cov50':>7}{'cov80':>7}{'cov90':>7}{'Brier':>8}{'log':>7}{'n':>5}")
    for m, v in sorted(models.items(), key=lambda kv: kv[1]["crps"]):
        b = f"{v['brier']:.3f}" if v["brier"] is not None else "-"
        lg = f"{v['log_score']:.3f}" if v["log_score"] is not None else "-"
        c = v["coverage"]
        typer.echo(f"  {m:<26}{v['crps']:>8.4f}{v['rmse']:>8.4f}{c['0.5']:>7.2f}{c['0.8']:>7.2f}{c['0.9']:>7.2f}"
                   f"{b:>8}{lg:>7}{v['n']:>5}")
