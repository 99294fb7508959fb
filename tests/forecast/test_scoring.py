"""Scoring rules against hand calculations, and the baselines on toy histories."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.baselines import History, past_pairs, persistence, reference_class
from forecast.scoring import brier, covered, crps, log_score, pit


def test_crps_of_a_point_forecast_is_the_absolute_error() -> None:
    assert crps(np.full(10, 0.3), 0.5) == pytest.approx(0.2)


def test_crps_of_two_points_by_hand() -> None:
    # X uniform on {0, 1}, y = 0.25: E|X - y| = (0.25 + 0.75) / 2 = 0.5; E|X - X'| = 0.5 -> 0.5 - 0.25
    assert crps(np.array([0.0, 1.0]), 0.25) == pytest.approx(0.25)


def test_crps_matches_the_normal_closed_form(rng: np.random.Generator) -> None:
    from scipy.stats import norm

    x = rng.normal(0, 1, 200_000)
    y = 0.7
    closed = y * (2 * norm.cdf(y) - 1) + 2 * norm.pdf(y) - 1 / np.sqrt(np.pi)
    assert crps(x, y) == pytest.approx(closed, abs=3e-3)


def test_coverage_pit_brier_log() -> None:
    x = np.linspace(0, 1, 1001)
    assert covered(x, 0.5, 0.5) and not covered(x, 0.8, 0.5) and covered(x, 0.8, 0.9)
    rng = np.random.default_rng(0)
    assert pit(x, 0.25, rng) == pytest.approx(0.25, abs=2e-3)
    # a point mass at the outcome gives a uniform PIT, not 0 or 1
    pits = [pit(np.full(100, 0.4), 0.4, rng) for _ in range(2000)]
    assert 0.45 < np.mean(pits) < 0.55
    assert brier(0.8, True) == pytest.approx(0.04) and brier(0.8, False) == pytest.approx(0.64)
    assert log_score(0.8, True) == pytest.approx(-np.log(0.8))
    assert np.isfinite(log_score(0.0, True))


def test_baselines_learn_only_from_past_pairs(rng: np.random.Generator) -> None:
    # one benchmark rising 0.1 a year from 0.2: gains over 1 year are 0.1
    t = np.arange(0.0, 5.0, 0.25)
    hist = History(t, 0.2 + 0.1 * t)
    pairs = past_pairs([hist], cutoff=5.0, h=1.0)
    assert pairs.gain.size > 0 and np.allclose(pairs.gain, 0.1, atol=0.03)
    assert np.median(persistence(0.5, pairs, 1000, rng)) == pytest.approx(0.6, abs=0.03)
    rc = reference_class(0.5, pairs, 1000, rng)
    assert (rc >= 0.5).all() and 0.55 < np.median(rc) < 0.7
