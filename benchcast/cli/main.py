"""The `benchcast` command line: mounts one module per command group."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="benchcast",
    help="Forecast AI benchmark progress and trade on it in prediction markets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)



@app.callback()
def _root() -> None:
    """Forecast AI benchmark progress and trade on it in prediction markets.

    Start with `benchcast benchmarks`, then `benchcast forecast NAME`.
    """
    from benchcast.cli.quiet import silence_known_warnings

    silence_known_warnings()


# Command registrations: one line per command module (keep this block sorted by command).
from benchcast.cli import data as _data  # noqa: E402

app.command("benchmarks")(_data.benchmarks)
app.add_typer(_data.app, name="data")
from benchcast.cli import backtest as _backtest  # noqa: E402

app.command("backtest")(_backtest.backtest)
from benchcast.cli import capability as _capability  # noqa: E402

app.command("capability")(_capability.capability)
from benchcast.cli import bots as _bots  # noqa: E402

app.add_typer(_bots.app, name="bots")
from benchcast.cli import forecast as _forecast  # noqa: E402

app.command("forecast")(_forecast.forecast)
app.command("forecasts")(_forecast.forecasts)
from benchcast.cli import market as _market  # noqa: E402

app.add_typer(_market.app, name="market")
from benchcast.cli import players as _players  # noqa: E402

_market.app.command("players")(_players.players)
_market.app.command("reissue")(_players.reissue)
_market.app.command("remove")(_players.remove)
from benchcast.cli import seed as _seed  # noqa: E402

_market.app.command("seed")(_seed.seed)
from benchcast.cli import resolving as _resolving  # noqa: E402

_market.app.command("autoresolve")(_resolving.autoresolve)
_market.app.command("scoreboard")(_resolving.scoreboard)
from benchcast.cli import priors as _priors  # noqa: E402

app.add_typer(_priors.app, name="priors")
from benchcast.cli import rankings as _rankings  # noqa: E402

app.command("rankings")(_rankings.rankings)
from benchcast.cli import serve as _serve  # noqa: E402

app.command("serve")(_serve.serve)
from benchcast.cli import simulate as _simulate  # noqa: E402

app.command("simulate")(_simulate.simulate)


def run() -> None:
    """Entry point of the `benchcast` console script."""
    app()


if __name__ == "__main__":
    run()
