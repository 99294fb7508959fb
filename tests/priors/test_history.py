"""The results loader: the shipped history loads; every kind of bad file gets one clear error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from priors.errors import DataFileError, UnknownBenchmark
from priors.history import is_single_attempt, load_metadata, match_benchmark, read_results, summarize

GOOD = "benchmark,model,date,score\nMyBench,m1,2024-01-10,12.5\nMyBench,m2,2024-06-01,30\n"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "results.csv"
    p.write_text(text)
    return p


def test_shipped_history_loads_with_metadata_for_every_benchmark() -> None:
    df = read_results()
    assert len(df) == 2993
    assert df["score"].between(0, 100).all()
    meta = load_metadata()
    assert set(df["benchmark"]) <= set(meta), "every shipped benchmark has a floor"
    assert meta["MMLU-Pro"].floor == 10 and meta["GPQA Diamond"].floor == 25
    assert all(m.released is not None for m in meta.values())


def test_user_csv_round_trip(tmp_path: Path) -> None:
    df = read_results(write(tmp_path, GOOD))
    assert list(df["score"]) == [12.5, 30.0]
    assert list(df["provenance"]) == ["unspecified", "unspecified"]
    assert df["date"].iloc[1] == pd.Timestamp("2024-06-01")


def test_dataframe_input_is_validated_too() -> None:
    frame = pd.DataFrame({"benchmark": ["B"], "model": ["m"], "date": ["2024-01-01"], "score": [120.0]})
    with pytest.raises(DataFileError, match=r"DataFrame, line 2: score 120.0 for B on 2024-01-01 is outside 0-100"):
        read_results(frame)


@pytest.mark.parametrize(
    "text, message",
    [
        ("benchmark,model,day,score\nB,m,2024-01-01,1\n", r"line 1: unknown column 'day'"),
        ("benchmark,model,score\nB,m,1\n", r"line 1: missing required column 'date'"),
        (GOOD + "MyBench,m3,2024-13-01,40\n", r"line 4: date '2024-13-01' is not a date like"),
        (GOOD + "MyBench,m3,2024-07-01,abc\n", r"line 4: score 'abc' is not a number"),
        (GOOD + "MyBench,m3,2024-07-01,104\n", r"line 4: score 104 for MyBench on 2024-07-01 is outside 0-100"),
        (GOOD + "MyBench,m3,2024-07-01,-1\n", r"line 4: score -1 for MyBench"),
        (GOOD + "MyBench,m3,2024-07-01,nan\n", r"line 4: score nan for MyBench"),
        (GOOD + "MyBench,m3,2024-07-01\n", r"line 4: 3 fields where the header has 4"),
        ("", r"the file is empty"),
        ("benchmark,model,date,score\n", r"no results after the header"),
    ],
)
def test_bad_files_name_file_line_and_value(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataFileError, match=message) as err:
        read_results(path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file"):
        read_results(tmp_path / "nope.csv")


def test_settings_with_several_attempts_do_not_count() -> None:
    assert not is_single_attempt("AIME 2024 [Cons@64]")
    assert not is_single_attempt("GPQA [Maj@32 5-shot CoT]")
    assert not is_single_attempt("AIME 2024 [Pass@64]")
    assert not is_single_attempt("SWE-bench Verified [With multiple parallel attempts and advanced scaffolding]")
    assert is_single_attempt("AIME 2024 [Pass@1]")
    assert is_single_attempt("MATH [maj@1]")
    assert is_single_attempt("")


def test_benchmark_names_match_case_insensitively_and_suggest() -> None:
    names = ["MMLU", "MMLU-Pro", "FrontierMath Tiers 1-3 v2"]
    assert match_benchmark("mmlu", names) == "MMLU"
    with pytest.raises(UnknownBenchmark, match=r"unknown benchmark 'frontiermath v2'; did you mean 'FrontierMath Tiers 1-3 v2'"):
        match_benchmark("frontiermath v2", names)


def test_summary_reports_best_single_attempt_score() -> None:
    table = summarize(read_results()).set_index("benchmark")
    assert table.loc["FrontierMath Tiers 1-3 v2", "best"] == pytest.approx(93.68)
    assert table.loc["MMLU", "points"] == 286
