"""`benchcast market seed`: open a starter set of questions priced by benchcast's forecasts."""

from __future__ import annotations

import os

import typer

from benchcast.cli.common import cli_errors, echo_json, fail


@cli_errors
def seed(
    server: str = typer.Option(None, "--server", help="Server URL (default: BENCHCAST_SERVER or http://127.0.0.1:8000)."),
    token: str = typer.Option(None, "--token", help="The host token (default: BENCHCAST_TOKEN)."),
    subsidy: float = typer.Option(100.0, "--subsidy", help="Subsidy per market."),
    random_seed: int = typer.Option(0, "--seed", help="Random seed of the forecasts."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the questions and prices; open nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Open FrontierMath, Humanity's Last Exam and open-weight leadership questions (host token);
    the threshold and leader questions are linked to the data and resolve themselves."""
    from dataclasses import asdict

    from benchcast.cli.forecast import cache_dir
    from markets.seed import starter_questions

    specs = starter_questions(seed=random_seed, cache_dir=cache_dir())
    created = []
    if not dry_run:
        from benchcast.client import DEFAULT_SERVER, MarketClient

        token = token or os.environ.get("BENCHCAST_TOKEN")
        if not token:
            raise fail("seeding needs the host token: pass --token T or set BENCHCAST_TOKEN")
        with MarketClient(server or os.environ.get("BENCHCAST_SERVER") or DEFAULT_SERVER, token) as client:
            for s in specs:
                q = client.create(title=s.title, kind=s.kind,
                                  outcomes=list(s.outcomes) if s.kind != "binary" else None, mechanism="lmsr",
                                  subsidy=subsidy, initial_prices=list(s.prices), closes_at=s.closes_at,
                                  criteria=None if s.link else s.criteria, link=_link(s.link))
                created.append(q["id"])
    if as_json:
        echo_json({"questions": [asdict(s) | {"id": i} for s, i in zip(specs, created or [None] * len(specs))]})
        return
    for s, qid in zip(specs, created or [None] * len(specs)):
        head = f"#{qid} " if qid is not None else ""
        prices = "  ".join(f"{o} {p:.2f}" for o, p in zip(s.outcomes, s.prices))
        typer.echo(f"{head}{s.title}\n    {prices}   ({s.basis})")


def _link(link: dict | None) -> dict | None:
    """The link as POST /api/questions takes it, with the model's forecast kept off 0 and 1."""
    from benchcast.cli.linking import clip_forecast

    if link is None:
        return None
    return link | {"model_forecast": clip_forecast([float(p) for p in link["model_forecast"]])}
