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


def _render_diagnostics(diag: dict) -> None:
    typer.echo(f"diagnostics: r_hat max {diag['r_hat_max']:.3f}, bulk ESS min {diag['ess_bulk_min']:.0f}, "
               f"{diag['divergences']} divergences ({diag['chains']} chains x {diag['draws']} draws)")
    for w in diag["warnings"]:
        typer.echo(f"warning: {w}")


def _render(result: object) -> None:
    """Print a RankingsForecast as a few human lines."""
    r = result  # a forecast.rankings.RankingsForecast
    typer.echo(f"{r.metric}: open-weight leader by {r.by}, data up to {r.as_of}")
    typer.echo(
        f"now: {r.now_leader} leads; the closed frontier is {r.now_gap_score:.1f} points ahead "
        f"and reached today's open best {r.now_gap_months:.1f} months earlier"
    )
    if r.pool is not None:
        typer.echo(f"leader odds: model^(1 - w) * recent frequency^w (log pool), w learned per horizon from the backtest "
                   f"questions resolved by {r.as_of} ({r.pool['source']})")
    weights = {w["date"]: w for w in (r.pool or {}).get("weights", [])}
    for a in r.at:
        probs = "  ".join(f"{name} {p:.2f}" for name, p in a.leader_probabilities.items())
        g, s = a.gap_months, a.gap_score
        w = weights.get(a.date.isoformat())
        how = "" if w is None else (f"   (w = {w['weight']:.3f}: {w['horizon_months']}-month questions, n = {w['n_questions']})"
                                    if w["horizon_months"] is not None else f"   (w = {w['weight']:.3f}: no questions)")
        typer.echo(f"{a.date}  leader: {probs}{how}")
        if a.model_probabilities is not None:
            model = "  ".join(f"{name} {p:.2f}" for name, p in a.model_probabilities.items())
            typer.echo(f"{'':10}  model alone: {model}")
        typer.echo(
            f"{'':10}  gap: {g['0.5']:.1f} months (80%: {g['0.1']:.1f} to {g['0.9']:.1f}), "
            f"{s['0.5']:.1f} points (80%: {s['0.1']:.1f} to {s['0.9']:.1f})"
        )
    _render_diagnostics(r.to_dict()["diagnostics"])


def _pool_file(rows: list, metric: str, name: str, seed: int, draws: int, last: date) -> dict:
    """The pool file of a backtest: its questions, the weights learned from them, provenance."""
    from forecast.rankings.backtest import pool_questions
    from forecast.rankings.pool import Pool

    provenance = {"command": f"benchcast rankings --backtest --metric {metric!r} --seed {seed} --draws {draws}"
                             " --save-pool PATH",
                  "metric": name, "seed": seed, "draws_per_chain": draws, "written": date.today().isoformat(),
                  "last_resolved": last.isoformat(), "n_questions": len(rows)}
    return Pool(pool_questions(rows), provenance).to_dict(last)


def _backtest(frame: object, metric: str, seed: int, config: object, as_json: bool, plot: Path | None,
              workers: int | None, save_pool: Path | None = None) -> None:
    """Run the leader backtest and print its score table (and write the reliability plot and the
    pool file)."""
    from benchcast.cli.forecast import cache_dir
    from forecast.rankings.backtest import METHODS, reliability, run_backtest, summarize_backtest
    from priors.open_weight import match_metric, metrics

    name = match_metric(metric, metrics(frame))

    def progress(done: int, total: int, label: str) -> None:
        if not as_json:
            typer.echo(f"fitted {done} of {total} as-of dates ({label})", err=True)

    rows = run_backtest(frame, name, seed=seed, config=config, cache_dir=cache_dir() / "rankings",
                        workers=workers, progress=progress)
    table, rel = summarize_backtest(rows), reliability(rows)
    last = max(r.resolved for r in rows)
    pool_file = _pool_file(rows, metric, name, seed, config.draws, last)
    if save_pool is not None:
        from priors.jsonfile import write_json

        write_json(save_pool, pool_file)
    if plot is not None:
        from forecast.rankings.plot import plot_reliability

        plot_reliability(rows, plot)
    if as_json:
        echo_json({"metric": name, "scores": table.to_dict(orient="records"),
                   "reliability": rel.to_dict(orient="records"), "pool_weights": pool_file["weights"],
                   "pool_weights_all_horizons": pool_file["weights_all_horizons_not_used"]})
        return
    short = {"model": "model", "persistence": "keeps", "frequency": "freq", "recency": "recent", "pooled": "pooled"}
    typer.echo(f"{name}: leader forecasts from monthly as-of dates")
    typer.echo("mean log score of P(actual leader), higher is better | mean Brier, lower is better")
    typer.echo(f"{'by':<13}{'h':>3}{'n':>4} " + "".join(f"{short[m]:>8}" for m in METHODS) + " |"
               + "".join(f"{short[m]:>8}" for m in METHODS))
    for r in table.to_dict(orient="records"):
        typer.echo(f"{r['by']:<13}{r['horizon']!s:>3}{r['n']:>4} " + "".join(f"{r['log_' + m]:>8.3f}" for m in METHODS)
                   + " |" + "".join(f"{r['brier_' + m]:>8.3f}" for m in METHODS))
    typer.echo("reliability of the model (forecast -> observed, n): " + ", ".join(
        f"{r['mean_p']:.2f} -> {r['observed']:.2f} ({r['n']})" for r in rel.to_dict(orient="records")))
    typer.echo("reliability of the pool: " + ", ".join(
        f"{r['mean_p']:.2f} -> {r['observed']:.2f} ({r['n']})" for r in reliability(rows, "pooled").to_dict(orient="records")))
    typer.echo("pooled ~ model^(1 - w) * recent^w (log pool); w learned per question from earlier-resolved questions "
               "of its grouping and horizon only")
    typer.echo("pool weights from all questions resolved by " + f"{last}: " + ", ".join(
        f"{k} w = {v['weight']:.3f} (n = {v['n']})" for k, v in pool_file["weights"].items()))
    if plot is not None:
        typer.echo(f"wrote {plot}")
    if save_pool is not None:
        typer.echo(f"wrote {save_pool}")


def _check(frame: object, metric: str, as_of: date | None, seed: int, config: object, as_json: bool,
           cache: Path) -> None:
    """Print the posterior predictive checks of the fit at `as_of`."""
    from forecast.rankings import default_as_of, fit_rankings
    from forecast.rankings.checks import predictive_checks
    from priors.open_weight import match_metric, metrics

    name = match_metric(metric, metrics(frame))
    fit = fit_rankings(frame, name, as_of or default_as_of(frame, name), seed=seed, config=config, cache_dir=cache)
    checks = predictive_checks(fit, seed)
    if as_json:
        echo_json({"metric": name, "as_of": fit.data.as_of.isoformat(),
                   "checks": [{"name": c.name, "observed": round(c.observed, 4),
                               "replicated": [round(q, 4) for q in c.replicated], "p_value": round(c.p_value, 4)}
                              for c in checks]})
        return
    typer.echo(f"{name}: posterior predictive checks of the fit as of {fit.data.as_of} (working units)")
    typer.echo(f"{'statistic':<46}{'observed':>9}   replicated 10% / 50% / 90%   P(rep >= obs)")
    for c in checks:
        lo, mid, hi = c.replicated
        typer.echo(f"{c.name:<46}{c.observed:>9.3f}   {lo:>8.3f} {mid:>8.3f} {hi:>8.3f}   {c.p_value:>13.3f}")
    _render_diagnostics({**fit.diagnostics.as_dict(), "chains": fit.diagnostics.chains,
                         "draws": fit.diagnostics.draws, "warnings": fit.diagnostics.warnings})


@cli_errors
def rankings(
    by: str = typer.Option("country", "--by", help="Rank by country or organization."),
    metric: str = typer.Option("ECI", "--metric", help="Score to rank on (a name or an unambiguous part of one)."),
    as_of: str = typer.Option(None, "--as-of", help="Use only data known on or before this (default: the metric's last date)."),
    at: list[str] = typer.Option(None, "--at", help="Date to forecast; repeat for several (default: 6 and 12 months after --as-of, or after today without it)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    plot: Path = typer.Option(None, "--plot", help="Also write a PNG: records, forecast and leader odds (with --backtest: the reliability plot)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the sampler and the simulation."),
    draws: int = typer.Option(None, "--draws", min=50, help="Posterior draws per chain, 2 chains (default 1000; 500 with --backtest)."),
    data: Path = typer.Option(None, "--data", help="Your results CSV (model, organization, country, date, open_weights, metric, score), added to the shipped data."),
    backtest: bool = typer.Option(False, "--backtest", help="Instead: score leader forecasts from monthly as-of dates against three baselines (fits are cached)."),
    shipped_only: bool = typer.Option(False, "--shipped-only", help="Ignore imported results (`benchcast data import`): the shipped snapshot only."),
    workers: int = typer.Option(None, "--workers", min=1, help="With --backtest: fit in this many processes (default: one per core)."),
    check: bool = typer.Option(False, "--check", help="Instead: posterior predictive checks of the fit at --as-of (the past simulated from the fit against the data)."),
    no_pool: bool = typer.Option(False, "--no-pool", help="Show the model's own leader probabilities, not its pool with the recency baseline."),
    pool_file: Path = typer.Option(None, "--pool", help="Pool weights file (default: the shipped priors/data/rankings_pool.json)."),
    save_pool: Path = typer.Option(None, "--save-pool", help="With --backtest: write the pool's backtest questions and learned weights here, e.g. priors/data/rankings_pool.json."),
) -> None:
    """Forecast which country or lab will hold the top open-weight model, and the open-closed gap."""
    from forecast.api import parse_as_of
    from forecast.rankings import forecast_rankings
    from forecast.rankings.model import BACKTEST_SAMPLER, DEFAULT_SAMPLER
    from priors.open_weight import add_results, read_open_weight

    if plot is not None and plot.suffix.lower() != ".png":
        raise fail(f"--plot {str(plot)!r} must end in .png")
    if by not in ("country", "organization"):
        raise fail(f"--by {by!r} is not one of country, organization")
    day = parse_as_of(as_of, "--as-of") if as_of else None  # not after today
    days = [_parse_date(v, "--at") for v in at] if at else None
    from priors.store import load_open_weight

    shipped = load_open_weight(shipped_only)  # shipped + imported scores (`benchcast data import`)
    frame = shipped if data is None else add_results(shipped, read_open_weight(data))
    config = BACKTEST_SAMPLER if backtest else DEFAULT_SAMPLER
    config = config if draws is None else config.with_overrides(draws=draws, tune=draws)
    if save_pool is not None and not backtest:
        raise fail("--save-pool needs --backtest (the weights are learned from the backtest questions)")
    if backtest:
        _backtest(frame, metric, seed, config, as_json, plot, workers, save_pool)
        return
    from benchcast.cli.forecast import cache_dir

    if check:
        _check(frame, metric, day, seed, config, as_json, cache_dir() / "rankings")
        return

    from forecast.rankings.pool import load_pool

    pool = None if no_pool else load_pool(pool_file)
    result = forecast_rankings(frame, metric=metric, by=by, as_of=day, at=days, seed=seed, config=config,
                               cache_dir=cache_dir() / "rankings", pool=pool)
    if plot is not None:
        from forecast.rankings.plot import plot_rankings

        plot_rankings(frame, result, plot, seed=seed)
    if as_json:
        echo_json(result.to_dict())
        return
    _render(result)
    from priors.store import Store

    extra = 0 if shipped_only else len(Store().imported_open_weight())
    typer.echo("data: shipped only" if shipped_only else f"data: shipped + {extra} imported open-weight scores")
    if plot is not None:
        typer.echo(f"wrote {plot}")
