"""The open_weight.csv loader: the shipped file reads; bad files fail naming file, line, value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from priors.errors import DataFileError, UnknownBenchmark
from priors.open_weight import lab_of, match_metric, metrics, read_open_weight

HEADER = "metric,organization,country,date,open_weights,score,model"


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "ow.csv"
    path.write_text("\n".join((HEADER,) + lines) + "\n")
    return path


def test_shipped_file_reads() -> None:
    df = read_open_weight()
    assert len(df) == 717
    assert {"metric", "organization", "lab", "country", "date", "open_weights", "score"} <= set(df.columns)
    assert set(df["open_weights"].dropna().unique()) == {True, False}
    eci = df[df["metric"].str.startswith("ECI")]
    assert eci["date"].max() == pd.Timestamp("2026-04-08")
    assert (eci["known_at"] == eci["date"]).all()
    fm = df[df["metric"] == "FrontierMath Tiers 1-3 v2 (%)"]
    assert fm["date"].min() < pd.Timestamp("2025-01-01")
    assert fm["known_at"].min() == pd.Timestamp("2026-06-12")  # v2 was measured after its release


def test_lab_is_first_organization_with_aliases() -> None:
    assert lab_of("DeepSeek,Peking University") == "DeepSeek"
    assert lab_of("Microsoft Research") == "Microsoft"
    assert lab_of("") == ""


def test_good_user_file(tmp_path: Path) -> None:
    df = read_open_weight(_write(tmp_path, "ECI,Lab A,US,2024-01-02,true,120.5,m1",
                                 "ECI,Lab B,CN,2024-02-02,unknown,121,m2"))
    assert list(df["score"]) == [120.5, 121.0]
    assert df["open_weights"].iloc[1] is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ECI,Lab A,US,2024-13-02,true,120,m", "line 2: date '2024-13-02' is not a date"),
        ("ECI,Lab A,US,2024-01-02,true,high,m", "line 2: score 'high' is not a number"),
        ("ECI,Lab A,US,2024-01-02,true,nan,m", "line 2: score 'nan' is not a finite number"),
        ("ECI,Lab A,US,2024-01-02,maybe,120,m", "line 2: open_weights 'maybe' is not true, false or unknown"),
        ("GPQA (%),Lab A,US,2024-01-02,true,104,m", "line 2: score 104 for GPQA (%) on 2024-01-02 is outside 0-100"),
        ("ECI,Lab A,US,2024-01-02,true", "line 2: 5 fields where the header has 7"),
        (",Lab A,US,2024-01-02,true,120,m", "line 2: empty metric"),
    ],
)
def test_bad_rows_name_file_line_value(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, line)
    with pytest.raises(DataFileError) as err:
        read_open_weight(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_bad_headers(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("metric,organization,country,date,open_weights\nECI,A,US,2024-01-01,true\n")
    with pytest.raises(DataFileError, match="line 1: missing required column 'score'"):
        read_open_weight(path)
    path.write_text(HEADER + ",colour\n")
    with pytest.raises(DataFileError, match="unknown column 'colour'"):
        read_open_weight(path)
    path.write_text("")
    with pytest.raises(DataFileError, match="the file is empty"):
        read_open_weight(path)
    path.write_text(HEADER + "\n")
    with pytest.raises(DataFileError, match="no scores after the header"):
        read_open_weight(path)
    with pytest.raises(DataFileError, match="no such file"):
        read_open_weight(tmp_path / "missing.csv")


def test_dataframe_source() -> None:
    frame = pd.DataFrame({"metric": ["ECI"], "organization": ["A"], "country": ["US"],
                          "date": [pd.Timestamp("2024-01-01")], "open_weights": ["true"], "score": [100.0]})
    assert read_open_weight(frame)["date"].iloc[0] == pd.Timestamp("2024-01-01")


def test_match_metric() -> None:
    names = metrics(read_open_weight())
    assert match_metric("eci", names) == "ECI (Epoch Capabilities Index)"
    assert match_metric("FrontierMath Tiers 1-3", names) == "FrontierMath Tiers 1-3 v2 (%)"
    with pytest.raises(UnknownBenchmark, match="ambiguous"):
        match_metric("FrontierMath", names)
    with pytest.raises(UnknownBenchmark, match="unknown metric 'HLE'"):
        match_metric("HLE", names)
