"""`benchcast rankings` through the real command line (the sampler replaced by fixed draws,
except in the slow test)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app
from forecast.rankings import forecast as rankings_forecast
from forecast.rankings.model import RankingsFit
from forecast.sampling import Diagnostics

runner = CliRunner()
ROOT = Path(__file__).parents[2]


def _fixed_fit(data, config=None, seed=0) -> RankingsFit:
    """Posterior-like draws: every lab alike, modest rates; no MCMC."""
    rng = np.random.default_rng(seed)
    n, labs, countries = 300, len(data.labs), len(set(data.lab_country))
    draws = {
        "mu_b": np.full(n, 0.8), "tau_b": np.full(n, 0.1), "beta": np.zeros((n, countries)),
        "mu_k": rng.normal(0.2, 0.05, n), "kappa": np.full(n, 0.5), "rho": np.zeros(n), "mu_l": np.zeros(n),
        "tau_l": np.full(n, 0.5),
        "b": np.full((n, labs), 0.8), "lam": np.full((n, labs), 2.0), "eta": np.full((n, labs), 0.2),
        "eta0": np.full(n, 0.5), "omega": np.full(n, 0.4), "alpha": np.full(n, -3.0), "nu": np.full(n, 1.0), "rho_nu": np.zeros(n),
        "mu_0": np.full(n, -1.0), "sigma_0": np.full(n, 0.5), "a_c": np.full(n, 2.0), "b_c": np.full(n, 0.7),
        "omega_c": np.full(n, 0.3), "alpha_c": np.full(n, -1.0), "lam_c": np.full(n, 25.0),
    }
    diag = Diagnostics(r_hat_max=1.02, ess_bulk_min=350.0, divergences=3, draws=150, chains=2)
    return RankingsFit(data=data, draws=draws, diagnostics=diag)


@pytest.fixture
def fixed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(rankings_forecast, "sample", _fixed_fit)
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))  # fixed fits never reach a real cache


def invoke(*args: str):
    return runner.invoke(app, ["rankings", *args])


def test_json_contract(fixed: None) -> None:
    res = invoke("--json", "--as-of", "2025-06-30", "--at", "2026-06-30", "--at", "2025-12-31", "--seed", "2")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"as_of", "by", "at"} <= set(out)
    assert out["as_of"] == "2025-06-30" and out["by"] == "country"
    assert [a["date"] for a in out["at"]] == ["2025-12-31", "2026-06-30"]
    pool = out["pool"]  # pooled with the recency baseline by default; the model's own odds kept
    assert pool["source"] and [w["date"] for w in pool["weights"]] == ["2025-12-31", "2026-06-30"]
    # one weight per date, from the backtest horizon nearest it: 6 months, then 12
    assert [w["horizon_months"] for w in pool["weights"]] == [6, 12]
    assert all(0.0 < w["weight"] < 1.0 and w["n_questions"] >= 0 for w in pool["weights"])
    for at in out["at"]:
        assert set(at) == {"date", "leader_probabilities", "model_leader_probabilities", "gap_months", "gap_score"}
        probs = at["leader_probabilities"]
        assert "other" in probs and sum(probs.values()) == pytest.approx(1.0)
        assert set(at["model_leader_probabilities"]) == set(probs)
        assert sum(at["model_leader_probabilities"].values()) == pytest.approx(1.0)
        assert all(0.0 <= p <= 1.0 for p in probs.values())
        assert list(at["gap_months"]) == ["0.1", "0.5", "0.9"]
        assert at["gap_months"]["0.1"] <= at["gap_months"]["0.5"] <= at["gap_months"]["0.9"]
        assert list(at["gap_score"]) == ["0.1", "0.5", "0.9"]
    assert out["now"]["leader"] == "CN"
    assert out["diagnostics"] == {"r_hat_max": 1.02, "ess_bulk_min": 350.0, "divergences": 3, "chains": 2,
                                  "draws": 150, "warnings": [
                                      "r_hat 1.020 > 1.01: chains disagree",
                                      "bulk ESS 350 < 400: few effective draws",
                                      "3 divergent transitions: the posterior may be biased"]}


def test_default_dates_follow_today(fixed: None) -> None:
    """Without --as-of the data end before today: the default dates are 6 and 12 months from today."""
    from datetime import date, timedelta

    out = json.loads(invoke("--json").stdout)
    today = date.today()
    assert [a["date"] for a in out["at"]] == [(today + timedelta(days=d)).isoformat() for d in (182, 365)]
    assert out["as_of"] < today.isoformat()


def test_user_results_change_the_leader(fixed: None) -> None:
    """Hunyuan-Large from docs/data/hunyuan_large.csv: Tencent leads at 2024-11-30, and takes odds."""
    csv = ROOT / "docs" / "data" / "hunyuan_large.csv"
    args = ("--json", "--by", "organization", "--as-of", "2024-11-30", "--at", "2025-06-30")
    base = json.loads(invoke(*args).stdout)
    mine = json.loads(invoke(*args, "--data", str(csv)).stdout)
    assert base["now"]["leader"] == "Alibaba" and mine["now"]["leader"] == "Tencent"
    assert "Tencent" not in base["at"][0]["leader_probabilities"]
    assert mine["at"][0]["model_leader_probabilities"]["Tencent"] > 0.1
    assert mine["at"][0]["leader_probabilities"]["Tencent"] > 0.02  # the recency baseline saw one month of it
    assert sum(mine["at"][0]["leader_probabilities"].values()) == pytest.approx(1.0)


def test_backtest_json_and_reliability_plot(fixed: None, tmp_path: Path) -> None:
    png = tmp_path / "rel.png"
    res = invoke("--backtest", "--json", "--plot", str(png), "--workers", "1")  # fixed draws live in this process
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    cells = {(r["by"], r["horizon"]): r for r in out["scores"]}
    assert {(by, h) for by in ("country", "organization") for h in (3, 6, 12)} <= set(cells)
    assert cells[("country", 3)]["n"] == 29 and cells[("country", 12)]["n"] == 20
    for r in out["scores"]:
        for m in ("model", "persistence", "frequency", "recency", "pooled"):
            assert r[f"log_{m}"] < 0 and 0 <= r[f"brier_{m}"] <= 2
    assert {f"{by}/{h}" for by in ("country", "organization") for h in (3, 6, 12)} == set(out["pool_weights"])
    assert out["pool_weights"]["country/3"]["n"] == 29 and 0 < out["pool_weights"]["country/3"]["weight"] < 1
    assert out["pool_weights_all_horizons"]["country"]["n"] == 75
    assert sum(b["n"] for b in out["reliability"]) > 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert res.stderr == ""  # quiet with --json


def test_no_pool_and_pool_file(fixed: None, tmp_path: Path) -> None:
    """--no-pool shows the model's own odds; --pool reads a file written by --save-pool."""
    args = ("--json", "--as-of", "2025-06-30", "--at", "2026-06-30")
    pooled, alone = json.loads(invoke(*args).stdout), json.loads(invoke(*args, "--no-pool").stdout)
    assert alone["pool"] is None and "model_leader_probabilities" not in alone["at"][0]
    assert pooled["at"][0]["model_leader_probabilities"] == alone["at"][0]["leader_probabilities"]
    assert pooled["at"][0]["leader_probabilities"] != alone["at"][0]["leader_probabilities"]
    path = tmp_path / "pool.json"
    res = invoke("--backtest", "--workers", "1", "--save-pool", str(path))
    assert res.exit_code == 0, res.output
    assert "pooled" in res.stdout and f"wrote {path}" in res.stdout
    saved = json.loads(path.read_text())
    assert saved["provenance"]["n_questions"] == len(saved["questions"]) == 150
    assert saved["format"] == "benchcast-rankings-pool/2" and saved["rule"].startswith("log pool")
    assert all(sum(q["p_model"].values()) == pytest.approx(1.0) and q["actual"] for q in saved["questions"])
    mine = json.loads(invoke(*args, "--pool", str(path)).stdout)["pool"]
    assert mine["source"] == str(path) and mine["weights"][0]["horizon_months"] == 12
    assert mine["weights"][0]["n_questions"] == sum(
        q["by"] == "country" and q["horizon"] == 12 and q["resolved"] <= "2025-06-30" for q in saved["questions"])
    assert invoke("--save-pool", str(path)).exit_code == 1
    bad = invoke("--pool", str(tmp_path / "none.json"))
    assert bad.exit_code == 1 and "no rankings pool file" in bad.stderr


def test_same_seed_same_output(fixed: None) -> None:
    args = ("--json", "--by", "organization", "--as-of", "2025-06-30", "--seed", "4")
    assert invoke(*args).stdout == invoke(*args).stdout


def test_human_output_and_plot(fixed: None, tmp_path: Path) -> None:
    png = tmp_path / "r.png"
    res = invoke("--by", "organization", "--as-of", "2025-06-30", "--at", "2026-01-01", "--plot", str(png))
    assert res.exit_code == 0, res.output
    assert "open-weight leader by organization" in res.stdout
    assert "2026-01-01  leader:" in res.stdout and "gap:" in res.stdout
    assert "leader odds: model^(1 - w) * recent frequency^w (log pool), w learned per horizon" in res.stdout
    assert "model alone: " in res.stdout and "-month questions, n = " in res.stdout
    assert "diagnostics: r_hat max 1.020, bulk ESS min 350, 3 divergences (2 chains x 150 draws)" in res.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--by", "lab"), "--by 'lab' is not one of country, organization"),
        (("--data", str(ROOT / "docs" / "rankings.md")), "unknown column"),
        (("--metric", "HLE"), "unknown metric 'HLE'"),
        (("--metric", "BBH"), "names no organization or country"),
        (("--as-of", "yesterday"), "--as-of 'yesterday' is not a date"),
        (("--as-of", "2025-06-30", "--at", "2025-01-01"), "is not after the as-of date 2025-06-30"),
        (("--as-of", "2023-01-01"), "need at least 3 from 2 labs"),
        (("--plot", "chart.svg"), "must end in .png"),
        (("--data", "/nonexistent.csv"), "no such file"),
    ],
)
def test_bad_input_is_one_error_line(fixed: None, args: tuple[str, ...], message: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 1
    assert res.stderr.startswith("error: ") and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.output


def test_predictive_checks(fixed: None) -> None:
    """`--check`: the past simulated from the fit against the data, as text and as JSON."""
    res = invoke("--check", "--as-of", "2024-11-30")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "ECI (Epoch Capabilities Index): posterior predictive checks of the fit as of 2024-11-30 (working units)"
    assert any(line.startswith("corr(jump, distance behind record)") for line in lines)
    assert any(line.startswith("diagnostics: r_hat max 1.020") for line in lines)
    out = json.loads(invoke("--check", "--as-of", "2024-11-30", "--json").stdout)
    names = [c["name"] for c in out["checks"]]
    assert names == ["jump sd", "mean record gain", "share setting a lab record", "corr(jump, distance behind record)",
                     "new labs",
                     "releases of all labs", "sd of release counts across labs", "largest release count of a lab",
                     "open record growth over the last year", "changes of the leading lab over the last year"]
    for c in out["checks"]:
        assert 0.0 <= c["p_value"] <= 1.0 and c["replicated"] == sorted(c["replicated"])
    growth = out["checks"][-2]
    assert growth["observed"] == pytest.approx((129.45 - 117.87) / 13.7303, abs=1e-3)  # Yi-34B -> Qwen2.5-72B


def test_help() -> None:
    res = runner.invoke(app, ["rankings", "--help"])
    assert res.exit_code == 0 and "--as-of" in res.stdout


@pytest.mark.slow
def test_real_fit_through_cli() -> None:
    res = invoke("--json", "--as-of", "2025-06-30", "--at", "2025-12-31", "--draws", "150", "--seed", "1")
    assert res.exit_code == 0, res.output
    probs = json.loads(res.stdout)["at"][0]["leader_probabilities"]
    assert sum(probs.values()) == pytest.approx(1.0)
