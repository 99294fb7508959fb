"""`benchcast forecast`, `benchmarks` and `priors` through the real command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_forecast_json_contract_on_a_real_fit(tmp_path: Path) -> None:
    res = invoke("forecast", "mmlu", "--json", "--draws", "400", "--seed", "3", "--method", "saturation",
                 "--threshold", "90", "--by", "2027-12-31", "--at", "2027-06-30", "--plot", str(tmp_path / "fan.png"))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["method"] == "saturation"
    assert set(out) == {"benchmark", "as_of", "method", "frontier", "at", "thresholds", "crossing", "diagnostics"}
    assert out["benchmark"] == "MMLU" and out["as_of"] == date.today().isoformat()
    assert out["frontier"] == {"score": 88.1, "date": "2024-11-20", "model": "gpt-4o-2024-11-20"}
    (at,) = out["at"]
    assert at["date"] == "2027-06-30"
    qs = [at["quantiles"][k] for k in ("0.05", "0.1", "0.25", "0.5", "0.75", "0.9", "0.95")]
    assert qs == sorted(qs) and qs[0] >= 88.1 and qs[-1] <= 100
    (thr,) = out["thresholds"]
    assert thr["threshold"] == 90 and thr["by"] == "2027-12-31" and 0.0 < thr["probability"] < 1.0
    (cr,) = out["crossing"]
    assert cr["threshold"] == 90 and set(cr["quantiles"]) == {"0.1", "0.5", "0.9"}
    assert 0.0 <= cr["p_not_by_horizon"] <= 1.0
    assert set(out["diagnostics"]) == {"r_hat_max", "ess_bulk_min", "divergences"}
    assert out["diagnostics"]["r_hat_max"] < 1.1
    assert 0.0 <= at["p_record_stands"] <= 1.0
    assert (tmp_path / "fan.png").stat().st_size > 10_000
    # the same seed gives the same forecast, read back from the fit cache
    again = invoke("forecast", "MMLU", "--json", "--draws", "400", "--seed", "3", "--method", "saturation",
                   "--threshold", "90", "--by", "2027-12-31", "--at", "2027-06-30")
    assert json.loads(again.stdout) == out


def test_default_method_is_the_shipped_ensemble_with_its_weights() -> None:
    from forecast.ensemble.spec import load_ensemble

    spec = load_ensemble()
    res = invoke("forecast", "GPQA Diamond", "--json", "--draws", "300", "--as-of", "2025-06-01", "--no-save")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    if "saturation" not in spec.members:  # nothing to build: no "a few minutes" notice for a 5-second forecast
        assert "population prior" not in res.stderr
    assert out["method"] == spec.provenance["default_method"]
    if out["method"] == "ensemble":
        # the weights known at the as-of date (time-respecting), not today's
        assert out["weights"] == spec.at(date(2025, 6, 1)).describe()
        if spec.online:
            assert out["weights"]["online_as_of"] == "2025-06-01"
            assert [round(w, 4) for w in out["weights"]["bands"][0]["weights"].values()] == [
                round(w, 4) for w in spec.online["2025-06-01"]["weights"]]
        assert sum(out["weights"]["bands"][0]["weights"].values()) == pytest.approx(1.0, abs=1e-3)


def test_already_crossed_and_impossible_thresholds(tmp_path: Path) -> None:
    res = invoke("forecast", "GSM8K", "--json", "--draws", "200", "--threshold", "50", "--threshold", "99.9",
                 "--by", "2027-12-31")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    low, high = out["thresholds"]
    assert low["probability"] == 1.0 and out["crossing"][0]["already_crossed"] is True
    assert high["probability"] < 0.05


@pytest.mark.parametrize(
    "args, message",
    [
        (["forecast", "frontiermath v2"], "unknown benchmark 'frontiermath v2'; did you mean"),
        (["forecast", "MMLU", "--at", "2027-13-01"], "--at date '2027-13-01' is not a date"),
        (["forecast", "MMLU", "--at", "2020-01-01"], "is before the as-of date"),
        (["forecast", "MMLU", "--threshold", "120", "--by", "2027-01-01"], "threshold 120.0 is outside 0-100"),
        (["forecast", "MMLU", "--ceiling", "20"], "ceiling 20 must be above the floor 25"),
        (["forecast", "MMLU", "--ceiling", "50", "--as-of", "2026-01-01"],
         "ceiling 50 is below MMLU's best score so far, 88.1 by gpt-4o-2024-11-20 (2024-11-20)"),
        (["forecast", "MMLU", "--data", "/nonexistent.csv"], "/nonexistent.csv: no such file"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], message: str) -> None:
    res = invoke(*args)
    assert res.exit_code in (1, 2)
    assert message in res.stderr
    assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1


def test_by_without_threshold_is_a_usage_error() -> None:
    res = invoke("forecast", "MMLU", "--by", "2027-01-01")
    assert res.exit_code == 2 and "--by needs --threshold" in res.stderr


def test_user_csv_benchmark(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text("benchmark,model,date,score\n" + "\n".join(
        f"MyEval,m{i},2026-{i + 4:02d}-01,{s}" for i, s in enumerate([5, 9, 15, 22, 31, 40])) + "\n")
    res = invoke("forecast", "myeval", "--data", str(csv), "--floor", "0", "--json", "--draws", "200",
                 "--as-of", "2026-10-01", "--threshold", "80", "--by", "2027-06-30")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["frontier"]["score"] == 40 and out["as_of"] == "2026-10-01"
    assert 0.05 < out["thresholds"][0]["probability"] < 0.995


def test_a_file_of_one_benchmark_may_leave_out_the_benchmark_column(tmp_path: Path) -> None:
    rows = [(f"m{i}", f"2026-{i + 4:02d}-01", s) for i, s in enumerate([5, 9, 15, 22, 31, 40])]
    with_col, without = tmp_path / "with.csv", tmp_path / "without.csv"
    with_col.write_text("benchmark,model,date,score\n" + "".join(f"MyEval,{m},{d},{s}\n" for m, d, s in rows))
    without.write_text("model,date,score\n" + "".join(f"{m},{d},{s}\n\n" for m, d, s in rows))  # blank lines too
    args = ("--json", "--draws", "200", "--as-of", "2026-10-01", "--threshold", "80", "--by", "2027-06-30",
            "--plot", str(tmp_path / "fan.png"))
    a, b = invoke("forecast", "MyEval", "--data", str(with_col), *args), invoke("forecast", "MyEval", "--data", str(without), *args)
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    out_a, out_b = json.loads(a.stdout), json.loads(b.stdout)
    assert out_b["benchmark"] == "MyEval" and out_b["frontier"]["score"] == 40
    assert out_b["thresholds"] == out_a["thresholds"]
    assert (tmp_path / "fan.png").stat().st_size > 10_000
    # a shipped benchmark named in any case keeps its own name and floor (MMLU: 25%)
    shipped = invoke("forecast", "mmlu", "--data", str(without), "--draws", "200", "--as-of", "2026-10-01", "--no-save")
    assert shipped.exit_code == 0, shipped.output
    assert shipped.stdout.startswith("MMLU  (floor 25%")


def test_text_table_says_how_likely_the_record_stands(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text("benchmark,model,date,score\n" + "\n".join(
        f"MyEval,m{i},2026-{i + 4:02d}-01,{s}" for i, s in enumerate([5, 9, 15, 22, 31, 40])) + "\n")
    args = ["forecast", "myeval", "--data", str(csv), "--draws", "300", "--as-of", "2026-10-01",
            "--at", "2026-12-31", "--at", "2027-06-30", "--no-save"]
    text, js = invoke(*args), invoke(*args, "--json")
    assert text.exit_code == 0 and js.exit_code == 0, text.output
    header, *rows = [line for line in text.stdout.splitlines() if line.startswith(("best score by", "2026-12", "2027-06"))]
    assert header.endswith("P(record stands)")
    shown = [float(r.split()[-1]) for r in rows]
    assert shown == [round(a["p_record_stands"], 2) for a in json.loads(js.stdout)["at"]]
    assert shown[0] >= shown[1] and shown[1] < 0.5  # a benchmark rising every month: a record is likely
    members = json.loads(js.stdout)["members"]
    medians = ", ".join(f"{m} {v['at'][-1]['quantiles']['0.5']:.1f}" for m, v in members.items())
    assert f"Each member alone: median on 2027-06-30 {medians}\n" in text.stdout


def test_benchmarks_lists_the_shipped_data() -> None:
    res = invoke("benchmarks", "--json")
    rows = {r["benchmark"]: r for r in json.loads(res.stdout)["benchmarks"]}
    assert len(rows) == 36
    assert rows["FrontierMath Tiers 1-3 v2"]["best"] == pytest.approx(93.68)
    assert rows["MMLU-Pro"]["floor"] == 10


def test_priors_show() -> None:
    res = invoke("priors", "show", "--json")
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["curve"] in ("logistic", "gompertz") and len(obj["benchmarks"]) >= 30
    assert obj["diagnostics"]["r_hat_max"] < 1.05


def test_forecasts_are_saved_in_the_local_database(home: Path) -> None:
    res = invoke("forecast", "GSM8K", "--draws", "200", "--threshold", "99", "--by", "2028-01-01")
    assert res.exit_code == 0, res.output
    assert "saved as forecast #1" in res.output
    assert (home / "benchcast.db").is_file()
    listed = json.loads(invoke("forecasts", "--json").stdout)["forecasts"]
    assert len(listed) == 1 and listed[0]["benchmark"] == "GSM8K"
    assert listed[0]["result"]["thresholds"][0]["threshold"] == 99.0
