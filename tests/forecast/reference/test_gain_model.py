"""The reference-class gain model recovers a known gain distribution, and its paths obey the
member contract."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast.members import MemberContext
from forecast.reference.member import ReferenceFit
from forecast.reference.model import fit_gain_model, move_features, size_features
from forecast.reference.pairs import HORIZONS, GainPairs

MOVE = np.array([-0.5, 1.0, -0.8, 0.3, -0.2])
BETA = np.array([-0.7, 0.5, -0.4, -0.3, 0.15])
SIGMA, TAU, NU = 0.6, 0.5, 5.0


def synthetic_pairs(rng: np.random.Generator, groups: int = 40, per: int = 40) -> GainPairs:
    """Pairs drawn from the model itself, each repeated 12 h times as overlapping monthly
    windows repeat one gain (the weight 1 / (12 h) then counts it once)."""
    n = groups * per
    group = np.repeat(np.arange(groups), per)
    h = rng.choice(HORIZONS, n)
    level, age = rng.uniform(-3, 3, n), rng.uniform(0, 3, n)
    day, stale = rng.uniform(-2, 2, n), rng.exponential(0.3, n)
    p = 1 / (1 + np.exp(-move_features(h, stale, level, day) @ MOVE))
    u = rng.normal(0, TAU, groups)[group]
    log_g = size_features(h, level, age, day) @ BETA + u + SIGMA * rng.standard_t(NU, n)
    gain = np.where(rng.uniform(size=n) < p, np.exp(log_g), 0.0)
    rep = np.round(12 * h).astype(int)
    cols = [np.repeat(v, rep) for v in (group, h, level, age, day, stale, gain)]
    return GainPairs(tuple(f"b{j}" for j in range(groups)), *cols)


def test_recovers_a_known_gain_distribution() -> None:
    model = fit_gain_model(synthetic_pairs(np.random.default_rng(3)))
    sd = np.sqrt(np.diag(model.beta_cov))
    assert np.all(np.abs(model.beta - BETA) < 3 * sd + 0.05), (model.beta, sd)
    assert np.abs(model.move - MOVE).max() < 0.3, model.move
    assert model.sigma == pytest.approx(SIGMA, rel=0.15)
    assert model.tau == pytest.approx(TAU, rel=0.35)
    assert model.nu in (4.0, 7.0)


def context(results: pd.DataFrame, as_of: date) -> MemberContext:
    own = results[results["date"].dt.date <= as_of].reset_index(drop=True)
    return MemberContext("Mine", 0.0, date(2024, 1, 1), as_of, own.assign(y=own["score"] / 100), own.iloc[0:0], {})


def test_paths_are_frontiers_and_coherent_across_targets() -> None:
    fit = ReferenceFit(fit_gain_model(synthetic_pairs(np.random.default_rng(4))))
    results = pd.DataFrame({"date": pd.to_datetime(["2024-02-01", "2024-06-01", "2024-11-01"]),
                            "score": [20.0, 35.0, 41.0], "model": ["a", "b", "c"]})
    ctx = context(results, date(2025, 1, 1))
    targets = [date(2025, 7, 1), date(2026, 1, 1), date(2027, 1, 1)]
    paths = fit.predict(ctx, targets, 4000, np.random.default_rng(1))
    assert paths.shape == (4000, 3)
    assert (paths >= 0.41 - 1e-12).all() and (np.diff(paths, axis=1) >= 0).all()
    # the same rng gives the same path whatever else is asked
    one = fit.predict(ctx, targets[1:2], 4000, np.random.default_rng(1))
    np.testing.assert_allclose(one[:, 0], paths[:, 1])
    # some paths stay put (no new record), most move within two years
    assert 0.05 < np.mean(paths[:, 0] == 0.41) < 0.95
    assert np.mean(paths[:, 2] > 0.41) > np.mean(paths[:, 0] > 0.41)


def test_later_results_do_not_reach_an_as_of_forecast() -> None:
    fit = ReferenceFit(fit_gain_model(synthetic_pairs(np.random.default_rng(4))))
    base = pd.DataFrame({"date": pd.to_datetime(["2024-02-01", "2024-06-01", "2024-11-01", "2025-03-01"]),
                         "score": [20.0, 35.0, 41.0, 60.0], "model": ["a", "b", "c", "d"]})
    later = base.assign(score=[20.0, 35.0, 41.0, 97.0])
    day = date(2025, 1, 1)
    a = fit.predict(context(base, day), [date(2026, 1, 1)], 500, np.random.default_rng(2))
    b = fit.predict(context(later, day), [date(2026, 1, 1)], 500, np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
