"""The beta-transformed pool: its parameters are recovered when the truth's PIT under the pool
is a known beta; the recalibration choice keeps the sharpest calibrated candidate."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.backtest.heldout import choose_recalibration
from forecast.ensemble.recalibration import Recalibration, fit_beta, transformed_crps
from forecast.ensemble.spec import Band, EnsembleSpec
from forecast.scoring import coverage, covered, covered_pit, crps, pit


def over_dispersed_pool(rng: np.random.Generator, n: int, a: float, b: float, draws: int = 400):
    """Forecasts = an equal pool of two members; the truth is the pool's quantile at a
    Beta(a, b) level, so the ideal recalibration is exactly ``Beta_{a,b}``."""
    samples, truths = [], []
    for _ in range(n):
        mu = rng.normal(0, 1)
        pool = np.concatenate([rng.normal(mu - 1, 1, draws // 2), rng.normal(mu + 1, 1, draws // 2)])
        samples.append(pool)
        truths.append(np.quantile(pool, rng.beta(a, b)))
    return samples, np.array(truths)


def test_beta_parameters_are_recovered(rng: np.random.Generator) -> None:
    samples, truths = over_dispersed_pool(rng, 1500, 3.0, 2.0)
    recal = fit_beta(samples, truths)
    a, b = recal.beta
    assert a == pytest.approx(3.0, rel=0.2) and b == pytest.approx(2.0, rel=0.2)
    # and the transform lowers the CRPS against the raw pool
    x = np.sort(np.stack(samples), axis=1)
    assert transformed_crps(x, truths, a, b).mean() < transformed_crps(x, truths, 1.0, 1.0).mean() - 0.01


def test_beta_transform_narrows_an_over_dispersed_pool(rng: np.random.Generator) -> None:
    samples, truths = over_dispersed_pool(rng, 800, 3.0, 3.0)
    raw = np.mean([covered_pit(pit(s, t, rng), 0.8) for s, t in zip(samples, truths)])
    recal = fit_beta(samples[:400], truths[:400])
    fixed = [recal.apply(s[:, None], rng.uniform(size=s.size))[:, 0] for s in samples[400:]]
    cov = np.mean([covered_pit(pit(s, t, rng), 0.8) for s, t in zip(fixed, truths[400:])])
    assert raw > 0.93 and 0.72 <= cov <= 0.88
    assert np.mean([crps(s, t) for s, t in zip(fixed, truths[400:])]) < \
        np.mean([crps(s, t) for s, t in zip(samples[400:], truths[400:])])


def test_beta_transform_round_trips_through_the_spec() -> None:
    spec = EnsembleSpec(("a", "b"), (Band(float("inf"), (0.5, 0.5)),), Recalibration.from_beta(2.5, 1.5))
    again = EnsembleSpec.from_json(spec.to_json())
    assert again.recalibration.beta == (2.5, 1.5)
    np.testing.assert_allclose(again.recalibration.inverse(np.array([0.1, 0.5])),
                               stats.beta.ppf([0.1, 0.5], 2.5, 1.5))
    assert spec.describe()["recalibration"] == {"kind": "beta", "a": 2.5, "b": 1.5}


def test_a_missing_member_gives_its_weight_to_the_others(rng: np.random.Generator) -> None:
    spec = EnsembleSpec(("a", "b", "c"), (Band(float("inf"), (0.5, 0.25, 0.25)),))
    a, b = np.full((3000, 1), 0.5), np.full((3000, 1), 0.6)
    out = spec.combine({"a": a, "b": b}, np.array([6.0]), rng, now=0.4)
    assert np.mean(out[:, 0] == 0.5) == pytest.approx(2 / 3, abs=0.03)


def test_the_sharpest_calibrated_recalibration_is_kept() -> None:
    assert choose_recalibration({"none": (0.040, 0.93), "pit": (0.043, 0.81), "beta": (0.042, 0.79)}) == "beta"
    assert choose_recalibration({"none": (0.040, 0.93), "pit": (0.043, 0.88)}) == "none"


def test_coverage_with_an_atom_is_counted_from_the_randomised_pit(rng: np.random.Generator) -> None:
    # 60% "no change" at 0.4 and the outcome is 0.4: quantile coverage always says "inside",
    # the randomised PIT is uniform on [0, 0.6] and is inside the 80% band 0.1-0.9 5/6 of the time
    x = np.concatenate([np.full(600, 0.4), np.linspace(0.41, 0.9, 400)])
    inside = [covered_pit(pit(x, 0.4, rng), 0.8) for _ in range(4000)]
    assert np.mean(inside) == pytest.approx(5 / 6, abs=0.02)
    assert coverage(x, 0.4, 0.8) == pytest.approx(5 / 6) and covered(x, 0.4, 0.8)
    assert coverage(x, 0.95, 0.8) == 0.0 and coverage(np.linspace(0, 1, 1001), 0.5, 0.8) == 1.0
