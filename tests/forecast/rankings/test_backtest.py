"""The backtest's baselines and scores, on hand-made histories (exact values)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from forecast.rankings.backtest import BacktestRow, frequency, monthly_dates, persistence, reliability


def test_persistence_shares_eps_evenly() -> None:
    assert persistence("CN", ["CN", "FR", "US"]) == {"CN": 0.9, "FR": pytest.approx(0.1 / 3),
                                                     "US": pytest.approx(0.1 / 3), "other": pytest.approx(0.1 / 3)}


def test_frequency_and_recency() -> None:
    history = [(date(2024, 1, 1), "US"), (date(2024, 2, 1), "US"), (date(2024, 7, 1), "CN")]
    known = ["CN", "US"]
    flat = frequency(history, date(2024, 7, 1), known)
    assert flat == {"CN": pytest.approx(1.5 / 4.5), "US": pytest.approx(2.5 / 4.5), "other": pytest.approx(0.5 / 4.5)}
    recent = frequency(history, date(2024, 7, 1), known, half_life=6.0)
    w_jan, w_feb = 0.5 ** ((182 / 30.4375) / 6), 0.5 ** ((151 / 30.4375) / 6)
    total = 1.5 + 0.5 + w_jan + w_feb + 0.5
    assert recent["CN"] == pytest.approx(1.5 / total) and recent["US"] == pytest.approx((0.5 + w_jan + w_feb) / total)
    assert recent["CN"] > flat["CN"]  # the latest leader weighs more
    assert frequency(history, date(2023, 12, 1), known)["US"] == pytest.approx(1 / 3)  # nothing after as-of


def test_scores_of_a_row() -> None:
    p = {"model": {"CN": 0.7, "US": 0.3, "other": 0.0}, "persistence": {"CN": 0.9, "US": 0.05, "other": 0.05}}
    row = BacktestRow(date(2024, 1, 1), 6, "country", "CN", "other", p, floor=1 / 1200)
    assert row.log_score("model") == pytest.approx(np.log(1 / 1200))  # floored: a frequency over draws
    assert row.log_score("persistence") == pytest.approx(np.log(0.05))
    assert row.brier("model") == pytest.approx(0.49 + 0.09 + 1.0)
    rel = reliability([row], "persistence", bins=2)
    assert rel.to_dict(orient="records") == [
        {"lo": 0.0, "hi": 0.5, "mean_p": pytest.approx(0.05), "observed": 0.5, "n": 2},
        {"lo": 0.5, "hi": 1.0, "mean_p": pytest.approx(0.9), "observed": 0.0, "n": 1}]


def test_monthly_dates() -> None:
    assert monthly_dates(date(2024, 11, 1), date(2025, 2, 1)) == (
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1))
