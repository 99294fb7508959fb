"""The results loader: the shipped history loads; every kind of bad file gets one clear error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from priors.errors import DataFileError, ScaleAmbiguous, UnknownBenchmark
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


def test_a_table_of_one_benchmark_takes_the_name_it_is_given(tmp_path: Path) -> None:
    df = read_results(write(tmp_path, "model,date,score\nm1,2024-01-10,12.5\n\nm2,2024-06-01,30\n"), benchmark="Mine")
    assert list(df["benchmark"]) == ["Mine", "Mine"] and list(df["score"]) == [12.5, 30.0]
    frame = pd.DataFrame({"model": ["m"], "date": ["2024-01-01"], "score": [50.0]})
    assert list(read_results(frame, benchmark="Mine")["benchmark"]) == ["Mine"]
    # a benchmark column wins over the name; without either the column is still required
    assert list(read_results(write(tmp_path, GOOD), benchmark="Other")["benchmark"]) == ["MyBench", "MyBench"]
    with pytest.raises(DataFileError, match="missing required column 'benchmark'"):
        read_results(frame)


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
        ("benchmark;model;date;score\nB;m;2024-01-01;1\n", r"line 1: the header is separated by ';'; expected commas"),
        ("benchmark\tmodel\tdate\tscore\nB\tm\t2024-01-01\t1\n", r"line 1: the header is separated by tabs"),
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


def test_headers_in_any_case_and_scores_with_a_percent_sign(tmp_path: Path) -> None:
    df = read_results(write(tmp_path, "Benchmark , MODEL,Date,Score,Open Weights\nB,m1,2024-01-10,12.5%,Yes\nB,m2,2024-06-01, 30 %,no\n"))
    assert list(df["score"]) == [12.5, 30.0]
    assert list(df["open_weights"]) == [True, False]
    frame = pd.DataFrame({"Benchmark": ["B"], "Model": ["m"], "Date": [pd.Timestamp("2024-01-01")], "Score": [40.0]})
    assert read_results(frame)["date"].iloc[0] == pd.Timestamp("2024-01-01")
    # Dates with a time of day (spreadsheet and pandas exports) are their day.
    frame = frame.assign(Date=["2024-01-01 00:00:00"])
    assert read_results(frame)["date"].iloc[0] == pd.Timestamp("2024-01-01")
    frame = frame.assign(Date=["2024-01-01T23:15:00Z"])
    assert read_results(frame)["date"].iloc[0] == pd.Timestamp("2024-01-01")


FRACTIONS = "benchmark,model,date,score\nB,m1,2024-01-10,0.12\nB,m2,2024-06-01,0.305\nC,m1,2024-01-10,55\n"


def test_scores_that_look_like_fractions_are_refused_until_the_scale_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, FRACTIONS)
    with pytest.raises(ScaleAmbiguous, match=r"every score of B is at most 1 \(largest 0.305\)") as err:
        read_results(path)
    assert "scale='fraction'" in str(err.value) and "--scale fraction" in err.value.cli_message
    # A whole file on the 0-1 scale: read times 100.
    whole = tmp_path / "whole.csv"
    whole.write_text(FRACTIONS.replace(",55", ",0.55"))
    assert list(read_results(whole, scale="fraction")["score"]) == pytest.approx([12.0, 30.5, 55.0])
    # Really under 1%: as written, no questions.
    assert list(read_results(path, scale="percent")["score"]) == [0.12, 0.305, 55.0]
    # A fraction file with a percent in it is a mistake, named.
    with pytest.raises(DataFileError, match=r"line 4: score 55 for C on 2024-01-10 is outside 0-1 \(the scale is fraction\)"):
        read_results(path, scale="fraction")
    with pytest.raises(DataFileError, match=r"scale 'percent0' is not one of percent, fraction"):
        read_results(path, scale="percent0")


def test_all_zero_and_shipped_scores_are_not_questioned(tmp_path: Path) -> None:
    assert list(read_results(write(tmp_path, "benchmark,model,date,score\nB,m1,2024-01-10,0\n"))["score"]) == [0.0]
    assert len(read_results()) == 2993


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
