"""The activity model: abandoned benchmarks stop moving."""

from __future__ import annotations

import numpy as np

from forecast.activity import Activity, fit_activity
from forecast.saturation.timeline import Paths


def test_fit_learns_that_stale_benchmarks_stay_quiet(rng: np.random.Generator) -> None:
    # ten lively benchmarks (a result every month) and ten that stop after a year
    lively = [np.arange(0.0, 5.0, 1 / 12) + rng.uniform(0, 0.05) for _ in range(10)]
    dead = [np.arange(0.0, 1.0, 1 / 12) + rng.uniform(0, 0.05) for _ in range(10)]
    act = fit_activity(lively + dead, cutoff=5.0)
    assert act.probability(0.0, 0.5) > 0.9
    assert act.probability(2.0, 0.5) < 0.2
    assert act.probability(1.0, 2.0) > act.probability(1.0, 0.5)  # longer windows, likelier


def test_waiting_time_inverts_the_probability() -> None:
    act = Activity(1.0, -2.0, 1.2)
    u = np.array([0.1, 0.5, 0.9])
    h = act.first_result_after(0.7, u)
    np.testing.assert_allclose(act.probability(0.7, h), u)


def test_frozen_paths_hold_the_frontier_until_a_result_comes(rng: np.random.Generator) -> None:
    theta = np.column_stack([np.zeros(2000), np.full(2000, 2.0), np.full(2000, -3.0), np.full(2000, -2.0)])
    paths = Paths.from_theta("logistic", theta, released=2.0, t0=4.0, f_now=0.5, rng=rng)
    quiet = paths.with_activity(Activity(-3.0, -1.0, 0.5), staleness=3.0, rng=rng)
    lively = paths.with_activity(Activity(4.0, 0.0, 0.5), staleness=0.0, rng=rng)
    f_quiet = quiet.frontier_at(np.array([5.0]))[:, 0]
    f_lively = lively.frontier_at(np.array([5.0]))[:, 0]
    assert np.mean(f_quiet == 0.5) > 0.8
    assert np.mean(f_lively > 0.5) > 0.9
    assert quiet.probability_by(0.6, 5.0) < lively.probability_by(0.6, 5.0)
