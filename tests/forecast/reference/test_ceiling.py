"""The ceiling: learned from synthetic plateaus, drawn above today's frontier, and respected by
the members' paths."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast.members import MemberContext
from forecast.reference.ceiling import Ceiling, fit_ceiling, plateau
from forecast.reference.member import ReferenceFit
from forecast.reference.model import fit_gain_model
from forecast.reference.trend import TrendFit, trend_points
from forecast.baselines import History
from tests.forecast.reference.test_gain_model import synthetic_pairs

MU, S = np.log(0.04), 0.7


def test_plateau_needs_a_standing_record_and_later_tries() -> None:
    t = np.array([0.0, 0.5, 1.0])
    y = np.array([0.5, 0.8, 0.9])
    tries = np.array([0.0, 0.5, 1.0, 1.3, 1.6, 1.9])
    assert plateau(y, t, tries, 2.0) == (0.9, True)
    assert plateau(y, t, tries[:4], 2.0) == (0.9, False)  # one try after the record: not enough
    assert plateau(y, t, tries, 1.5) == (0.9, False)  # the record is too young at 1.5
    assert plateau(y * 0.6, t, tries, 2.0)[1] is False  # a low record is not a ceiling


def test_recovers_the_headroom_of_synthetic_plateaus() -> None:
    rng = np.random.default_rng(0)
    d = np.exp(rng.normal(MU, S, 300))
    c = 1 - np.minimum(d, 0.3)
    # 120 benchmarks stopped at their ceiling; the others are still somewhere below it
    flat = np.arange(300) < 120
    best = np.where(flat, c, c * rng.uniform(0.75, 1.0, 300))
    fit = fit_ceiling(list(zip(best, flat)))
    assert fit.mu == pytest.approx(MU, abs=0.15) and fit.s == pytest.approx(S, abs=0.12)
    assert (fit.n_plateaus, fit.n_censored) == (120, 180)


def test_ceilings_are_drawn_above_the_frontier() -> None:
    ceiling = Ceiling(MU, S)
    u = np.random.default_rng(1).uniform(size=5000)
    for level in (0.2, 0.9, 0.97):
        c = ceiling.draw(level, u)
        assert (c > level).all() and (c < 1).all()
    # the conditional headroom at 0.97 is the lognormal truncated to d < 0.03
    d = 1 - ceiling.draw(0.97, u)
    ref = np.exp(np.random.default_rng(2).normal(MU, S, 400_000))
    assert np.median(d) == pytest.approx(np.median(ref[ref < 0.03]), rel=0.05)


def _ctx(scores: list[float]) -> MemberContext:
    dates = pd.date_range("2024-01-01", periods=len(scores), freq="60D")
    own = pd.DataFrame({"date": dates, "score": scores, "model": [f"m{i}" for i in range(len(scores))]})
    return MemberContext("Mine", 0.0, date(2024, 1, 1), date(2025, 7, 1), own.assign(y=own["score"] / 100),
                         own.iloc[0:0], {})


def test_reference_paths_stay_below_their_ceiling() -> None:
    model = fit_gain_model(synthetic_pairs(np.random.default_rng(4)))
    ctx = _ctx([60.0, 80.0, 90.0, 93.0, 94.0])
    targets = [date(2026, 7, 1), date(2028, 7, 1)]
    free = ReferenceFit(model).predict(ctx, targets, 4000, np.random.default_rng(3))
    capped = ReferenceFit(model, Ceiling(np.log(0.04), 0.3)).predict(ctx, targets, 4000, np.random.default_rng(3))
    # headroom ~4% (tight): paths stop short of ~96-97%, the plain logit scale runs on towards 100%
    assert np.quantile(capped[:, 1], 0.95) < 0.975 < np.quantile(free[:, 1], 0.95)
    assert (capped >= 0.94 - 1e-12).all() and (np.diff(capped, axis=1) >= 0).all()


def test_trend_points_on_the_ceiling_scale() -> None:
    hist = History(np.array([0.0, 0.5, 1.0]), np.array([0.5, 0.7, 0.84]))
    h = np.array([0.5, 1.0])
    plain = trend_points(hist, 1.0, h, np.ones(1))[0]
    low = trend_points(hist, 1.0, h, np.array([0.88]))[0]
    # with a ceiling of 1 it is the baseline rule (`forecast.baselines.History.trend_point`)
    for k, hk in enumerate(h):
        p = hist.trend_point(1.0, float(hk))
        assert plain[k] == pytest.approx(np.log(p / (1 - p)), rel=1e-9)
    # nearer a ceiling the same history is a steeper climb on the share-of-ceiling scale
    assert low[1] - low[0] > plain[1] - plain[0]
    fit = TrendFit(np.array([0.5, 1.0]), np.zeros((2, 101)), Ceiling(np.log(0.04), 0.3))
    assert isinstance(fit.ceiling, Ceiling)


def test_a_callers_ceiling_replaces_the_learned_one() -> None:
    from dataclasses import replace

    model = fit_gain_model(synthetic_pairs(np.random.default_rng(4)))
    ctx = replace(_ctx([60.0, 80.0, 90.0, 93.0, 94.0]), ceiling=0.95)
    paths = ReferenceFit(model, Ceiling(MU, S)).predict(ctx, [date(2027, 7, 1)], 3000, np.random.default_rng(3))
    assert paths.max() <= 0.95 + 1e-12 and np.mean(paths > 0.945) > 0.2
