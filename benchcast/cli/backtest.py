"""`benchcast backtest`: forecasts from past cut-offs scored against what happened."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import typer

from benchcast.cli.common import SCALE, cli_errors, echo_json, fail, scale_needs_data
from benchcast.cli.progress import Progress


def _horizons(text: str) -> tuple[int, ...]:
    out = []
    for part in text.split(","):
        p = part.strip().lower().removesuffix("m")
        if not p.isdigit() or not 1 <= int(p) <= 60:
            raise fail(f"horizon {part.strip()!r} is not a number of months like 6m (1-60)", 2)
        out.append(int(p))
    return tuple(sorted(set(out)))


def _meta(results, floor: float | None = None):
    from priors.history import BenchmarkInfo, load_metadata

    meta = load_metadata()
    for name in set(results["benchmark"]) - set(meta):  # a user's own benchmarks
        first = results.loc[results["benchmark"] == name, "date"].min().date()
        meta[name] = BenchmarkInfo(name, 0.0 if floor is None else floor, first)
    return meta


def _user_cutoffs(user, horizons: tuple[int, ...]) -> tuple:
    """Default cut-offs for a user's file: the standard ones that fall inside it, else every
    quarter from the month after a benchmark's third result to the smallest horizon before the
    file's last result (at most the last eight)."""
    from forecast.backtest import DEFAULT_CUTOFFS, add_months
    from forecast.saturation.population import MIN_RESULTS

    # A benchmark is scored from its third result on (`population_data`).
    first = min(g.sort_values().iloc[min(MIN_RESULTS, len(g)) - 1] for _, g in user.groupby("benchmark")["date"]).date()
    last = user["date"].max().date()
    inside = tuple(c for c in DEFAULT_CUTOFFS if first < c and add_months(c, min(horizons)) <= last)
    if inside:
        return inside
    start = add_months(first.replace(day=1), 1)
    out = []
    while add_months(start, min(horizons)) <= last:
        out.append(start)
        start = add_months(start, 3)
    return tuple(out[-8:])


def _methods(text: str | None) -> tuple[str, ...]:
    from forecast.members import available

    if text is None:
        return available()
    names = tuple(m.strip() for m in text.split(",") if m.strip())
    bad = [m for m in names if m not in available()]
    if bad or not names:
        raise fail(f"--methods {text!r}: each must be one of {', '.join(available())}", 2)
    return names


@cli_errors
def backtest(
    cutoff: list[str] = typer.Option(None, "--cutoff", help="A cut-off date (repeatable; default: 2023-07-01 to 2025-07-01 every 6 months)."),
    horizon: str = typer.Option("6m,12m,18m", "--horizon", help="Horizons in months, comma-separated."),
    data: Path = typer.Option(None, "--data", help="Your results CSV: its benchmarks are scored, with the shipped history around them (a benchmark of the same name is replaced by yours)."),
    floor: float = typer.Option(None, "--floor", help="With --data: random-chance score in percent of your benchmarks that are not shipped (default 0)."),
    benchmarks: str = typer.Option(None, "--benchmarks", help="Only score these benchmarks (comma-separated; all are still fitted)."),
    include_new: bool = typer.Option(False, "--include-new", help="Also score benchmarks released after each cut-off, from the population prior alone."),
    held_out: bool = typer.Option(False, "--held-out", help="Leave-one-benchmark-out in K folds: each benchmark forecast as a user's CSV, from fits without it."),
    folds: int = typer.Option(3, "--folds", help="With --held-out: number of benchmark folds."),
    methods: str = typer.Option(None, "--methods", help="With --held-out: methods to run (default: every available one)."),
    save_weights: Path = typer.Option(None, "--save-weights", help="With --held-out: write the learned ensemble (weights, recalibration) here, e.g. priors/data/ensemble.json."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    plot: Path = typer.Option(None, "--plot", help="Write the calibration plot and PIT histogram PNG here."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    draws: int = typer.Option(500, "--draws", help="Posterior draws per chain."),
    tune: int = typer.Option(800, "--tune", help="Tuning steps per chain."),
    workers: int = typer.Option(None, "--workers", min=1, help="Fit cut-offs (and folds) in this many processes (default: one per core)."),
    dask: str = typer.Option(None, "--dask", help="Send the fits to the Dask scheduler at this address, e.g. tcp://10.0.0.5:8786."),
    saturation: bool = typer.Option(False, "--saturation", help="Also score the saturation method and the independent-logistic baseline: two population MCMC fits per cut-off (minutes; on when the default method needs them)."),
    shipped_only: bool = typer.Option(False, "--shipped-only", help="Ignore imported results (`benchcast data import`): the shipped snapshot only."),
    scale: str = SCALE,
) -> None:
    """Score every method, the ensemble and four baselines on history each forecast did not see."""
    from forecast.backtest import DEFAULT_CUTOFFS
    from forecast.result import parse_date
    from priors.history import load_metadata, match_benchmark, read_results

    from priors.store import data_note, load_all

    scale_needs_data(scale, data)
    if floor is not None and not (data and 0.0 <= floor < 100.0):
        raise fail(f"--floor {floor:g} " + ("must be in [0, 100)" if data else "needs --data (shipped benchmarks know theirs)"), 2)
    given = tuple(sorted(parse_date(c, "--cutoff date") for c in cutoff or ()))
    if given and given[-1] > date.today():
        raise fail(f"--cutoff {given[-1]} is after today ({date.today()}): a backtest scores forecasts "
                   "made on a past day against what happened next", 2)
    results, user = load_all(shipped_only), None
    typer.echo(data_note(shipped_only), err=True)
    if data:
        from forecast.backtest import with_user_results

        user = read_results(data, scale)
        results = with_user_results(results, user)
    meta = _meta(results, floor)
    if cutoff:
        cutoffs = given
    else:
        cutoffs = _user_cutoffs(user, _horizons(horizon)) if user is not None else DEFAULT_CUTOFFS
    names = None
    if benchmarks:
        names = tuple(match_benchmark(b, sorted(set(results["benchmark"]))) for b in benchmarks.split(","))
    elif user is not None:
        names = tuple(sorted(set(user["benchmark"])))
        shipped = [n for n in names if n in load_metadata()]
        typer.echo(f"scoring {', '.join(names)} from {data}"
                   + (f" (in place of the shipped {', '.join(shipped)})" if shipped else "")
                   + ("" if floor is not None or len(shipped) == len(names) else "; floor 0 assumed (pass --floor)"),
                   err=True)
        if not cutoffs:
            span = f"{user['date'].min().date()} to {user['date'].max().date()}"
            raise fail(f"{data} runs from {span}: too short to score a forecast {min(_horizons(horizon))} months "
                       "ahead; pass shorter --horizon months or --cutoff dates inside it")
    if save_weights is not None and not held_out:
        raise fail("--save-weights needs --held-out (weights are learned on held-out forecasts)", 2)
    if save_weights is not None and names is not None:
        raise fail("--save-weights learns the ensemble from every benchmark's held-out forecasts; "
                   "drop --benchmarks and --data", 2)
    if not 2 <= folds <= 36:
        raise fail(f"--folds {folds} must be between 2 and 36", 2)
    start = time.monotonic()
    if held_out:
        scores, extra = _held_out(results, meta, cutoffs, _horizons(horizon), names, folds, _methods(methods),
                                  seed, save_weights, as_json, (workers, dask))
    else:
        scores, extra = _ordinary(results, meta, cutoffs, _horizons(horizon), names, include_new, seed, draws, tune,
                                  (workers, dask), as_json, saturation)
    _report(scores, cutoffs, time.monotonic() - start, plot, as_json, extra)


def _ordinary(results, meta, cutoffs, horizons, names, include_new, seed, draws, tune, parallel, as_json, saturation):
    from benchcast.cli.forecast import cache_dir
    from forecast.backtest import BacktestConfig, run_backtest
    from forecast.ensemble.spec import load_ensemble
    from forecast.query import default_method
    from forecast.sampling import SamplerConfig
    from priors.errors import PriorFileError

    try:
        spec = load_ensemble()
    except PriorFileError:
        spec = None
    default = default_method()
    # The MCMC fits run when asked, or when the default method or the ensemble needs them.
    fits = saturation or default == "saturation" or (spec is not None and "saturation" in spec.members)
    config = BacktestConfig(cutoffs=cutoffs, horizons=horizons, benchmarks=names, include_new=include_new,
                            sampler=SamplerConfig(draws=draws, tune=tune, chains=2, target_accept=0.95, seed=seed),
                            ensemble=spec, default=default, fits=fits, cache_dir=cache_dir() / "backtest")
    workers, dask = parallel
    with Progress(f"backtest of {len(cutoffs)} cut-offs", enabled=not as_json) as bar:
        scores = run_backtest(results, meta, config, progress=bar.update, workers=workers, dask=dask)
    extra = {"default": config.default, "fits": config.fits or config.include_new}
    if spec is not None:
        extra["weights"] = _weights(spec, cutoffs, scores)
    return scores, extra


def _held_out(results, meta, cutoffs, horizons, names, folds, methods, seed, save_weights, as_json, parallel):
    from benchcast.cli.forecast import cache_dir
    from forecast.backtest.heldout import HeldOutConfig, evaluate, run_heldout

    config = HeldOutConfig(cutoffs=cutoffs, horizons=horizons, folds=folds, methods=methods, benchmarks=names,
                           seed=seed, cache_dir=cache_dir() / "heldout")
    workers, dask = parallel
    with Progress(f"held-out backtest of {len(cutoffs)} cut-offs x {folds} folds", enabled=not as_json) as bar:
        forecasts = run_heldout(results, meta, config, progress=bar.update, workers=workers, dask=dask)
    shipped = None
    if names is not None:  # a few benchmarks: combined as the shipped ensemble would combine them
        from forecast.ensemble.spec import load_ensemble
        from priors.errors import PriorFileError

        try:
            shipped = load_ensemble()
        except PriorFileError:
            shipped = None
    with Progress("ensemble weights", enabled=not as_json) as bar:
        out = evaluate(forecasts, config, results, meta, progress=bar.update, shipped=shipped)
    extra = {"default": out.default, "folds": folds, "methods": list(methods)}
    if out.spec is not None:
        extra["weights"] = _weights(out.spec, cutoffs, out.scores)
        if save_weights is not None:
            out.spec.save(save_weights)
            typer.echo(f"wrote the ensemble (default method: {out.default}) to {save_weights}", err=as_json)
    return out.scores, extra


def _weights(spec, cutoffs, scores) -> dict:
    """The spec (its stacked bands: the fall-back) and, per cut-off, the weights that combined
    the scored benchmarks there (their fold's spec at the cut-off)."""
    scored = {s.benchmark for s in scores if s.model == "ensemble"}
    return {**spec.describe(), "by_cutoff": spec.weights_report(cutoffs, scored)}


def _weights_line(row: dict) -> str:
    bands = row["bands"]
    if len(bands) == 1:
        text = " / ".join(f"{m} {w:.2f}" for m, w in bands[0]["weights"].items())
    else:
        text = "stacked " + "; ".join(
            (f"<= {b['max_months']:g}m " if b["max_months"] is not None else "longer ")
            + " / ".join(f"{m} {w:.2f}" for m, w in b["weights"].items()) for b in bands)
    resolved = f" ({row['resolved']} resolved)" if row["resolved"] is not None else ""
    return f"{'shipped spec' if row['fold'] == 'all' else 'fold ' + str(row['fold'])} {text}{resolved}"


def _report(scores, cutoffs, elapsed, plot, as_json, extra) -> None:
    from forecast.backtest import summarize
    from forecast.backtest.losses import losses

    models = summarize(scores)
    lost = losses(scores)
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
        echo_json({"cutoffs": [c.isoformat() for c in cutoffs], "horizons_months": sorted({s.horizon for s in scores}),
                   "models": models, "by_cutoff": {c.isoformat(): v for c, v in per_cutoff.items()},
                   "per_benchmark": per_bench, "losses": [x.as_dict() for x in lost],
                   "seconds": round(elapsed, 1), **extra})
        return
    _table("all cut-offs", models)
    for c, summ in per_cutoff.items():
        _table(f"cut-off {c}", summ)
    if "weights" in extra:
        from forecast.ensemble.online import MIN_RESOLVED

        typer.echo("\nensemble weights used at each cut-off (by each fold's spec: online weights from the "
                   "members' forecasts resolved by then):")
        for c, rows in extra["weights"]["by_cutoff"].items():
            typer.echo(f"  {c}  " + " | ".join(_weights_line(r) for r in rows))
        for band in extra["weights"]["bands"]:
            span = f"<= {band['max_months']:g} months" if band["max_months"] is not None else "longer"
            typer.echo(f"stacked fall-back weights ({span}; used before {MIN_RESOLVED} forecasts have resolved): "
                       + ", ".join(f"{m} {w:.2f}" for m, w in band["weights"].items()))
    if lost:
        typer.echo("\nwhere benchcast lost to the best baseline (the benchmarks that carry the gap):")
        for x in lost:
            typer.echo(f"  {x.describe()}")
    typer.echo(f"\n{len(scores)} scored forecasts in {elapsed:.0f} s; benchcast = {extra['default']}"
               + (f"; wrote {plot}" if plot else ""))
    if extra.get("fits") is False:
        typer.echo("saturation and independent logistic not fitted (their MCMC takes minutes): add --saturation")


def _table(title: str, models: dict) -> None:
    typer.echo(f"\n{title}")
    if not models:
        typer.echo("  nothing to score here (a benchmark is scored from its third result and second record on, "
                   "at horizons its data reaches)")
        return
    typer.echo(f"  {'model':<26}{'CRPS':>8}{'RMSE':>8}{'cov50':>7}{'cov80':>7}{'cov90':>7}{'Brier':>8}{'log':>7}{'n':>5}")
    for m, v in sorted(models.items(), key=lambda kv: kv[1]["crps"]):
        b = f"{v['brier']:.3f}" if v["brier"] is not None else "-"
        lg = f"{v['log_score']:.3f}" if v["log_score"] is not None else "-"
        c = v["coverage"]
        typer.echo(f"  {m:<26}{v['crps']:>8.4f}{v['rmse']:>8.4f}{c['0.5']:>7.2f}{c['0.8']:>7.2f}{c['0.9']:>7.2f}"
                   f"{b:>8}{lg:>7}{v['n']:>5}")
