"""Many simulated sessions: averages, spreads, and the subsidy sweep.

Runs use independent child seeds of one ``numpy.random.SeedSequence``, so the summary is a
pure function of (config, runs, seed). A sweep reuses the same seeds for every subsidy
(common random numbers): the bots and their turns are the same, only the liquidity differs.

Convergence measures, from the price error ``e_t = 1/2 sum_i |p_t,i - truth_i|`` averaged over
runs: the error at a few checkpoints, its mean over the session, and the first step at which it
falls to `tolerance`; how far prices move per step is ``mean_t 1/2 sum_i |p_t+1,i - p_t,i|``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from markets.bots.errors import BotError
from markets.simulate import RunResult, SimulationConfig, check_config, run_market

CHECKPOINTS = (0.0, 0.1, 0.25, 0.5, 1.0)
TOLERANCE = 0.05


@dataclass(frozen=True)
class StrategyPnl:
    """Profit per bot of one strategy: mean and spread (std of per-run means) over runs."""

    strategy: str
    bots: int
    mean: float
    std: float
    expected_mean: float
    expected_std: float


@dataclass(frozen=True)
class SimulationSummary:
    """Several runs of one config, and what they show together."""

    config: SimulationConfig
    seed: int
    results: tuple[RunResult, ...]

    @property
    def truth(self) -> np.ndarray:
        return np.asarray(self.config.truth)

    @property
    def error_curve(self) -> np.ndarray:
        """Price error after each step, averaged over runs."""
        return np.mean([r.error for r in self.results], axis=0)

    def checkpoints(self) -> list[tuple[int, float]]:
        curve = self.error_curve
        steps = len(curve) - 1
        return [(int(round(f * steps)), float(curve[int(round(f * steps))])) for f in CHECKPOINTS]

    def steps_to(self, tolerance: float = TOLERANCE) -> int | None:
        """First step at which the mean error is at most `tolerance` (None: never)."""
        hit = np.flatnonzero(self.error_curve <= tolerance)
        return int(hit[0]) if hit.size else None

    def mean_move(self) -> float:
        """How far prices move per step, on average over steps and runs."""
        return float(np.mean([0.5 * np.abs(np.diff(r.path, axis=0)).sum(axis=1).mean() for r in self.results]))

    def pnl_by_strategy(self) -> list[StrategyPnl]:
        rows = []
        first = self.results[0]
        for strategy in dict.fromkeys(first.strategies):
            mask = np.array([s == strategy for s in first.strategies])
            per_run = np.array([r.pnl[mask].mean() for r in self.results])
            per_run_exp = np.array([r.pnl_expected[mask].mean() for r in self.results])
            rows.append(StrategyPnl(strategy, int(mask.sum()), float(per_run.mean()), float(per_run.std()),
                                    float(per_run_exp.mean()), float(per_run_exp.std())))
        return rows

    def to_dict(self) -> dict:
        """Everything as plain JSON values."""
        c, rs = self.config, self.results
        finals = np.array([r.final_prices for r in rs])
        return {
            "question": c.question,
            "outcomes": list(c.outcomes()),
            "mechanism": c.mechanism,
            "subsidy": c.subsidy,
            "b": rs[0].b,
            "bots": dict(c.population),
            "steps": c.steps,
            "runs": len(rs),
            "seed": self.seed,
            "truth": [float(v) for v in c.truth],
            "forecast_belief": c.forecast_belief,
            "final_prices": [float(v) for v in finals.mean(axis=0)],
            "final_prices_by_run": finals.tolist(),
            "price_error": [{"step": s, "error": e} for s, e in self.checkpoints()],
            "steps_to_error_0.05": self.steps_to(),
            "mean_error": float(self.error_curve.mean()),
            "mean_move_per_step": self.mean_move(),
            "brier_final": float(np.mean([r.brier_final for r in rs])),
            "brier_final_expected": float(np.mean([r.brier_final_expected for r in rs])),
            "log_score_final": float(np.mean([r.log_score_final for r in rs])),
            "pnl_by_strategy": {
                p.strategy: {"bots": p.bots, "mean": p.mean, "std": p.std,
                             "expected_mean": p.expected_mean, "expected_std": p.expected_std}
                for p in self.pnl_by_strategy()
            },
            "maker_loss": float(np.mean([r.maker_loss for r in rs])),
            "maker_loss_max": float(np.max([r.maker_loss for r in rs])),
            "maker_loss_expected": float(np.mean([r.maker_loss_expected for r in rs])),
            "maker_loss_bound": rs[0].maker_loss_bound,
            "orders": int(sum(r.orders for r in rs)),
            "rejected": int(sum(r.rejected for r in rs)),
        }


def simulate(config: SimulationConfig, *, runs: int = 1, seed: int = 0) -> SimulationSummary:
    """Run `config` `runs` times from `seed`; deterministic."""
    check_config(config)
    if not 1 <= runs <= 10_000:
        raise BotError(f"runs {runs} must be between 1 and 10,000")
    children = np.random.SeedSequence(seed).spawn(runs)
    results = tuple(run_market(config, np.random.default_rng(s)) for s in children)
    return SimulationSummary(config, seed, results)


@dataclass(frozen=True)
class SweepRow:
    """One subsidy of a sweep: liquidity against convergence and cost."""

    subsidy: float
    b: float | None
    mean_error: float
    final_error: float
    steps_to_tolerance: int | None
    mean_move: float
    maker_loss: float
    maker_loss_bound: float
    error_curve: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(0))

    def to_dict(self) -> dict:
        """The row as plain JSON values (without the curve)."""
        return {k: getattr(self, k) for k in ("subsidy", "b", "mean_error", "final_error", "steps_to_tolerance",
                                              "mean_move", "maker_loss", "maker_loss_bound")}


def sweep_subsidy(config: SimulationConfig, subsidies: list[float], *, runs: int = 1, seed: int = 0) -> list[SweepRow]:
    """The same sessions at each subsidy (same seeds): how liquidity trades speed against cost."""
    if not subsidies:
        raise BotError("the subsidy sweep needs at least one subsidy, e.g. 10,100,1000")
    rows = []
    for s in subsidies:
        summary = simulate(replace(config, subsidy=float(s)), runs=runs, seed=seed)
        curve = summary.error_curve
        rows.append(SweepRow(
            subsidy=float(s), b=summary.results[0].b, mean_error=float(curve.mean()), final_error=float(curve[-1]),
            steps_to_tolerance=summary.steps_to(), mean_move=summary.mean_move(),
            maker_loss=float(np.mean([r.maker_loss for r in summary.results])),
            maker_loss_bound=summary.results[0].maker_loss_bound, error_curve=curve,
        ))
    return rows
