"""`benchcast market players|reissue|remove`: the host looks after the people in a session."""

from __future__ import annotations

import typer

from benchcast.cli.common import cli_errors, echo_json
from benchcast.cli.market import AS_JSON, SERVER, TOKEN, _client, _table


@cli_errors
def players(server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """List everyone who joined, with their cash (host token)."""
    with _client(server, token, need_token=True) as c:
        rows = c.players()
    if as_json:
        echo_json({"players": rows})
        return
    _table(["player", "cash", "joined (UTC)", ""],
           [[p["name"], f"{p['cash']:.2f}", p["joined_at"][:16].replace("T", " "),
             "host" if p["is_host"] else ("removed" if p["is_removed"] else "")] for p in rows], {1})
    typer.echo(f"players in the game: {sum(not p['is_host'] and not p['is_removed'] for p in rows)}")


@cli_errors
def reissue(name: str = typer.Argument(..., help="The player's name (any case)."),
            server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Give a player a new personal link (host token); their old link stops working."""
    with _client(server, token, need_token=True) as c:
        out = c.reissue(name)
    if as_json:
        echo_json(out)
        return
    typer.echo(f"new personal link for {out['name']} (send it to them; the old one no longer works):")
    typer.echo(out["link"])


@cli_errors
def remove(name: str = typer.Argument(..., help="The player's name (any case)."),
           server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Remove a player (host token): their link stops working and they leave the leaderboard."""
    with _client(server, token, need_token=True) as c:
        out = c.remove_player(name)
    if as_json:
        echo_json(out)
        return
    typer.echo(f"removed {out['name']}: their link no longer works; their trades stay in the history")
