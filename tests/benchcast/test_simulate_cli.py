"""`benchcast simulate` through the real command line: JSON values, text, plot, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["simulate", *args])


def test_json_has_the_contract_values() -> None:
    res = invoke("--truth", "0.8", "--bots", "informed:6,noise:6,kelly:3", "--steps", "400", "--runs", "3",
                 "--seed", "7", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["truth"] == [0.8, pytest.approx(0.2)]
    assert len(d["final_prices"]) == 2 and sum(d["final_prices"]) == pytest.approx(1.0)
    assert d["final_prices"][0] > 0.6  # informed money moved it toward the truth from 0.5
    assert 0 <= d["brier_final"] <= 1 and d["log_score_final"] <= 0
    assert set(d["pnl_by_strategy"]) == {"informed", "noise", "kelly"}
    assert d["pnl_by_strategy"]["noise"]["bots"] == 6
    assert d["maker_loss"] <= d["maker_loss_bound"] == pytest.approx(100.0)
    assert d["runs"] == 3 and d["steps"] == 400 and len(d["final_prices_by_run"]) == 3
    # Same seed, same numbers.
    again = invoke("--truth", "0.8", "--bots", "informed:6,noise:6,kelly:3", "--steps", "400", "--runs", "3",
                   "--seed", "7", "--json")
    assert json.loads(again.stdout) == d


def test_sweep_plot_and_text(tmp_path: Path) -> None:
    png = tmp_path / "sim.png"
    res = invoke("--steps", "300", "--sweep-subsidy", "10,100,1000", "--plot", str(png))
    assert res.exit_code == 0, res.output
    assert "subsidy sweep" in res.output and "maker loss" in res.output and "price error" in res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    js = invoke("--steps", "300", "--sweep-subsidy", "10,1000", "--json")
    rows = json.loads(js.stdout)["sweep"]
    assert [r["subsidy"] for r in rows] == [10.0, 1000.0]
    assert rows[0]["mean_move"] > rows[1]["mean_move"]


def test_start_prices_set_the_makers_prior_and_bound() -> None:
    d = json.loads(invoke("--start", "0.1", "--bots", "kelly:3", "--steps", "300", "--json").stdout)
    assert d["price_error"][0]["error"] == pytest.approx(0.6)  # started at 0.1 against a truth of 0.7
    assert d["maker_loss_bound"] == pytest.approx(100 / np.log(2) * -np.log(0.1), rel=1e-6)  # -b ln min p0


def test_multi_outcome_cpmm_and_forecast_belief() -> None:
    multi = json.loads(invoke("--truth", "0.5,0.3,0.2", "--steps", "200", "--json").stdout)
    assert multi["outcomes"] == ["O1", "O2", "O3"] and multi["maker_loss_bound"] == pytest.approx(100.0)
    cpmm = invoke("--mechanism", "cpmm", "--steps", "200", "--json")
    assert cpmm.exit_code == 0 and json.loads(cpmm.stdout)["b"] is None
    fc = invoke("--bots", "forecast:3", "--forecast-belief", "0.9", "--truth", "0.5", "--steps", "300",
                "--kelly-fraction", "1", "--json")
    assert fc.exit_code == 0, fc.output
    assert json.loads(fc.stdout)["final_prices"][0] > 0.6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--truth", "1.7"], "truth"),
        (["--truth", "0.5,0.2"], "sums to"),
        (["--bots", "wizard:1"], "unknown strategy"),
        (["--mechanism", "cpmm", "--outcomes", "4"], "binary questions only"),
        (["--subsidy", "-1"], "subsidy"),
        (["--steps", "0"], "steps"),
        (["--runs", "0"], "runs"),
        (["--sweep-subsidy", "10,abc"], "--sweep-subsidy"),
        (["--plot", "out.jpg"], ".png"),
        (["--bots", "forecast:2", "--question", "Will it rain?"], "forecast bots need"),
        (["--aggressiveness", "2"], "aggressiveness"),
        (["--start", "0.5,0.2"], "start prices"),
        (["--start", "0.0005"], "initial price"),
        (["--kelly-fraction", "0"], "Kelly fraction"),
    ],
)
def test_bad_input_is_one_error_line(args: list[str], message: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_usage_error_and_help() -> None:
    assert invoke("--steps", "many").exit_code == 2
    res = invoke("--help")
    assert res.exit_code == 0 and "--sweep-subsidy" in res.output and "--bots" in res.output
