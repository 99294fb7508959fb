"""Stacking recovers the weights of members of known quality; recalibration fixes coverage;
the ensemble spec round-trips through JSON and combines paths as frontiers."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.ensemble.recalibration import Recalibration
from forecast.ensemble.spec import Band, EnsembleSpec
from forecast.ensemble.stacking import mean_abs_diff, stack, stacking_terms
from forecast.scoring import covered, crps


def test_mean_abs_diff_matches_brute_force(rng: np.random.Generator) -> None:
    x, y = rng.normal(0, 1, 300), rng.gamma(2, 1, 200)
    assert mean_abs_diff(x, y) == pytest.approx(np.abs(x[:, None] - y[None, :]).mean(), rel=1e-12)


def test_mixture_crps_is_exact(rng: np.random.Generator) -> None:
    a, b = rng.normal(0, 1, 2000), rng.normal(2, 0.5, 2000)
    terms = stacking_terms([[a, b]], np.array([1.2]), rng)
    w = np.array([0.3, 0.7])
    pooled = np.concatenate([a[:600], b[:1400]])
    assert terms.crps(w)[0] == pytest.approx(crps(pooled, 1.2), abs=0.01)


def test_stacking_recovers_the_weights_of_a_known_mixture(rng: np.random.Generator) -> None:
    # the truth is drawn from 0.7 * N(mu_i, 1) + 0.3 * N(mu_i + 3, 1); a third member is useless
    n, draws = 600, 400
    mu = rng.normal(0, 2, n)
    pick = rng.uniform(size=n) < 0.7
    truth = np.where(pick, mu, mu + 3) + rng.normal(0, 1, n)
    members = [[mu[i] + rng.normal(0, 1, draws), mu[i] + 3 + rng.normal(0, 1, draws),
                mu[i] - 4 + rng.normal(0, 3, draws)] for i in range(n)]
    w = stack(stacking_terms(members, truth, rng))
    assert w == pytest.approx([0.7, 0.3, 0.0], abs=0.08)


def test_stacking_prefers_the_better_member(rng: np.random.Generator) -> None:
    n, draws = 400, 300
    mu = rng.normal(0, 1, n)
    truth = mu + rng.normal(0, 0.3, n)
    members = [[mu[i] + rng.normal(0, 0.3, draws), mu[i] + 1.0 + rng.normal(0, 0.3, draws)] for i in range(n)]
    w = stack(stacking_terms(members, truth, rng))
    assert w[0] > 0.9


def test_recalibration_brings_coverage_to_its_level(rng: np.random.Generator) -> None:
    # forecasts twice too narrow: 80% intervals hold about 47%
    def forecast(i):
        return rng.normal(0, 0.5, 1000)

    truths = rng.normal(0, 1, 800)
    pits = np.array([np.mean(forecast(i) < t) for i, t in enumerate(truths)])
    recal = Recalibration.fit(pits)
    raw = [covered(forecast(i), t, 0.8) for i, t in enumerate(truths[:400])]
    fixed = [covered(recal.apply(forecast(i)[:, None], rng.uniform(size=1000))[:, 0], t, 0.8)
             for i, t in enumerate(truths[400:])]
    assert np.mean(raw) < 0.6
    assert 0.74 <= np.mean(fixed) <= 0.86


def test_spec_round_trip_and_combined_paths_are_frontiers(rng: np.random.Generator) -> None:
    spec = EnsembleSpec(("a", "b"), (Band(9.0, (0.25, 0.75)), Band(float("inf"), (1.0, 0.0))),
                        Recalibration.identity(), {"default_method": "ensemble"})
    again = EnsembleSpec.from_json(spec.to_json())
    assert again.bands == spec.bands and again.provenance == spec.provenance
    a = np.full((2000, 2), 0.5)
    b = np.column_stack([np.full(2000, 0.6), np.full(2000, 0.7)])
    out = spec.combine({"a": a, "b": b}, np.array([6.0, 12.0]), rng, now=0.4)
    assert np.mean(out[:, 0] == 0.6) == pytest.approx(0.75, abs=0.04)
    assert (np.diff(out, axis=1) >= 0).all() and (out >= 0.4).all()
    assert spec.describe()["bands"][0]["weights"] == {"a": 0.25, "b": 0.75}


def test_no_forecast_to_learn_from_gives_the_prior_weights() -> None:
    terms = stacking_terms([], np.array([]), np.random.default_rng(0), members=3)
    assert terms.a.shape == (0, 3)
    assert stack(terms).tolist() == pytest.approx([1 / 3] * 3)
    assert stack(terms, 0.5, np.array([0.2, 0.3, 0.5])).tolist() == pytest.approx([0.2, 0.3, 0.5])
