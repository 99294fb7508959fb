"""The capability index: recovery from synthetic data, the density, no peeking, the member's paths."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, spearmanr

from forecast.capability.data import prepare_items
from forecast.capability.forecast import ceiling_draws, fit_for_members, record_steps, record_times
from forecast.capability.frontier import fit_frontier
from forecast.capability.model import build_model, fit_laplace, neg_log_posterior, _start, _unpack
from forecast.series import from_years, to_years
from priors.history import BenchmarkInfo, read_results


def synthetic(rng: np.random.Generator, n_models: int = 60, n_bench: int = 8, accel: float = 2.0):
    """Results of models whose capability rises with their release date (faster after 2024),
    scored on benchmarks of known difficulty and slope, each model on a random 5 of them."""
    t = np.sort(rng.uniform(0.0, 6.0, n_models))               # years since 2020
    trend = np.where(t < 4, 0.25 * t, 1.0 + 0.25 * accel * (t - 4))
    cap = trend - 0.8 + rng.normal(0, 0.3, n_models)
    diff = np.linspace(-1.0, 1.5, n_bench)
    slope = rng.uniform(1.5, 4.0, n_bench)
    rows = []
    for m in range(n_models):
        for b in rng.choice(n_bench, size=5, replace=False):
            y = 1 / (1 + np.exp(-slope[b] * (cap[m] - diff[b]))) + rng.normal(0, 0.02)
            rows.append({"benchmark": f"B{b}", "model": f"model-{m}", "date": pd.Timestamp(from_years(t[m])),
                         "score": float(np.clip(100 * y, 0, 100)), "provenance": "epoch_run", "score_column": ""})
    meta = {f"B{b}": BenchmarkInfo(f"B{b}", 0.0, date(2019, 1, 1)) for b in range(n_bench)}
    return pd.DataFrame(rows), meta, cap, diff, slope


def test_recovers_capabilities_difficulties_and_slopes(rng: np.random.Generator) -> None:
    frame, meta, cap, diff, slope = synthetic(rng)
    data = prepare_items(frame, meta)
    post = fit_laplace(data, seed=1, draws=400)
    order = [int(m.split("-")[1]) for m in data.models]
    c_hat = post.C.mean(0)
    assert spearmanr(c_hat, cap[order]).statistic > 0.95
    b_order = [int(i[1]) for i in data.item_benchmark]
    # the latent scale is free: map it with the true capabilities' mean and spread
    a, b = np.polyfit(c_hat, cap[order], 1)
    assert np.allclose(a * post.D.mean(0) + b, diff[b_order], atol=0.25)
    assert np.corrcoef(post.alpha.mean(0) / a, slope[b_order])[0, 1] > 0.8
    lo, hi = np.quantile(a * post.C + b, [0.05, 0.95], axis=0)
    inside = np.mean((cap[order] >= lo) & (cap[order] <= hi))
    assert 0.8 <= inside <= 1.0


def test_numpy_density_matches_pymc(rng: np.random.Generator) -> None:
    frame, meta, *_ = synthetic(rng, n_models=20, n_bench=6)
    data = prepare_items(frame, meta)
    logp = build_model(data).compile_logp(jacobian=False)
    x1 = _start(data) + rng.normal(0, 0.1, _start(data).size)
    x2 = x1 + rng.normal(0, 0.05, x1.size)
    pymc_diff = float(logp(_unpack(x1, data)) - logp(_unpack(x2, data)))
    ours = -(neg_log_posterior(x1, data)[0] - neg_log_posterior(x2, data)[0])
    assert ours == pytest.approx(pymc_diff, rel=1e-9)


def test_frontier_trend_sees_acceleration(rng: np.random.Generator) -> None:
    frame, meta, *_ = synthetic(rng, n_models=120, accel=3.0)
    data = prepare_items(frame, meta)
    post = fit_laplace(data, seed=2, draws=300)
    trend = fit_frontier(post.C, data.model_dates, from_years(6.0), n_items=data.items_per_model(), seed=2)
    assert np.median(trend.ratio) > 1.5
    paths = trend.sample(np.array([6.5, 7.0, 8.0]), 500, np.random.default_rng(0))
    assert np.all(np.diff(paths, axis=1) >= 0)
    spread = np.percentile(paths, 95, 0) - np.percentile(paths, 5, 0)
    assert spread[2] > spread[0]


def test_no_peeking_later_results_do_not_change_an_as_of_fit(rng: np.random.Generator) -> None:
    frame, meta, *_ = synthetic(rng)
    cut = date(2024, 6, 30)
    later = frame["date"].dt.date > cut
    scrambled = frame.copy()
    scrambled.loc[later, "score"] = rng.uniform(0, 100, int(later.sum()))
    a = fit_laplace(prepare_items(frame, meta, cut), seed=3, draws=50)
    b = fit_laplace(prepare_items(scrambled, meta, cut), seed=3, draws=50)
    assert np.array_equal(a.C, b.C) and np.array_equal(a.D, b.D)


@dataclass
class Ctx:
    """The attributes of forecast.members.MemberContext that the member reads."""

    benchmark: str
    floor: float
    released: date
    as_of: date
    results: pd.DataFrame
    train: pd.DataFrame
    meta: dict

    def normalise(self, score):
        return (np.asarray(score, dtype=float) - self.floor) / (100.0 - self.floor)


def test_member_paths_on_a_held_out_synthetic_benchmark(rng: np.random.Generator) -> None:
    frame, meta, *_ = synthetic(rng, n_models=120, accel=1.0)
    as_of = from_years(5.0)
    held = frame[frame["benchmark"] == "B5"]
    train = frame[frame["benchmark"] != "B5"]
    fit = fit_for_members(train, {k: v for k, v in meta.items() if k != "B5"}, as_of, seed=0)
    known = held[held["date"].dt.date <= as_of].assign(y=lambda d: d["score"] / 100)
    ctx = Ctx("B5", 0.0, date(2019, 1, 1), as_of, known[["date", "score", "model", "y"]], train, meta)
    targets = [as_of + timedelta(days=365), as_of + timedelta(days=730)]
    paths = fit.predict(ctx, targets, 2000, np.random.default_rng(0))
    now = known["y"].max()
    assert paths.shape == (2000, 2)
    assert np.all(paths >= now - 1e-12) and np.all(paths[:, 1] >= paths[:, 0])
    # an active benchmark climbs with the frontier, and more in two years than in one
    assert np.median(paths[:, 0]) > now + 0.02
    assert np.median(paths[:, 1]) > np.median(paths[:, 0]) + 0.02
    # the spread grows with the horizon
    assert np.subtract(*np.percentile(paths[:, 1], [90, 10])) > np.subtract(*np.percentile(paths[:, 0], [90, 10]))
    # same rng state, other targets: the same paths (the ensemble's contract)
    again = fit.predict(ctx, targets[:1], 2000, np.random.default_rng(0))
    assert np.array_equal(again[:, 0], paths[:, 0])


def test_index_over_shipped_data_json_contract() -> None:
    from forecast import capability_index

    ci = capability_index(read_results(), as_of=date(2025, 9, 1), seed=0, draws=200)
    out = ci.to_json()
    assert set(out) >= {"models", "benchmarks", "frontier", "as_of", "scale"}
    assert out["scale"] == "eci"
    row = out["models"][0]
    assert set(row) >= {"model", "index", "lo", "hi", "date"}
    assert row["lo"] <= row["index"] <= row["hi"]
    anchor = next(r for r in out["models"] if r["model"] == "gpt-5-2025-08-07")
    assert anchor["index"] == pytest.approx(150.0, abs=1.0)
    assert set(out["frontier"]) >= {"trend", "ratio", "earlier_trend"}
    assert all(pd.Timestamp(r["date"]).date() <= date(2025, 9, 1) for r in out["models"])


def test_ceiling_draws_sit_between_today_and_one(rng: np.random.Generator) -> None:
    free = ceiling_draws(0.0, 20000, rng)
    assert np.median(1 - free) == pytest.approx(0.05, rel=0.05)          # median gap 5 %
    tail = norm.sf((np.log(0.2 / 0.8) - np.log(0.05 / 0.95)) / 1.0)      # the prior's P(gap > 20 %)
    assert np.mean(1 - free > 0.2) == pytest.approx(tail, abs=0.01)
    high = ceiling_draws(0.97, 20000, rng)
    assert np.all(high > 0.97) and np.all(high < 1.0)


def test_benchmark_curve_recovers_its_slope_from_records(rng: np.random.Generator) -> None:
    """Records made from known capabilities on a curve of slope 2x the pooled one: the fitted
    slope moves from the pooled prior to near the truth, with or without capability scatter."""
    frame, meta, *_ = synthetic(rng, n_models=60)
    fit = fit_for_members(frame, meta, from_years(6.0), seed=0)
    assert 0.0 < fit.sx < 0.5
    models = list(fit.data.models)
    c = fit.posterior.C.mean(0)
    order = np.argsort(c)
    pick = [models[i] for i in order[np.linspace(5, len(order) - 1, 8).astype(int)]]   # rising capability
    a0 = 2 * np.exp(fit.log_slope[0])
    x = np.array([c[models.index(m)] for m in pick])
    d0 = float(np.median(x))
    rows = pd.DataFrame({"date": [pd.Timestamp(2021, 1, 1) + pd.Timedelta(days=30 * j) for j in range(8)],
                         "model": pick, "y": 0.95 / (1 + np.exp(-a0 * (x - d0)))})
    rows["score"] = 100 * rows["y"]
    ctx = Ctx("new", 0.0, date(2020, 6, 1), from_years(6.0), rows, frame, meta)
    for f in (fit, replace(fit, sx=0.0)):
        cv = f.curve(ctx, 2000, np.random.default_rng(1))
        assert np.median(cv.a) == pytest.approx(a0, rel=0.3)
        assert np.median(cv.d) == pytest.approx(d0, abs=0.1)
        assert np.all(cv.c > rows["y"].max())


def test_frontier_break_moves_when_one_record_precedes_it() -> None:
    """Early cut-offs have a single record before the usual break: the trend still fits."""
    dates = np.array([0.0, 2.0, 2.3, 2.6, 3.0, 3.4])
    C = np.tile(np.array([0.0, 0.5, 0.6, 0.7, 0.8, 0.9]), (50, 1)) + np.random.default_rng(0).normal(0, 0.01, (50, 6))
    trend = fit_frontier(C, dates, from_years(3.5), seed=0)
    assert 2.0 < trend.k < 2.6
    assert trend.n_records == 6


def test_user_models_link_to_the_index_and_unknown_ones_fall_back_on_their_date(rng: np.random.Generator) -> None:
    frame, meta, *_ = synthetic(rng, n_models=40)
    fit = fit_for_members(frame, meta, from_years(6.0), seed=0)
    draws = np.arange(fit.posterior.n_draws)
    known = fit.data.models[5]
    day = pd.Timestamp(from_years(fit.data.model_dates[5]))
    assert np.array_equal(fit.capability(known.upper(), day, draws), fit.posterior.C[:, 5])
    later = pd.Timestamp(from_years(5.5))
    unknown = fit.capability("my-own-model-v1", later, draws)
    level = fit.trend.level(to_years(later))[:, 0]
    assert np.array_equal(unknown, level[draws % level.size])


def test_record_dates_and_steps_come_from_records_only() -> None:
    """Results that set no record (an old benchmark's late, weaker runs) neither count as the
    frontier moving nor as a step."""
    rows = pd.DataFrame({"benchmark": ["A"] * 5 + ["B"] * 3, "provenance": ["x"] * 8,
                         "date": pd.to_datetime(["2021-01-01", "2021-06-01", "2022-01-01", "2023-01-01", "2024-01-01",
                                                 "2022-01-01", "2022-02-01", "2022-03-01"]),
                         "y": [0.2, 0.5, 0.4, 0.45, 0.3, 0.01, 0.5, 0.6]})
    times = record_times(rows)
    assert [len(t) for t in times] == [2, 3]
    assert times[0][-1] == pytest.approx(to_years(date(2021, 6, 1)))
    c = 0.95
    lg = lambda v: np.log(v / c / (1 - v / c))                      # noqa: E731
    # B's first step starts at 1 %, below MIN_STEP_FROM: left out
    assert np.allclose(np.sort(record_steps(rows)), np.sort([lg(0.5) - lg(0.2), lg(0.6) - lg(0.5)]))
