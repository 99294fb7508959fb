"""`benchcast backtest --json` end to end on one cut-off (tiny sampler settings)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app
from forecast.ensemble.spec import EnsembleSpec, load_ensemble
from priors.history import data_path

WEIGHTS_KEYS = {"members", "bands", "online_as_of", "recalibrated", "recalibration", "by_cutoff"}


def assert_weights_as_used(out: dict, spec: EnsembleSpec) -> None:
    """`weights.by_cutoff`: at each cut-off, the weights each fold's spec combined with there."""
    assert set(out["weights"]) >= WEIGHTS_KEYS
    by_cutoff = out["weights"]["by_cutoff"]
    assert list(by_cutoff) == out["cutoffs"]
    folds = spec.fold_specs()
    for cutoff, rows in by_cutoff.items():
        assert rows and all(set(r) == {"fold", "online_as_of", "resolved", "bands"} for r in rows)
        for row in rows:
            used = (spec if row["fold"] == "all" else folds[row["fold"] - 1]).at(date.fromisoformat(cutoff))
            assert row["online_as_of"] == used.online_as_of
            assert row["resolved"] == (used.online[used.online_as_of]["resolved"] if used.online_as_of else None)
            assert len(row["bands"]) == len(used.bands)
            for shown, band in zip(row["bands"], used.bands):
                assert list(shown["weights"]) == list(spec.members)
                assert list(shown["weights"].values()) == pytest.approx(band.weights, abs=5e-5)
                assert sum(shown["weights"].values()) == pytest.approx(1.0, abs=1e-3)


def test_backtest_json_contract(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["backtest", "--json", "--cutoff", "2024-07-01", "--horizon", "6m,12m",
                                   "--draws", "40", "--tune", "60", "--seed", "1", "--saturation",
                                   "--plot", str(tmp_path / "bt.png")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["cutoffs"] == ["2024-07-01"] and out["horizons_months"] == [6, 12]
    models = out["models"]
    methods = {"saturation", "reference", "trend"} | ({"ensemble"} if data_path("ensemble.json").is_file() else set())
    # capability joins wherever its index and frontier trend can be fitted at the cut-off
    assert set(models) - {"capability"} == {"benchcast", "persistence", "logit_trend", "independent_logistic",
                                            "reference_class"} | methods
    assert models["benchcast"] == models[out["default"]]
    for m in models.values():
        assert set(m) >= {"crps", "rmse", "coverage", "brier", "log_score", "n"}
        assert set(m["coverage"]) == {"0.5", "0.8", "0.9"}
        assert 0 < m["crps"] < 0.5 and m["n"] >= 20
    assert len({m["n"] for m in models.values()}) == 1, "every model is scored on the same points"
    row = out["per_benchmark"][0]
    assert set(row) == {"benchmark", "cutoff", "model", "crps", "n"}
    assert (tmp_path / "bt.png").stat().st_size > 10_000


def test_default_backtest_runs_no_mcmc_unless_the_default_method_needs_it() -> None:
    res = CliRunner().invoke(app, ["backtest", "--json", "--cutoff", "2024-07-01", "--horizon", "6m,12m", "--seed", "1"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    if out["default"] == "saturation":
        assert out["fits"] is True and "saturation" in out["models"]
        return
    assert out["fits"] is False
    assert "saturation" not in out["models"] and "independent_logistic" not in out["models"]
    assert {"benchcast", "reference", "trend", "persistence", "logit_trend", "reference_class"} <= set(out["models"])
    assert out["models"]["benchcast"] == out["models"][out["default"]]
    assert "ensemble" in out["models"]  # every shipped benchmark is combined by its own fold's spec
    spec = load_ensemble()
    assert [r["fold"] for r in out["weights"]["by_cutoff"]["2024-07-01"]] == list(range(1, spec.folds["k"] + 1))
    assert_weights_as_used(out, spec)


def test_backtest_text_prints_the_weights_used_at_each_cutoff() -> None:
    assert data_path("ensemble.json").is_file()  # shipped: the default method is the ensemble
    res = CliRunner().invoke(app, ["backtest", "--cutoff", "2024-01-01", "--cutoff", "2025-01-01", "--horizon", "6m",
                                   "--seed", "1"])
    assert res.exit_code == 0, res.output
    spec = load_ensemble()
    for cutoff in ("2024-01-01", "2025-01-01"):
        rows = spec.weights_report([date.fromisoformat(cutoff)])[cutoff]
        shown = " | ".join(f"fold {r['fold']} " + " / ".join(f"{m} {w:.2f}" for m, w in r["bands"][0]["weights"].items())
                           + f" ({r['resolved']} resolved)" for r in rows)
        assert f"  {cutoff}  {shown}\n" in res.stdout


def test_backtest_rejects_bad_horizons() -> None:
    res = CliRunner().invoke(app, ["backtest", "--horizon", "6m,soon"])
    assert res.exit_code == 2 and "horizon 'soon' is not a number of months" in res.stderr


def test_held_out_backtest_json_contract(tmp_path: Path) -> None:
    weights = tmp_path / "ensemble.json"
    res = CliRunner().invoke(app, ["backtest", "--held-out", "--json", "--cutoff", "2025-01-01", "--horizon", "6m",
                                   "--methods", "reference", "--folds", "3", "--workers", "1", "--seed", "2"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) >= {"cutoffs", "horizons_months", "models", "by_cutoff", "per_benchmark", "seconds", "default"}
    assert out["default"] == "reference" and out["folds"] == 3 and out["methods"] == ["reference"]
    assert set(out["models"]) == {"benchcast", "reference", "persistence", "logit_trend", "reference_class"}
    assert out["models"]["benchcast"] == out["models"]["reference"]
    assert out["by_cutoff"]["2025-01-01"]["reference"]["n"] == out["models"]["reference"]["n"] == 18
    bad = CliRunner().invoke(app, ["backtest", "--save-weights", str(weights)])
    assert bad.exit_code == 2 and "--save-weights needs --held-out" in bad.stderr and not weights.exists()


def test_held_out_ensemble_saves_its_choices(tmp_path: Path) -> None:
    weights = tmp_path / "ensemble.json"
    res = CliRunner().invoke(app, ["backtest", "--held-out", "--json", "--cutoff", "2025-01-01", "--horizon", "6m,12m",
                                   "--methods", "reference,trend", "--folds", "3", "--workers", "1", "--seed", "2",
                                   "--save-weights", str(weights)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["default"] in {"reference", "trend", "ensemble"}
    assert out["models"]["benchcast"] == out["models"][out["default"]]
    assert out["weights"]["members"] == ["reference", "trend"]
    assert out["weights"]["recalibration"]["kind"] in {"none", "pit", "beta"}
    prov = json.loads(weights.read_text())["provenance"]
    assert set(prov["recalibrations_tried"]) == {"none", "pit", "beta"}
    assert prov["recalibration"] == out["weights"]["recalibration"]["kind"]
    # every candidate pool (members x pull towards equal weights) is scored out of fold
    assert len(prov["pools_tried"]) == 5 and prov["shrink"] in (0.0, 0.01, 0.05, 0.2, 1.0)
    assert prov["held_out_crps"]["ensemble"] == round(out["models"]["ensemble"]["crps"], 5)
    # the weights reported are the ones each fold's spec combined with at the cut-off
    spec = EnsembleSpec.from_json(json.loads(weights.read_text()))
    rows = out["weights"]["by_cutoff"]["2025-01-01"]
    assert [r["fold"] for r in rows] == [1, 2, 3] and all(r["online_as_of"] == "2025-01-01" for r in rows)
    assert_weights_as_used(out, spec)


def test_backtest_names_the_benchmarks_that_carry_a_loss_to_a_baseline() -> None:
    """At 2024-01-01, 6 months on, the 3-month trend of the ensemble over-shoots BIG-Bench Hard
    and MATH Level 5, and the 12-month logit trend wins on these three benchmarks: the JSON and
    the text say which benchmarks carry the gap, consistent with the per-benchmark scores."""
    args = ["backtest", "--cutoff", "2024-01-01", "--horizon", "6m", "--seed", "0",
            "--benchmarks", "BIG-Bench Hard,MATH Level 5,MMLU"]
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    scores = out["by_cutoff"]["2024-01-01"]
    baselines = {m: scores[m]["crps"] for m in ("persistence", "logit_trend", "reference_class")}
    best = min(baselines, key=baselines.get)
    assert scores["benchcast"]["crps"] > baselines[best]  # the premise: the default lost here
    [loss] = out["losses"]
    assert loss["baseline"] == best and loss["n"] == 3
    assert loss["default_crps"] == pytest.approx(scores["benchcast"]["crps"], abs=1e-5)
    assert loss["baseline_crps"] == pytest.approx(baselines[best], abs=1e-5)
    per = {(r["benchmark"], r["model"]): r["crps"] * r["n"] for r in out["per_benchmark"]}
    excess = {b: per[(b, "benchcast")] - per[(b, best)] for b in ("BIG-Bench Hard", "MATH Level 5", "MMLU")}
    named = [c["benchmark"] for c in loss["culprits"]]
    assert named == sorted(excess, key=excess.get, reverse=True)[:len(named)]
    assert [c["excess"] for c in loss["culprits"]] == pytest.approx([excess[b] for b in named], abs=1e-4)
    assert sum(excess[b] for b in named) >= loss["gap"] - 1e-4 > sum(excess[b] for b in named[:-1])
    text = CliRunner().invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "where benchcast lost to the best baseline" in text.stdout
    assert f"  2024-01-01: {best.replace('_', ' ')} {baselines[best]:.4f} against benchcast {scores['benchcast']['crps']:.4f} (3 points); " \
           f"{named[0]} (+{excess[named[0]]:.3f} summed CRPS, 1 point)" in text.stdout


def test_held_out_backtest_of_one_benchmark_combines_it_as_the_shipped_ensemble_would(tmp_path: Path) -> None:
    """One benchmark is one fold: its spec has no other held-out forecast to stack on. It used
    to crash (stacking on nothing); now it takes the shipped pool, pull and default method,
    and equal weights where there is nothing to learn from."""
    name = "FrontierMath Tier 4 (2025-07-01 private)"
    res = CliRunner().invoke(app, ["backtest", "--held-out", "--json", "--benchmarks", name, "--cutoff", "2026-01-01",
                                   "--horizon", "3m", "--methods", "reference,trend", "--workers", "1"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    shipped = load_ensemble()
    assert out["default"] == shipped.provenance["default_method"] == "ensemble"
    assert out["models"]["benchcast"] == out["models"]["ensemble"]
    assert {r["benchmark"] for r in out["per_benchmark"]} == {name}
    rows = out["weights"]["by_cutoff"]["2026-01-01"]
    assert len(rows) == 1 and rows[0]["online_as_of"] == "2026-01-01" and rows[0]["resolved"] > 1000
    assert out["weights"]["members"] == list(shipped.members)
    bad = CliRunner().invoke(app, ["backtest", "--held-out", "--benchmarks", name, "--save-weights",
                                   str(tmp_path / "e.json")])
    assert bad.exit_code == 2 and "drop --benchmarks and --data" in bad.stderr
