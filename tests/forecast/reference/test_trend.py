"""The trend member: coherent frontier paths whose spread is learned from other benchmarks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from forecast.members import MemberContext
from forecast.reference.trend import TrendMember
from priors.history import load_metadata, read_results

AS_OF = date(2024, 7, 1)


def test_paths_are_coherent_frontiers_learned_without_later_data() -> None:
    results, meta = read_results(), load_metadata()
    own = pd.DataFrame({"date": pd.to_datetime(["2023-09-01", "2024-01-01", "2024-05-01"]),
                        "score": [10.0, 20.0, 30.0], "model": ["a", "b", "c"]}).assign(y=lambda d: d["score"] / 100)
    ctx = MemberContext("Mine", 0.0, date(2023, 8, 1), AS_OF, own, results.iloc[0:0], meta)
    fit = TrendMember().prepare(results, meta, AS_OF)
    targets = [date(2025, 1, 1), date(2025, 7, 1)]
    paths = fit.predict(ctx, targets, 2000, np.random.default_rng(0))
    assert (paths >= 0.3 - 1e-12).all() and (np.diff(paths, axis=1) >= 0).all()
    # a steep own trend (10 -> 30 in eight months) carries the median well above today
    assert np.median(paths[:, 0]) > 0.4
    later = results[results["date"].dt.date > AS_OF].index
    scrambled = results.copy()
    scrambled.loc[later, "score"] = 100.0
    again = TrendMember().prepare(scrambled, meta, AS_OF).predict(ctx, targets, 2000, np.random.default_rng(0))
    np.testing.assert_array_equal(paths, again)
