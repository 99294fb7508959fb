"""Short series are sampled with a higher target acceptance, and then do not diverge."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from forecast.saturation.fit import SHORT_SERIES, SHORT_TARGET_ACCEPT, fit_benchmark, sampler_for
from forecast.saturation.population import load_prior
from forecast.saturation_member import BENCHMARK_SAMPLER
from forecast.series import prepare
from priors.history import BenchmarkInfo, load_metadata, read_results

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "my_benchmark.csv"


def _example():
    return prepare(read_results(EXAMPLE), BenchmarkInfo("AgentArena", 0.0, None), date(2026, 12, 1))


def test_short_series_get_the_higher_target_acceptance_and_long_ones_keep_theirs() -> None:
    short = _example()
    long = prepare(read_results(), load_metadata()["GPQA Diamond"], date(2026, 12, 1))
    assert short.n_records <= SHORT_SERIES < long.n_records
    assert sampler_for(short, BENCHMARK_SAMPLER).target_accept == SHORT_TARGET_ACCEPT
    assert sampler_for(long, BENCHMARK_SAMPLER) == BENCHMARK_SAMPLER
    strict = BENCHMARK_SAMPLER.with_overrides(target_accept=0.995)
    assert sampler_for(short, strict) == strict  # raised, never lowered


@pytest.mark.slow
def test_the_example_csv_fits_without_divergences_at_default_settings() -> None:
    _, diag, _ = fit_benchmark(_example(), load_prior(), config=BENCHMARK_SAMPLER.with_overrides(draws=1000, seed=0))
    assert diag.divergences == 0
    assert diag.r_hat_max < 1.02
