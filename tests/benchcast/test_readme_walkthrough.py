"""The README's market walkthrough runs as written, against a real server, with the output shown.

Every `$ benchcast market ...` line of the block after the walkthrough marker is run in order
(GINA_TOKEN is the token that the join printed); each output line must match the README's,
except the parts that change from run to run: tokens, links, "closes in ...", joining times.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from benchcast.cli.main import app
from benchcast.server.process import ServerProcess

README = Path(__file__).resolve().parents[2] / "README.md"
HOST = "host-token-walkthrough-0123456789"
VOLATILE = re.compile(r"token|closes in|\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def walkthrough() -> list[tuple[str, list[str]]]:
    text = README.read_text()
    block = text.split("<!-- walkthrough:", 1)[1].split("```\n", 1)[1].split("\n```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def test_readme_market_walkthrough_runs_as_written(tmp_path, monkeypatch):
    steps = walkthrough()
    assert len(steps) == 10 and all(cmd.startswith("benchcast market ") for cmd, _ in steps)
    with ServerProcess(f"sqlite:///{tmp_path / 'walk.db'}", HOST, extra=["--invite", "pizza"]) as s:
        monkeypatch.setenv("BENCHCAST_SERVER", s.url)
        monkeypatch.setenv("BENCHCAST_TOKEN", HOST)
        gina = ""
        for cmd, expected in steps:
            args = [a.replace("GINA_TOKEN", gina) for a in shlex.split(cmd)[1:]]
            r = CliRunner().invoke(app, args)
            got = (r.stdout + r.stderr).splitlines()
            assert r.exit_code == (1 if expected[0].startswith("error:") else 0), (cmd, r.output)
            if "token (for --token" in r.stdout:
                gina = r.stdout.split("BENCHCAST_TOKEN): ")[1].strip()
            assert len(got) == len(expected), (cmd, got)
            for want, line in zip(expected, got):
                if not VOLATILE.search(want):
                    assert line == want, cmd
        # Beyond the README: removing a player, and the refusals in one line each.
        r = CliRunner().invoke(app, ["market", "remove", "GINA"])
        assert (r.exit_code, r.stdout) == (0, "removed Gina: their link no longer works; their trades stay in the history\n")
        r = CliRunner().invoke(app, ["market", "players", "--json"])
        assert [(p["name"], p["is_removed"]) for p in json.loads(r.stdout)["players"]] == [("host", False), ("Gina", True)]
        r = CliRunner().invoke(app, ["market", "reissue", "nobody"])
        assert (r.exit_code, r.stderr) == (1, "error: server refused (404): no player is called 'nobody': see `benchcast market players`\n")
        r = CliRunner().invoke(app, ["market", "create", "Old news", "--closes-at", "2020-01-01"])
        assert r.exit_code == 1 and r.stderr.startswith("error: server refused (400): closes_at 2020-01-01T00:00Z is in the past")
