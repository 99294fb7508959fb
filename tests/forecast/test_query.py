"""The query object: JSON contracts per method, errors that name values (not CLI flags), and
no peeking past the as-of date for each method and the ensemble."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast.ensemble.recalibration import Recalibration
from forecast.ensemble.spec import Band, EnsembleSpec
from forecast.errors import InvalidQuery
from forecast.query import ForecastQuery
from forecast.reference.member import ReferenceMember
from priors.history import load_metadata, read_results

AS_OF = date(2025, 1, 1)
NAME = "GPQA Diamond"
KEYS = {"benchmark", "as_of", "method", "frontier", "at", "thresholds", "crossing", "diagnostics"}


def scrambled_after(results: pd.DataFrame, day: date, seed: int = 5) -> pd.DataFrame:
    """Every score dated after `day` replaced, a third of those rows dropped, a fake record added."""
    late = results["date"].dt.date > day
    out = results.copy()
    out.loc[late, "score"] = np.random.default_rng(seed).uniform(0, 100, late.sum()).round(1)
    out = out.drop(index=out.index[late.to_numpy()][::3])
    fake = out[out["benchmark"] == NAME].iloc[[0]].assign(model="future", date=pd.Timestamp("2025-03-01"), score=99.0)
    return pd.concat([out, fake], ignore_index=True)


def test_reference_json_contract() -> None:
    fc = ForecastQuery(benchmark="gpqa diamond", as_of=AS_OF, method="reference", draws=400, seed=2).run()
    out = fc.to_json([date(2025, 7, 1), date(2026, 1, 1)], [(80.0, date(2026, 1, 1))], [80.0])
    assert set(out) == KEYS
    assert out["method"] == "reference" and out["diagnostics"] is None and out["benchmark"] == NAME
    front = out["frontier"]["score"]
    for row in out["at"]:
        qs = list(row["quantiles"].values())
        assert qs == sorted(qs) and qs[0] >= front - 1e-9 and qs[-1] <= 100
    assert out["at"][0]["quantiles"]["0.5"] <= out["at"][1]["quantiles"]["0.5"]
    p = out["thresholds"][0]["probability"]
    (cr,) = out["crossing"]
    # crossing dates and threshold odds come from the same paths
    assert (cr["quantiles"]["0.1"] is not None and cr["quantiles"]["0.1"] <= "2026-01-01") == (p >= 0.1)


def test_record_stands_is_the_share_of_paths_still_at_todays_frontier() -> None:
    fc = ForecastQuery(benchmark=NAME, as_of=AS_OF, method="reference", draws=400, seed=2).run()
    front = fc.frontier.score
    days = [date(2025, 4, 1), date(2025, 10, 1), date(2026, 10, 1)]
    stands = [fc.record_stands(d) for d in days]
    assert stands == [pytest.approx(np.mean(fc.samples(d) <= front + 1e-7)) for d in days]
    assert stands == sorted(stands, reverse=True) and 0.0 < stands[-1] < stands[0] < 1.0  # records come
    out = fc.to_json(days, [], [])
    assert [row["p_record_stands"] for row in out["at"]] == [round(p, 4) for p in stands]
    # MMLU, which nobody has reported on for well over a year, most likely keeps its record
    stale = ForecastQuery(benchmark="MMLU", as_of=date(2026, 9, 1), method="reference", draws=400, seed=2).run()
    assert stale.record_stands(date(2027, 3, 1)) > 0.85 > stands[1]


def _new_benchmark() -> pd.DataFrame:
    return pd.DataFrame({"benchmark": ["NewEval"] * 3, "model": ["a", "b", "c"], "score": [12.0, 18.0, 25.0],
                         "date": pd.to_datetime(["2026-10-15", "2026-11-01", "2026-11-20"])})


@pytest.mark.parametrize("method", [None, "reference", "trend", "ensemble"])
def test_with_no_result_yet_only_the_population_prior_can_forecast(method: str | None) -> None:
    """The members move today's frontier: with none (before, a flat line at the floor) the query
    is refused in one line saying what can forecast it."""
    with pytest.raises(InvalidQuery) as err:
        ForecastQuery(_new_benchmark(), "NewEval", floor=0, as_of="2026-10-01", method=method, draws=400).run()
    assert str(err.value) == ("NewEval has no result known by 2026-10-01; method " + (method or "ensemble")
                              + " moves today's frontier, so it needs one (method saturation forecasts from the "
                              "population prior alone)")


def test_with_no_result_yet_the_saturation_method_forecasts_from_the_population_prior() -> None:
    from forecast.saturation.population import load_prior

    fc = ForecastQuery(_new_benchmark(), "NewEval", floor=0, released="2026-09-01", as_of="2026-10-01",
                       prior=load_prior(), method="saturation", draws=400).run()
    assert fc.frontier is None and "no results known by 2026-10-01: the forecast is the population's alone" in fc.notes
    assert fc.to_json([date(2027, 10, 1)], [], [])["at"][0]["p_record_stands"] is None


def test_an_ensemble_without_a_saturation_member_needs_no_population_prior() -> None:
    spec = EnsembleSpec(("reference", "trend"), (Band(float("inf"), (0.5, 0.5)),), Recalibration.identity(), {})
    assert not ForecastQuery(benchmark=NAME, as_of="2021-01-01", method="ensemble", ensemble=spec).needs_prior_build()
    with_sat = EnsembleSpec(("saturation", "trend"), (Band(float("inf"), (0.5, 0.5)),), Recalibration.identity(), {})
    assert ForecastQuery(benchmark=NAME, as_of="2021-01-01", method="ensemble", ensemble=with_sat).needs_prior_build()


def test_ensemble_json_has_weights() -> None:
    spec = EnsembleSpec(("reference",), (Band(float("inf"), (1.0,)),), Recalibration.identity(), {})
    fc = ForecastQuery(benchmark=NAME, as_of=AS_OF, method="ensemble", ensemble=spec, draws=300).run()
    out = fc.to_json([date(2025, 7, 1)], [], [])
    assert set(out) == KEYS | {"weights", "members"} and out["method"] == "ensemble"
    assert out["members"]["reference"] == {"at": out["at"], "thresholds": out["thresholds"]}  # one member: itself
    assert out["weights"] == {"members": ["reference"], "bands": [{"max_months": None, "weights": {"reference": 1.0}}],
                              "online_as_of": None, "recalibrated": False, "recalibration": {"kind": "none"}}


def test_the_members_alone_mix_to_the_ensemble() -> None:
    spec = EnsembleSpec(("reference", "trend"), (Band(float("inf"), (0.3, 0.7)),), Recalibration.identity(), {})
    fc = ForecastQuery(benchmark=NAME, as_of=AS_OF, method="ensemble", ensemble=spec, draws=4000, seed=1).run()
    by = date(2025, 12, 31)
    alone = {m: fc.member(m).probability(80.0, by) for m in ("reference", "trend")}
    assert alone["reference"] != pytest.approx(alone["trend"], abs=0.05)  # they disagree, so the check means something
    assert fc.probability(80.0, by) == pytest.approx(0.3 * alone["reference"] + 0.7 * alone["trend"], abs=0.025)
    assert fc.member("trend").method == "trend" and fc.member("trend").members == {}
    out = fc.to_json([by], [(80.0, by)], [])
    assert out["members"]["trend"]["thresholds"][0]["probability"] == round(alone["trend"], 4)
    with pytest.raises(InvalidQuery, match="'capability' is not a member of this forecast; members: reference, trend"):
        fc.member("capability")
    single = ForecastQuery(benchmark=NAME, as_of=AS_OF, method="trend", draws=300).run()
    assert single.members == {} and "members" not in single.to_json([by], [], [])


@pytest.mark.parametrize("options, message", [
    ({"method": "oracle"}, "method 'oracle' is not one of saturation, reference, trend, ensemble, capability"),
    ({"draws": 5}, "draws 5 must be between 20 and 200000"),
    ({"ceiling": 20.0}, "ceiling 20 must be above the floor 25 and at most 100"),
    ({"as_of": "2025-13-01"}, "as-of date '2025-13-01' is not a date like 2027-12-31"),
])
def test_errors_name_the_value_not_a_flag(options: dict, message: str) -> None:
    with pytest.raises(InvalidQuery) as err:
        ForecastQuery(benchmark=NAME if "ceiling" not in options else "MMLU", **options).run()
    assert str(err.value) == message


def test_dates_before_the_as_of_date_are_rejected() -> None:
    with pytest.raises(InvalidQuery, match="date 2024-06-30 is before the as-of date 2025-01-01"):
        ForecastQuery(benchmark=NAME, as_of=AS_OF).check_dates([date(2024, 6, 30)], [])


@pytest.mark.parametrize("method", ["reference", "ensemble"])
def test_later_results_cannot_change_an_as_of_forecast(method: str) -> None:
    spec = EnsembleSpec(("reference",), (Band(9.0, (1.0,)), Band(float("inf"), (1.0,))),
                        Recalibration.fit(np.random.default_rng(0).beta(2, 2, 200)), {})
    results = read_results().drop(columns=["line"])
    runs = [ForecastQuery(data, NAME, as_of=AS_OF, method=method, ensemble=spec, draws=300, seed=4).run()
            for data in (results, scrambled_after(results, AS_OF))]
    for when in ("2025-07-01", "2026-01-01"):
        np.testing.assert_array_equal(runs[0].samples(when), runs[1].samples(when))
    assert runs[0].frontier == runs[1].frontier


def test_reference_training_ignores_later_results() -> None:
    results, meta = read_results(), load_metadata()
    a = ReferenceMember().prepare(results, meta, AS_OF).model
    b = ReferenceMember().prepare(scrambled_after(results, AS_OF), meta, AS_OF).model
    np.testing.assert_array_equal(a.beta, b.beta)
    np.testing.assert_array_equal(a.move, b.move)
