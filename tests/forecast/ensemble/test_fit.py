"""Choosing the pool on cross-fitted forecasts: a useless member is left out, and the spec
learned without a fold never sees that fold."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from forecast.ensemble.fit import cross_fit, fit_spec, select_members


def forecasts(rng: np.random.Generator, n: int = 90, draws: int = 300) -> list:
    out = []
    for i in range(n):
        mu = rng.normal(0, 1, 2)
        truth = mu + rng.normal(0, 0.5, 2)
        paths = {"good": mu + rng.normal(0, 0.5, (draws, 2)),
                 "biased": mu + 0.4 + rng.normal(0, 0.5, (draws, 2)),
                 "useless": mu + 4.0 + rng.normal(0, 0.5, (draws, 2))}
        out.append(SimpleNamespace(fold=i % 3, paths=paths, truths=tuple(truth), horizons=(6, 12), now=-10.0))
    return out


def test_a_useless_member_is_left_out_of_the_pool(rng: np.random.Generator) -> None:
    fc = forecasts(rng)
    pool, shrink, table = select_members(fc, ("good", "biased", "useless"), (0.0, 0.05, 1.0))
    assert len(table) == 4 * 3 and table[f"{'+'.join(pool)} shrink {shrink:g}"] == min(table.values())
    # the useless member gets no weight: left out, or kept at weight ~0 by unpulled stacking
    weights = dict(zip(pool, fit_spec(fc, pool, shrink=shrink).weights_at(6.0)))
    assert "good" in pool and weights.get("useless", 0.0) < 0.02
    # a pool with the useless member never beats the same pool without it
    assert table["good+biased+useless shrink 0"] >= table["good+biased shrink 0"] - 1e-4


def test_cross_fitted_specs_do_not_see_their_fold(rng: np.random.Generator) -> None:
    fc = forecasts(rng)
    specs = cross_fit(fc, ("good", "biased"), folds=3)
    assert {s.provenance["excluded_fold"] for s in specs.values()} == {0, 1, 2}
    assert all(s.provenance["forecasts"] == 2 * 60 for s in specs.values())
