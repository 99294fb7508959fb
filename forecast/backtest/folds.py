"""Grouped K-fold over benchmarks: "leave-one-benchmark-out in K folds".

Refitting the population prior once per held-out benchmark and cut-off is too slow (minutes a
fit), so benchmarks are dealt into K groups; every benchmark is forecast from fits that
excluded its whole group. The deal is a seeded permutation of the sorted names, so it is
stable across runs and machines.
"""

from __future__ import annotations

import numpy as np

DEFAULT_FOLDS = 6


def assign_folds(names: list[str] | set[str], k: int = DEFAULT_FOLDS, seed: int = 0) -> dict[str, int]:
    """Benchmark name -> fold index in 0..k-1 (sizes differ by at most one)."""
    ordered = sorted(names)
    perm = np.random.default_rng(seed).permutation(len(ordered))
    return {ordered[i]: int(rank % k) for rank, i in enumerate(perm)}
