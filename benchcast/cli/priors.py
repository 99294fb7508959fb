"""`benchcast priors`: build, show and compare the population priors."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from benchcast.cli.common import cli_errors, echo_json

app = typer.Typer(help="Build, show and compare the population priors learned from the shipped history.",
                  no_args_is_help=True)


@app.command("build")
@cli_errors
def build(
    as_of: str = typer.Option(None, "--as-of", help="Use only results known on or before this date (default: today)."),
    curve: str = typer.Option("logistic", "--curve", help="logistic or gompertz."),
    out: Path = typer.Option(None, "--out", help="Where to save (default: the package's priors/data/population.json)."),
    draws: int = typer.Option(1000, "--draws", help="Posterior draws per chain."),
    tune: int = typer.Option(1000, "--tune", help="Tuning steps per chain."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    workers: int = typer.Option(None, "--workers", min=1, help="Local processes for the chains (default: one per core; 1 runs them here)."),
    dask: str = typer.Option(None, "--dask", metavar="ADDRESS", help="Run the chains on the Dask scheduler at ADDRESS (tcp://host:port)."),
) -> None:
    """Fit the hierarchical model to every shipped benchmark and save the population posterior."""
    from forecast.api import parse_as_of
    from forecast.saturation.population import build_prior
    from forecast.sampling import SamplerConfig
    from priors.history import data_path, load_metadata, read_results

    day = parse_as_of(as_of, "--as-of date") if as_of else date.today()
    from benchcast.cli.progress import Progress

    config = SamplerConfig(draws=draws, tune=tune, chains=2, target_accept=0.95, seed=seed)
    where = f"on {dask}" if dask else f"{workers or 'one per core'} worker(s)"
    with Progress(f"fitting the population model ({curve}) to results known by {day}, chains {where}") as bar:
        prior, _ = build_prior(read_results(), load_metadata(), day, curve=curve, config=config,
                               workers=workers, dask=dask, progress=bar.tasks)
    path = prior.save(out or data_path("population.json"))
    _show(prior)
    typer.echo(f"saved {path}")


def _show(prior) -> None:
    from forecast.saturation.model import HYPER

    typer.echo(f"curve {prior.curve}; data cut-off {prior.cutoff} (last result known {prior.last_known}); "
               f"{len(prior.benchmarks)} benchmarks; built {prior.created}")
    dg = prior.diagnostics
    typer.echo(f"diagnostics: max r_hat {dg.get('r_hat_max')}, min bulk ESS {dg.get('ess_bulk_min')}, "
               f"{dg.get('divergences')} divergences")
    for k in HYPER:
        v = prior.hyper[k]
        typer.echo(f"  {k:<6} {v.mean():>8.3f} ± {v.std():.3f}")


@app.command("show")
@cli_errors
def show(
    path: Path = typer.Option(None, "--path", help="A saved prior (default: the shipped one)."),
    as_json: bool = typer.Option(False, "--json", help="Print the prior's provenance as JSON."),
) -> None:
    """Show a saved population prior: provenance, diagnostics, hyperparameters."""
    from forecast.saturation.population import load_prior

    prior = load_prior(path)
    if as_json:
        obj = prior.to_json()
        obj["hyper"] = {k: {"mean": float(v.mean()), "sd": float(v.std())} for k, v in prior.hyper.items()}
        echo_json(obj)
    else:
        _show(prior)


@app.command("compare")
@cli_errors
def compare(
    as_of: str = typer.Option(None, "--as-of", help="Use only results known on or before this date (default: today)."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compare the logistic and Gompertz curves by PSIS-LOO and posterior predictive coverage."""
    from dataclasses import asdict

    from forecast.api import parse_as_of
    from forecast.saturation.compare import compare_curves
    from forecast.sampling import SamplerConfig
    from priors.history import load_metadata, read_results

    day = parse_as_of(as_of, "--as-of date") if as_of else date.today()
    typer.echo("fitting both hierarchical variants (about 3 minutes) ...", err=True)
    scores = compare_curves(read_results(), load_metadata(), day,
                            config=SamplerConfig(draws=1000, tune=1000, chains=2, target_accept=0.95, seed=seed,
                                                 progressbar=sys.stderr.isatty()))
    if as_json:
        echo_json({"as_of": day.isoformat(), "variants": [asdict(s) for s in scores]})
        return
    typer.echo(f"{'curve':<10}{'elpd_loo':>10}{'se':>7}{'p_loo':>7}{'diff':>8}{'dse':>6}{'weight':>8}"
               f"{'k>0.7':>6}{'ppc50':>7}{'ppc90':>7}{'r_hat':>7}{'div':>5}")
    for s in scores:
        typer.echo(f"{s.curve:<10}{s.elpd_loo:>10.1f}{s.se:>7.1f}{s.p_loo:>7.1f}{s.elpd_diff:>8.1f}{s.dse:>6.1f}"
                   f"{s.weight:>8.2f}{s.pareto_k_bad:>6}{s.ppc_cover50:>7.2f}{s.ppc_cover90:>7.2f}"
                   f"{s.r_hat_max:>7.3f}{s.divergences:>5}")
