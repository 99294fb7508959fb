"""Starter questions: opening prices are valid market prices taken from the forecasts."""

from __future__ import annotations

import json

import pytest

from markets.seed import P_MIN, opening_prices


def test_opening_prices_are_clipped_and_sum_to_one() -> None:
    p = opening_prices([0.999, 0.001])
    assert sum(p) == pytest.approx(1.0, abs=1e-3)
    assert min(p) >= P_MIN * 0.95
    assert opening_prices([0.3, 0.7]) == (0.3, 0.7)


@pytest.mark.slow
def test_seed_dry_run_prices_come_from_forecasts(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from benchcast.cli.main import app

    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path))
    res = CliRunner().invoke(app, ["market", "seed", "--dry-run", "--json"])
    assert res.exit_code == 0, res.output
    qs = json.loads(res.stdout)["questions"]
    assert len(qs) == 6
    for q in qs:
        assert sum(q["prices"]) == pytest.approx(1.0, abs=1e-3)
        assert len(q["prices"]) == len(q["outcomes"])
    assert any("FrontierMath Tiers 1-3 v2 best score >= 95%" in q["title"] for q in qs)
    assert any(q["outcomes"][0] in ("CN", "US") for q in qs if "open-weight" in q["title"])
