"""Every command and subcommand has useful help, and the README's commands exist."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from benchcast.cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    out: list[list[str]] = []

    def walk(cmd: object, path: list[str]) -> None:
        out.append(path)
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, path + [name])

    walk(root, [])
    return out


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "benchcast")
def test_help(path: list[str]) -> None:
    res = CliRunner().invoke(app, path + ["--help"])
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.output
    body = res.output.split("Options:")[0]
    assert len(body.strip().splitlines()) >= 3, f"{' '.join(path)} has no description"


def test_every_issue_command_is_there() -> None:
    names = {" ".join(p) for p in _commands()}
    for cmd in ("forecast", "benchmarks", "priors build", "backtest", "simulate", "rankings", "serve",
                "market audit", "market seed", "market buy", "bots run"):
        assert cmd in names


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    blocks = [b.split("```")[0].strip() for b in readme.split("```\n")[1:]]
    test_cmd = next(b for b in blocks if "pytest" in b)
    assert test_cmd in ci
