"""Time-respecting weights: they follow the better member, use only what had resolved by the
as-of date, never see the held-out benchmark, and the spec uses (and shows) them."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from forecast.ensemble.online import Resolved, online_weights, resolved_history, weight_table
from forecast.ensemble.spec import Band, EnsembleSpec
from priors.history import load_metadata, read_results

T = date(2024, 7, 1)
START = date(2023, 1, 1)
BENCHES = ["GPQA Diamond", "MMLU", "MATH Level 5", "GSM8K", "HellaSwag", "OTIS Mock AIME 2024-2025"]
MEMBERS = ("reference", "trend")


def small_history() -> pd.DataFrame:
    res = read_results()
    return res[res["benchmark"].isin(BENCHES)].reset_index(drop=True)


def weights_at(res: pd.DataFrame, t: date, exclude=()) -> tuple[list[Resolved], np.ndarray | None]:
    from forecast.ensemble.online import collection_ends

    hist = resolved_history(res, load_metadata(), MEMBERS, t, exclude=exclude, start=START, n=300)
    got = online_weights(hist, t, collection_ends(res, t), min_resolved=5)
    return hist, None if got is None else got[0]


def test_weights_follow_the_member_that_scored_better() -> None:
    ends = {"src": date(2030, 1, 1)}
    hist = [Resolved(date(2023, 1, 1), date(2023, 7, 1), f"b{i}", "src", (0.05, 0.03)) for i in range(30)]
    w, n = online_weights(hist, date(2024, 1, 1), ends, eta=100.0)
    assert n == 30 and w[1] > w[0] and np.isclose(w[1] / w[0], np.exp(100 * 0.02))
    # questions not resolved by the as-of date (target later, or its collection not that far) count for nothing
    late = [Resolved(date(2023, 7, 1), date(2024, 6, 1), f"b{i}", "src", (0.01, 0.09)) for i in range(30)]
    cut = {"src": date(2024, 3, 1)}
    np.testing.assert_array_equal(online_weights(hist + late, date(2024, 1, 1), ends)[0], w)
    np.testing.assert_array_equal(online_weights(hist + late, date(2024, 7, 1), cut)[0], w)
    assert online_weights(hist + late, date(2024, 7, 1), ends)[0][0] > 0.5  # once resolved, they count
    assert online_weights(hist[:5], date(2024, 1, 1), ends) is None  # too few: the stacked weights stay


def test_weights_at_an_as_of_date_ignore_everything_after_it() -> None:
    res = small_history()
    late = res["date"].dt.date > T
    changed = res.copy()
    changed.loc[late, "score"] = np.random.default_rng(4).uniform(0, 100, late.sum()).round(1)
    hist_a, wa = weights_at(res, T)
    hist_b, wb = weights_at(changed, T)
    assert len(hist_a) >= 20 and wa is not None and not np.allclose(wa, 0.5)
    assert hist_a == hist_b
    np.testing.assert_array_equal(wa, wb)


def test_the_held_out_benchmark_never_enters_its_weights() -> None:
    res = small_history()
    out = "GPQA Diamond"
    mine = res["benchmark"] == out
    changed = res.copy()
    changed.loc[mine, "score"] = np.random.default_rng(5).uniform(0, 100, mine.sum()).round(1)
    hist_a, wa = weights_at(res, T, exclude={out})
    hist_b, wb = weights_at(changed, T, exclude={out})
    assert all(r.benchmark != out for r in hist_a) and hist_a == hist_b
    np.testing.assert_array_equal(wa, wb)
    assert {r.benchmark for r in resolved_history(res, load_metadata(), MEMBERS, T, start=START, n=300)} > {
        r.benchmark for r in hist_a}


def test_the_spec_uses_and_shows_the_weights_of_its_as_of_month() -> None:
    table = {"2024-01-01": {"weights": [0.3, 0.7], "resolved": 40}, "2024-07-01": {"weights": [0.6, 0.4], "resolved": 90}}
    spec = EnsembleSpec(MEMBERS, (Band(9.0, (0.5, 0.5)), Band(float("inf"), (0.5, 0.5))), online=table)
    assert spec.at(date(2023, 12, 31)) is spec  # nothing resolved yet: the stacked bands
    used = spec.at(date(2024, 6, 30))
    assert used.online_as_of == "2024-01-01" and tuple(used.weights_at(18.0)) == (0.3, 0.7)
    assert used.describe()["bands"][0]["weights"] == {"reference": 0.3, "trend": 0.7}
    assert tuple(spec.at(date(2026, 1, 1)).weights_at(6.0)) == (0.6, 0.4)
    back = EnsembleSpec.from_json(spec.to_json())
    assert back.online == table and back.at(date(2024, 7, 1)).describe()["online_as_of"] == "2024-07-01"
    # the mixture follows the weights: a (0.3, 0.7) pool draws about 70% of its paths from the second member
    rng = np.random.default_rng(0)
    paths = {"reference": np.zeros((4000, 1)), "trend": np.ones((4000, 1))}
    mixed = used.combine(paths, np.array([6.0]), rng, 0.0)
    assert abs(mixed.mean() - 0.7) < 0.03


def test_weight_table_keys_are_the_months_with_enough_resolved() -> None:
    hist = [Resolved(date(2023, 1, 1), date(2023, 7, 1), f"b{i}", "src", (0.05, 0.03)) for i in range(30)]
    res = pd.DataFrame({"provenance": ["src"], "date": pd.to_datetime(["2030-01-01"])})
    table = weight_table(res, hist, [date(2023, 6, 1), date(2023, 7, 1), date(2023, 8, 1)])
    assert list(table) == []  # the source's collection is not known to reach July 2023 until 2030
    res = pd.DataFrame({"provenance": ["src", "src"], "date": pd.to_datetime(["2023-07-15", "2030-01-01"])})
    table = weight_table(res, hist, [date(2023, 6, 1), date(2023, 7, 1), date(2023, 8, 1)])
    assert list(table) == ["2023-08-01"] and table["2023-08-01"]["resolved"] == 30


def test_the_report_shows_the_weights_each_fold_used_at_a_cutoff() -> None:
    stacked = (Band(9.0, (0.5, 0.5)), Band(float("inf"), (0.5, 0.5)))
    fold0 = EnsembleSpec(MEMBERS, stacked, online={"2024-01-01": {"weights": [0.3, 0.7], "resolved": 40}})
    fold1 = EnsembleSpec(MEMBERS, stacked, online={"2023-01-01": {"weights": [0.9, 0.1], "resolved": 25}})
    spec = EnsembleSpec(MEMBERS, stacked, online={"2023-07-01": {"weights": [0.2, 0.8], "resolved": 60}},
                        folds={"k": 2, "assignment": {"MMLU": 0, "GSM8K": 1},
                               "specs": {"0": fold0.to_json(), "1": fold1.to_json()}})
    assert {k: v.to_json() for k, v in spec.fold_specs().items()} == {0: fold0.to_json(), 1: fold1.to_json()}
    assert spec.for_benchmark("GSM8K").to_json() == fold1.to_json()
    assert spec.for_benchmark("my own benchmark") is spec
    assert fold0.used_at(date(2024, 6, 1)) == {"online_as_of": "2024-01-01", "resolved": 40, "bands": [
        {"max_months": None, "weights": {"reference": 0.3, "trend": 0.7}}]}
    assert fold0.used_at(date(2023, 7, 1)) == {"online_as_of": None, "resolved": None,
                                               "bands": fold0.describe()["bands"]}  # the stacked fall-back
    report = spec.weights_report([date(2024, 7, 1), date(2023, 7, 1)])
    assert list(report) == ["2023-07-01", "2024-07-01"]
    assert [(r["fold"], r["online_as_of"], r["resolved"]) for r in report["2023-07-01"]] == [
        (1, None, None), (2, "2023-01-01", 25)]
    assert report["2024-07-01"][0]["bands"][0]["weights"] == {"reference": 0.3, "trend": 0.7}
    # only the specs that combined the scored benchmarks; the spec itself for one without a fold
    only = spec.weights_report([date(2024, 7, 1)], ["GSM8K", "my own benchmark"])["2024-07-01"]
    assert [(r["fold"], r["online_as_of"]) for r in only] == [(2, "2023-01-01"), ("all", "2023-07-01")]
    assert fold0.weights_report([date(2024, 7, 1)])["2024-07-01"][0]["fold"] == "all"  # no folds: itself
