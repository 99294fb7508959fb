"""Backtests: the ordinary one (`ordinary`: models fitted to every benchmark known at each
cut-off) and the held-out one (`heldout`: leave-one-benchmark-out in K folds, each benchmark
forecast as a user's CSV would be)."""

from forecast.backtest.ordinary import (
    DEFAULT_CUTOFFS,
    DEFAULT_HORIZONS,
    EVENTS,
    BASELINE_MODELS,
    BacktestConfig,
    Score,
    add_months,
    backtest_cutoff,
    realised,
    run_backtest,
    snapshots,
    summarize,
    with_user_results,
)

__all__ = ["DEFAULT_CUTOFFS", "DEFAULT_HORIZONS", "EVENTS", "BASELINE_MODELS", "BacktestConfig", "Score", "add_months",
           "backtest_cutoff", "realised", "run_backtest", "snapshots", "summarize", "with_user_results"]
