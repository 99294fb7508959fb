"""`benchcast data ...`: import, status, add, undo; bad input gets one line per problem."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app
from tests.priors.epoch_fixture import write_epoch_zip


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_import_status_add_undo(tmp_path):
    zip_path = str(write_epoch_zip(tmp_path / "benchmark_data.zip"))
    code, out, _ = run("data", "import", zip_path, "--dry-run")
    assert code == 0 and out.startswith("would import 4 results, 2 open-weight scores")
    code, out, _ = run("data", "import", zip_path)
    assert code == 0 and out.startswith("import 1: 4 results, 2 open-weight scores") and "1 already known" in out
    code, out, _ = run("data", "add", "gpqa diamond", "Hunyuan-Large-2", "61.5", "--date", "2025-03-01", "--country", "CN", "--open-weights")
    assert code == 0 and out.startswith("import 2: 1 results")
    code, out, _ = run("data", "status")
    assert code == 0 and "import 1" in out and "import 2" in out and "data: shipped + 5 imported results" in out
    assert "GPQA Diamond: 3 imported (1 newer); best 98.6 by gpt-7-preview (2027-01-20)" in out and "NEW RECORD" in out
    code, out, _ = run("benchmarks")
    assert out.rstrip().endswith("(data: shipped + 5 imported results)")
    code, out, _ = run("benchmarks", "--shipped-only", "--json")
    gpqa = [b for b in json.loads(out)["benchmarks"] if b["benchmark"] == "GPQA Diamond"][0]
    assert gpqa["best"] == 94.6
    code, out, _ = run("data", "undo", "1")
    assert code == 0 and out.startswith("import 1 undone: 4 results removed")
    code, out, _ = run("data", "status", "--json")
    assert json.loads(out)["imported_results"] == 1


def test_bad_rows_one_line_each(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("benchmark,model,date,score\nGPQA Diamond,a,2026-11-02,198.4\nGPQA Diamond,b,2026-11-02,oops\n")
    code, out, err = run("data", "import", str(path))
    assert code == 1 and out == ""
    assert err.splitlines() == [f"error: {path}, line 2: score 198.4 for GPQA Diamond on 2026-11-02 is outside 0-100",
                                f"error: {path}, line 3: score 'oops' is not a number",
                                "error: nothing imported: 2 bad rows"]
    code, _, err = run("data", "add", "gpqa-diamnd", "m", "50", "--date", "2025-01-01")
    assert code == 1 and err == "error: unknown benchmark 'gpqa-diamnd'; did you mean 'GPQA Diamond'? (or pass --new-benchmark to add one of your own)\n"
    code, _, err = run("data", "undo", "7")
    assert code == 1 and err == "error: no import 7; active imports: none\n"


def test_scores_on_a_0_1_scale_are_refused_in_one_line_until_the_scale_is_given(tmp_path):
    path = tmp_path / "fractions.csv"
    path.write_text("benchmark,model,date,score\nHardBench,a,2026-01-10,0.04\nHardBench,b,2026-05-01,0.095\n"
                    "HardBench,c,2026-09-20,0.17\n")
    want = (f"error: {path}: every score of HardBench is at most 1 (largest 0.17), but scores are read as percent "
            "(0-100); say which they are: --scale fraction reads them times 100, --scale percent as written\n")
    for args in (("forecast", "HardBench", "--data", str(path), "--no-save"), ("data", "import", str(path)),
                 ("benchmarks", "--data", str(path))):
        code, out, err = run(*args)
        assert (code, out, err) == (1, "", want), args
    code, out, err = run("capability", "--data", str(path))
    assert code == 1 and err.endswith(want)
    code, out, _ = run("forecast", "HardBench", "--data", str(path), "--scale", "fraction", "--as-of", "2026-12-01",
                       "--no-save", "--json")
    assert code == 0 and json.loads(out)["frontier"]["score"] == 17.0
    # Imported once with its scale, the store holds percent: later reads ask nothing.
    code, out, _ = run("data", "import", str(path), "--scale", "fraction")
    assert code == 0 and out.startswith("import 1: 3 results")
    code, out, _ = run("forecast", "hardbench", "--as-of", "2026-12-01", "--no-save", "--json")
    assert code == 0 and json.loads(out)["frontier"]["score"] == 17.0
    # Only the benchmark asked about is questioned: another one in the same file forecasts as usual.
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(path.read_text() + "EasyBench,a,2026-01-10,20\nEasyBench,b,2026-04-01,30\nEasyBench,c,2026-08-01,45\n")
    code, out, err = run("forecast", "EasyBench", "--data", str(mixed), "--as-of", "2026-12-01", "--no-save", "--json",
                         "--plot", str(tmp_path / "easy.png"))
    assert code == 0, err
    assert json.loads(out)["frontier"]["score"] == 45.0 and (tmp_path / "easy.png").stat().st_size > 10_000
    code, _, err = run("forecast", "HardBench", "--data", str(mixed), "--no-save")
    assert code == 1 and "every score of HardBench is at most 1" in err
    # Really under 1%: as written.
    code, out, _ = run("forecast", "HardBench", "--data", str(path), "--scale", "percent", "--as-of", "2026-12-01",
                       "--no-save", "--json")
    assert code == 0 and json.loads(out)["frontier"]["score"] == 0.17


def test_a_scale_without_a_file_is_refused_in_one_line():
    """The shipped and imported results are in percent: a --scale with nothing to read would
    look applied while changing nothing."""
    for args in (("forecast", "MMLU", "--no-save"), ("benchmarks",), ("backtest",), ("capability",)):
        code, out, err = run(*args, "--scale", "fraction")
        assert (code, out) == (2, ""), args
        assert err == ("error: --scale fraction says how a --data file's scores are written; the shipped and "
                       "imported results are already in percent (pass --data FILE, or leave --scale out)\n"), args


def test_an_as_of_date_after_today_is_refused_in_one_line():
    """An as-of date picks the results known on that day: a later one used to pass silently and
    forecast from a day that has not come."""
    from datetime import date, timedelta

    today = date.today()
    later = (today + timedelta(days=1)).isoformat()
    tail = f" {later} is after today ({today}): it picks the results known on that day; leave it out to use everything known today\n"
    for args, what in ((("forecast", "MMLU", "--no-save"), "as-of date"), (("capability",), "as-of date"),
                       (("rankings",), "--as-of"), (("priors", "build"), "--as-of date")):
        code, out, err = run(*args, "--as-of", later)
        assert (code, out, err) == (1, "", "error: " + what + tail), args
    code, out, err = run("backtest", "--cutoff", "2025-01-01", "--cutoff", later)
    assert (code, out) == (2, "") and err == (f"error: --cutoff {later} is after today ({today}): a backtest scores "
                                              "forecasts made on a past day against what happened next\n")
    code, out, _ = run("forecast", "MMLU", "--no-save", "--method", "trend", "--as-of", today.isoformat(), "--json")
    assert code == 0 and json.loads(out)["as_of"] == today.isoformat()


def test_url_without_network_is_one_line():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = run("data", "import", f"http://127.0.0.1:{port}/benchmark_data.zip")
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"error: cannot download http://127.0.0.1:{port}/benchmark_data.zip: no network or server unreachable")


def test_an_imported_benchmark_is_backtested_with_the_shipped_history_around_it():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "my_benchmark.csv"
    assert run("data", "import", str(example))[0] == 0
    code, out, err = run("backtest", "--benchmarks", "agentarena", "--cutoff", "2026-06-01", "--horizon", "3m",
                         "--json")
    assert code == 0, err
    got = json.loads(out)
    assert {r["benchmark"] for r in got["per_benchmark"]} == {"AgentArena"}
    assert got["models"]["benchcast"]["n"] == 1 and got["models"]["trend"]["n"] == 1
    # --data is the same backtest without importing: the file's benchmarks scored, the shipped
    # history around them (the members learn from it), nothing else scored.
    assert run("data", "undo", "1")[0] == 0
    code, out, err = run("backtest", "--data", str(example), "--cutoff", "2026-06-01", "--horizon", "3m", "--json")
    assert code == 0, err
    direct = json.loads(out)
    assert direct["models"] == got["models"] and direct["per_benchmark"] == got["per_benchmark"]
    assert "scoring AgentArena from" in err and "floor 0 assumed (pass --floor)" in err


def test_backtest_of_your_csv_picks_cut_offs_inside_it_and_says_when_it_is_too_short(tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "my_benchmark.csv"
    code, out, err = run("backtest", "--data", str(example), "--horizon", "3m,6m", "--floor", "10", "--json")
    assert code == 0, err
    got = json.loads(out)
    # AgentArena's third result is 2026-01-20 and its last 2026-09-22: quarterly cut-offs from
    # 2026-02-01 that a 3-month forecast can be scored from.
    assert got["cutoffs"] == ["2026-02-01", "2026-05-01"]
    assert {r["benchmark"] for r in got["per_benchmark"]} == {"AgentArena"}
    assert got["models"]["benchcast"]["n"] == 3 and got["default"] == "ensemble"
    short = tmp_path / "short.csv"
    short.write_text("benchmark,model,date,score\nTiny,a,2026-01-01,5\nTiny,b,2026-02-01,8\nTiny,c,2026-03-01,9\n")
    code, out, err = run("backtest", "--data", str(short))
    assert code == 1 and out == ""
    assert err.splitlines()[-1] == (f"error: {short} runs from 2026-01-01 to 2026-03-01: too short to score a forecast "
                                    "6 months ahead; pass shorter --horizon months or --cutoff dates inside it")
    code, _, err = run("backtest", "--floor", "25")
    assert code == 2 and err.splitlines()[-1] == "error: --floor 25 needs --data (shipped benchmarks know theirs)"
