"""The README's forecast tour is the real output of the code: the FrontierMath block, re-run as of
the day it shows (the default method draws no MCMC, so the output is the same on any machine)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from benchcast.cli.main import app

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND = '$ benchcast forecast "FrontierMath Tiers 1-3 v2" --threshold 95 --by 2027-12-31'


def test_readme_forecast_block_is_what_the_command_prints(tmp_path, monkeypatch) -> None:
    block = README.read_text().split(COMMAND + "\n", 1)[1].split("```", 1)[0].splitlines()
    as_of = re.search(r"as of (\d{4}-\d{2}-\d{2});", block[0]).group(1)
    shown = [line for line in block if not line.startswith(("data:", "saved as"))]
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path))
    res = CliRunner().invoke(app, [*shlex.split(COMMAND)[2:], "--as-of", as_of, "--no-save"])
    assert res.exit_code == 0, res.output
    got = [line for line in res.stdout.splitlines() if not line.startswith(("data:", "saved as"))]
    assert got == shown
