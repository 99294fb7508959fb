"""`forecast.backtest.losses`: which benchmarks carry the default's loss to a baseline."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from forecast.backtest import Score
from forecast.backtest.losses import losses

C1, C2 = date(2023, 7, 1), date(2024, 1, 1)


def score(model: str, bench: str, crps: float, cutoff: date = C1, horizon: int = 6) -> Score:
    return Score(model, bench, cutoff, horizon, 0.5, 0.4, 0.5, crps, {0.8: 1.0}, 0.5, (), np.zeros(1))


def table(rows: dict[str, dict[str, list[float]]], cutoff: date = C1) -> list[Score]:
    """{model: {benchmark: [crps at 6, 12, ... months]}} -> scores."""
    return [score(m, b, c, cutoff, 6 * (i + 1)) for m, per in rows.items() for b, cs in per.items()
            for i, c in enumerate(cs)]


def test_no_loss_where_the_default_beats_every_baseline() -> None:
    scores = table({"benchcast": {"A": [0.01, 0.02], "B": [0.03, 0.01]},
                    "persistence": {"A": [0.02, 0.03], "B": [0.04, 0.02]},
                    "reference_class": {"A": [0.05, 0.01], "B": [0.03, 0.03]}})
    assert losses(scores) == []


def test_one_benchmark_carrying_the_gap_is_named_with_the_means_without_it() -> None:
    # The default is better on A and B, far worse on C: C carries the whole loss.
    scores = table({"benchcast": {"A": [0.01, 0.02], "B": [0.01, 0.01], "C": [0.20, 0.30]},
                    "independent_logistic": {"A": [0.03, 0.04], "B": [0.02, 0.03], "C": [0.05, 0.05]}})
    [loss] = losses(scores)
    assert loss.cutoff == C1 and loss.baseline == "independent_logistic" and loss.n == 6
    assert loss.default_crps == pytest.approx(0.55 / 6) and loss.baseline_crps == pytest.approx(0.22 / 6)
    assert loss.gap == pytest.approx(0.33)
    assert [(c.benchmark, c.n) for c in loss.culprits] == [("C", 2)]
    assert loss.culprits[0].excess == pytest.approx(0.40)
    assert loss.without == pytest.approx((0.05 / 4, 0.12 / 4))
    assert loss.describe() == ("2023-07-01: independent logistic 0.0367 against benchcast 0.0917 (6 points); "
                               "C (+0.400 summed CRPS, 2 points) accounts for the whole gap (+0.330); "
                               "without it benchcast 0.0125, independent logistic 0.0300")


def test_the_fewest_benchmarks_that_cover_the_gap_largest_first() -> None:
    scores = table({"benchcast": {"A": [0.10], "B": [0.08], "C": [0.05], "D": [0.01]},
                    "persistence": {"A": [0.02], "B": [0.02], "C": [0.02], "D": [0.02]}})
    [loss] = losses(scores)
    # gap 0.24 - 0.08 = 0.16: A (0.08) and B (0.06) leave 0.02; C (0.03) completes it; D is not needed
    assert [c.benchmark for c in loss.culprits] == ["A", "B", "C"]
    assert [c.excess for c in loss.culprits] == pytest.approx([0.08, 0.06, 0.03])
    assert loss.without == pytest.approx((0.01, 0.02))
    assert loss.as_dict()["culprits"][0] == {"benchmark": "A", "excess": 0.08, "n": 1}


def test_the_best_baseline_is_the_one_compared_and_each_cutoff_alone() -> None:
    first = table({"benchcast": {"A": [0.05], "B": [0.05]},
                   "persistence": {"A": [0.04], "B": [0.04]},
                   "logit_trend": {"A": [0.01], "B": [0.03]},
                   "ensemble": {"A": [0.0], "B": [0.0]}}, C1)  # a method, not a baseline
    second = table({"benchcast": {"A": [0.01]}, "persistence": {"A": [0.02]}}, C2)
    [loss] = losses(second + first)
    assert loss.cutoff == C1 and loss.baseline == "logit_trend"
    assert loss.baseline_crps == pytest.approx(0.02)
    assert [c.benchmark for c in loss.culprits] == ["A", "B"]  # 0.04 of the 0.06 gap, then B's 0.02
    assert sum(c.excess for c in loss.culprits) == pytest.approx(loss.gap)


def test_a_loss_spread_over_every_benchmark_has_no_means_without_them() -> None:
    scores = table({"benchcast": {"A": [0.05]}, "reference_class": {"A": [0.01]}})
    [loss] = losses(scores)
    assert loss.without is None and "without" not in loss.describe()
    assert loss.as_dict()["without"] is None
