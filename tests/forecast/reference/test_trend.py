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


def test_the_trend_line_spans_the_last_quarter_and_the_baseline_keeps_twelve_months() -> None:
    from forecast.baselines import History, past_pairs
    from forecast.reference.trend import WINDOW_MONTHS, trend_points

    assert WINDOW_MONTHS == 3
    # rose through the year, quiet for the last four months: the 12-month line still climbs,
    # the quarter's line is flat (today's frontier)
    t = np.array([2024.0, 2024.25, 2024.5, 2024.66]) - 2020.0
    hist = History(t, np.array([0.2, 0.3, 0.4, 0.5]))
    t0 = 2025.0 - 2020.0
    assert hist.trend_point(t0, 0.5, months=3) == 0.5
    assert hist.trend_point(t0, 0.5) > 0.55  # the baseline's default: 12 months
    c = np.ones(4)
    flat = trend_points(hist, t0, np.array([0.5]), c, months=3)
    year = trend_points(hist, t0, np.array([0.5]), c, months=12)
    np.testing.assert_allclose(flat, np.log(0.5 / 0.5))
    assert (year > flat + 0.3).all()
    # a burst inside the quarter: the quarter's line is steeper than the year's
    burst = History(np.append(t, t0 - 0.05), np.array([0.2, 0.3, 0.4, 0.5, 0.7]))
    assert burst.trend_point(t0, 0.5, months=3) > burst.trend_point(t0, 0.5) > 0.7
    # the rule's past errors are learned for the same window, from pairs ending by the cut-off
    three, twelve = past_pairs([burst], t0, 0.25, months=3), past_pairs([burst], t0, 0.25)
    assert three.trend_error.size == twelve.trend_error.size > 0
    assert not np.allclose(three.trend_error, twelve.trend_error)


def test_the_member_learns_its_errors_for_its_own_window() -> None:
    results, meta = read_results(), load_metadata()
    three = TrendMember().prepare(results, meta, AS_OF)
    twelve = TrendMember(window=12).prepare(results, meta, AS_OF)
    assert three.window == 3 and twelve.window == 12
    assert three.quantiles.shape == twelve.quantiles.shape
    assert not np.allclose(three.quantiles, twelve.quantiles)


def test_a_rising_benchmark_crosses_a_threshold_over_months_not_on_one_day() -> None:
    """Half of the rule's past errors are exactly 0 (quiet quarters that stayed quiet). Read
    as they are, every path of a rising benchmark in that half follows the line, and the chance
    of a threshold jumped by 0.27 within ten days where the line crossed it. The smoothed
    bootstrap spreads them; a quiet benchmark's "nothing happens" stays exact."""
    results, meta = read_results(), load_metadata()
    as_of = date(2026, 12, 3)
    train = results[results["date"].dt.date <= as_of]
    own = pd.DataFrame({"date": pd.to_datetime(["2026-03-01", "2026-06-15", "2026-10-20"]),
                        "score": [12.5, 19.0, 27.4], "model": ["a", "b", "c"]}).assign(y=lambda d: d["score"] / 100)
    ctx = MemberContext("Mine", 0.0, date(2026, 3, 1), as_of, own, results.iloc[0:0], meta)
    fit = TrendMember().prepare(train, meta, as_of)
    assert fit.bandwidth is not None and (fit.bandwidth > 0.05).all()
    days = pd.date_range("2027-03-01", "2028-06-30", freq="5D").date
    paths = fit.predict(ctx, list(days), 4000, np.random.default_rng(0))
    p60 = (paths >= 0.6).mean(axis=0)
    assert 0.2 < p60[-1] < 0.95
    # (unsmoothed: a jump of 0.19 within five days; smoothed: at most 0.022)
    assert np.diff(p60).max() < 0.05, f"P(>= 60%) jumps by {np.diff(p60).max():.3f} within five days"
    # a benchmark without a record in the last quarter: its still paths stay exactly at today's
    quiet = own.iloc[:2]
    still = fit.predict(MemberContext("Mine", 0.0, date(2026, 3, 1), as_of, quiet, results.iloc[0:0], meta),
                        [date(2027, 6, 30)], 4000, np.random.default_rng(0))
    assert ((still[:, 0] == 0.19).mean()) > 0.3
