"""`benchcast capability` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app

runner = CliRunner()


def test_bad_plot_name_is_one_line_and_exit_1(tmp_path: Path) -> None:
    res = runner.invoke(app, ["capability", "--plot", str(tmp_path / "index.svg")])
    assert res.exit_code == 1
    assert res.output.strip() == f"error: --plot {str(tmp_path / 'index.svg')!r} must end in .png"


def test_bad_as_of_is_one_line_and_exit_1() -> None:
    res = runner.invoke(app, ["capability", "--as-of", "2025-13-01", "--json"])
    assert res.exit_code == 1
    assert res.output.strip() == "error: as-of date '2025-13-01' is not a date like 2027-12-31"


def test_too_early_as_of_says_so() -> None:
    res = runner.invoke(app, ["capability", "--as-of", "2019-01-01", "--json"])
    assert res.exit_code == 1
    assert res.output.startswith("error: ") and "the capability index needs at least 2 series and 10 models" in res.output


@pytest.mark.slow
def test_json_and_plot_end_to_end(tmp_path: Path) -> None:
    png = tmp_path / "index.png"
    res = runner.invoke(app, ["capability", "--json", "--as-of", "2025-09-01", "--draws", "200", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["as_of"] == "2025-09-01" and out["scale"] == "eci"
    assert {"model", "index", "lo", "hi", "date"} <= set(out["models"][0])
    assert png.stat().st_size > 10_000
