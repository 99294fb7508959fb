"""From results to record points: known-at dates, settings, series and records."""

from __future__ import annotations

from datetime import date

import pandas as pd

from forecast.series import from_years, prepare, records, to_years
from priors.history import BenchmarkInfo, load_metadata, read_results


def frame(rows: list[tuple]) -> pd.DataFrame:
    return read_results(pd.DataFrame(rows, columns=["benchmark", "model", "date", "score", "provenance"]))


def test_years_round_trip() -> None:
    for d in (date(2020, 1, 1), date(2024, 2, 29), date(2031, 12, 31)):
        assert from_years(to_years(d)) == d


def test_records_keep_only_new_bests() -> None:
    df = frame([("B", m, d, s, "epoch_run") for m, d, s in [
        ("a", "2024-01-01", 10), ("b", "2024-02-01", 8), ("c", "2024-03-01", 15),
        ("d", "2024-04-01", 15), ("e", "2024-05-01", 20)]])
    assert list(records(df)["model"]) == ["a", "c", "e"]


def test_results_are_not_known_before_the_benchmark_exists() -> None:
    res = read_results()
    info = load_metadata()["FrontierMath Tiers 1-3 v2"]  # released 2026-06-12, rows dated from 2024
    before = prepare(res, info, date(2026, 6, 1))
    after = prepare(res, info, date(2026, 7, 1))
    assert before.n_results == 0 and before.frontier is None
    assert after.n_results > 10 and after.frontier.score < 93.68


def test_independent_series_is_primary_and_multi_attempt_rows_are_dropped() -> None:
    df = frame([
        ("B", "a", "2024-01-01", 30, "self_reported"), ("B", "b", "2024-03-01", 50, "self_reported"),
        ("B", "c", "2024-05-01", 60, "self_reported"),
        ("B", "a", "2024-01-01", 25, "epoch_run"), ("B", "b", "2024-03-01", 45, "epoch_run"),
        ("B", "c", "2024-05-01", 52, "epoch_run"),
    ])
    d = prepare(df, BenchmarkInfo("B", 0.0, date(2023, 6, 1)), date(2025, 1, 1))
    assert d.series_names == ("epoch_run", "self_reported")
    assert d.frontier.score == 52  # the primary series' best, not the self-reported 60
    assert (d.series == 0).sum() == 3 and (d.series == 1).sum() == 3
    res = read_results()
    aime = prepare(res, load_metadata()["AIME 2024"], date(2026, 1, 1))
    assert aime.n_results == 35  # 44 rows less cons@64 / pass@64 settings


def test_as_of_filters_on_model_dates() -> None:
    res = read_results()
    d = prepare(res, load_metadata()["MMLU"], date(2023, 1, 1))
    assert d.frontier.date <= date(2023, 1, 1)
    assert d.last_known <= date(2023, 1, 1)
