"""Backtests: no peeking past the cut-off, and scores that mean what they say."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast.backtest import BacktestConfig, add_months, backtest_cutoff, summarize
from forecast.backtest.folds import assign_folds
from forecast.ensemble.recalibration import Recalibration
from forecast.ensemble.spec import Band, EnsembleSpec
from forecast.backtest.heldout import HeldOutConfig, build_members, heldout_cutoff
from forecast.reference.member import ReferenceMember
from forecast.sampling import SamplerConfig
from priors.history import load_metadata, read_results

CUTOFF = date(2024, 7, 1)
BENCHES = ["GPQA Diamond", "MMLU", "MATH Level 5", "GSM8K", "HellaSwag", "OTIS Mock AIME 2024-2025"]
SPEC = EnsembleSpec(("saturation", "reference", "trend"), (Band(9.0, (0.2, 0.5, 0.3)), Band(float("inf"), (0.4, 0.3, 0.3))),
                    Recalibration.fit(np.random.default_rng(1).beta(1.5, 1.5, 300)), {})
CONFIG = BacktestConfig(cutoffs=(CUTOFF,), horizons=(6, 12),
                        sampler=SamplerConfig(draws=60, tune=80, chains=2, seed=11), ensemble=SPEC, default="ensemble")


def small_history() -> pd.DataFrame:
    res = read_results()
    return res[res["benchmark"].isin(BENCHES)].reset_index(drop=True)


def keyed(scores) -> dict:
    return {(s.model, s.benchmark, s.horizon): s for s in scores}


def test_post_cutoff_data_cannot_change_a_forecast() -> None:
    meta = load_metadata()
    res = small_history()
    base = keyed(backtest_cutoff(res, meta, CUTOFF, CONFIG))
    methods = {"saturation", "reference", "trend"} | ({"ensemble"} if CONFIG.ensemble else set())
    # capability joins where it can be fitted on these six benchmarks (its no-peeking is checked below)
    assert {k[0] for k in base} - {"capability"} == {"benchcast", "persistence", "logit_trend",
                                                     "independent_logistic", "reference_class"} | methods
    # after the cut-off: scramble every score, drop a third of the rows, add a fake record
    late = res["date"].dt.date > CUTOFF
    rng = np.random.default_rng(5)
    changed = res.copy()
    changed.loc[late, "score"] = rng.uniform(0, 100, late.sum()).round(1)
    drop = changed.index[late.to_numpy()][::3]
    changed = changed.drop(index=drop)
    fake = changed.iloc[[0]].assign(model="future-model", date=pd.Timestamp(add_months(CUTOFF, 2)), score=99.9)
    changed = pd.concat([changed, fake], ignore_index=True)
    other = keyed(backtest_cutoff(changed, meta, CUTOFF, CONFIG))
    common = set(base) & set(other)
    assert len(common) >= 20
    for key in common:
        np.testing.assert_array_equal(base[key].samples, other[key].samples, err_msg=str(key))
        assert base[key].now == other[key].now


def test_scores_are_consistent() -> None:
    scores = backtest_cutoff(small_history(), load_metadata(), CUTOFF, CONFIG)
    summ = summarize(scores)
    for model, v in summ.items():
        assert 0 < v["crps"] < 0.5, model
        assert v["rmse"] >= v["crps"] * 0.9
        assert all(0 <= c <= 1 for c in v["coverage"].values())
        assert v["coverage"]["0.5"] <= v["coverage"]["0.8"] <= v["coverage"]["0.9"]
    # persistence never predicts a fall, and every truth is at least today's frontier
    for s in scores:
        assert s.truth >= s.now - 1e-9
        if s.model == "persistence":
            assert (s.samples >= s.now - 1e-12).all()


HELD_OUT = HeldOutConfig(cutoffs=(CUTOFF,), horizons=(6, 12), folds=2, methods=("reference",), n=300, seed=3)


class Recording:
    """The reference member, recording which benchmarks each fit was trained on."""

    name = "reference"

    def __init__(self) -> None:
        self.trained: list[set[str]] = []

    def prepare(self, train, meta, as_of):
        self.trained.append(set(train["benchmark"]))
        return ReferenceMember().prepare(train, meta, as_of)


def test_held_out_benchmarks_never_reach_their_own_fits() -> None:
    res, meta = small_history(), load_metadata()
    member = Recording()
    forecasts = heldout_cutoff(res, meta, CUTOFF, HELD_OUT, {"reference": member})
    folds = assign_folds(set(res["benchmark"]), 2)
    assert {f.benchmark for f in forecasts} >= {"GPQA Diamond", "MMLU", "MATH Level 5"}
    assert len(member.trained) == 2
    for f in forecasts:
        assert f.fold == folds[f.benchmark]
        assert f.benchmark not in member.trained[f.fold]
        assert set(f.paths) == {"reference", "persistence", "logit_trend", "reference_class"}
        assert (f.paths["reference"] >= f.now - 1e-12).all()


def test_held_out_forecasts_do_not_peek() -> None:
    res, meta = small_history(), load_metadata()
    late = res["date"].dt.date > CUTOFF
    changed = res.copy()
    changed.loc[late, "score"] = np.random.default_rng(9).uniform(0, 100, late.sum()).round(1)
    members = build_members(HELD_OUT)
    a = {f.benchmark: f for f in heldout_cutoff(res, meta, CUTOFF, HELD_OUT, members)}
    b = {f.benchmark: f for f in heldout_cutoff(changed, meta, CUTOFF, HELD_OUT, members)}
    common = set(a) & set(b)
    assert len(common) >= 3
    for name in common:
        for m in a[name].paths:
            np.testing.assert_array_equal(a[name].paths[m], b[name].paths[m], err_msg=f"{name} {m}")


@pytest.mark.slow
def test_cutoffs_in_worker_processes_score_exactly_as_in_process() -> None:
    from dataclasses import replace

    from forecast.backtest import run_backtest

    config = replace(CONFIG, cutoffs=(CUTOFF, date(2025, 1, 1)), horizons=(6,))
    res, meta = small_history(), load_metadata()
    def by_cutoff(scores) -> dict:
        return {(s.model, s.benchmark, s.cutoff, s.horizon): s for s in scores}

    here = by_cutoff(run_backtest(res, meta, config, workers=1))
    there = by_cutoff(run_backtest(res, meta, config, workers=2))
    assert here.keys() == there.keys() and len(here) >= 10
    for key in here:
        np.testing.assert_array_equal(here[key].samples, there[key].samples, err_msg=str(key))


def test_the_mcmc_fits_leave_every_other_model_unchanged() -> None:
    """`fits=False` (the default backtest, no MCMC) scores every other model exactly as a run
    with the saturation and independent-logistic fits does: their draws have their own stream."""
    from dataclasses import replace

    spec = EnsembleSpec(("reference", "trend"), (Band(float("inf"), (0.6, 0.4)),), Recalibration.identity(), {})
    config = replace(CONFIG, ensemble=spec)
    with_fits = keyed(backtest_cutoff(small_history(), load_metadata(), CUTOFF, config))
    without = keyed(backtest_cutoff(small_history(), load_metadata(), CUTOFF, replace(config, fits=False)))
    assert {k[0] for k in with_fits} - {k[0] for k in without} == {"saturation", "independent_logistic"}
    assert set(without) <= set(with_fits) and len(without) >= 20
    for key, score in without.items():
        np.testing.assert_array_equal(score.samples, with_fits[key].samples, err_msg=str(key))
        assert (score.crps, score.pit) == (with_fits[key].crps, with_fits[key].pit), key
