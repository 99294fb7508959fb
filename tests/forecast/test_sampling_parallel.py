"""Chains in worker processes: one InferenceData with every chain, seeded per chain."""

from __future__ import annotations

import numpy as np

from forecast.sampling import SamplerConfig, chain_seed, sample_model


def normal_model(mu: float):
    import pymc as pm

    with pm.Model() as model:
        pm.Normal("x", mu, 1.0)
    return model


def test_chains_in_two_processes_make_one_posterior() -> None:
    config = SamplerConfig(draws=300, tune=200, chains=2, seed=5)
    seen = []
    idata = sample_model(normal_model, (3.0,), config, workers=2, progress=lambda d, t, n: seen.append(n))
    x = idata.posterior["x"].values
    assert x.shape == (2, 300)
    assert sorted(seen) == ["chain 0", "chain 1"]
    assert not np.allclose(x[0], x[1])  # independent streams
    assert abs(x.mean() - 3.0) < 0.25
    assert idata.sample_stats["diverging"].shape == (2, 300)


def test_chain_seeds_differ_and_are_stable() -> None:
    assert chain_seed(0, 0) != chain_seed(0, 1)
    assert chain_seed(7, 1) == chain_seed(7, 1)
