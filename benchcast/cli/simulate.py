"""`benchcast simulate`: bots trade with a market maker offline; report convergence, scores, profit."""

from __future__ import annotations

from pathlib import Path

import typer

from benchcast.cli.common import cli_errors, echo_json
from benchcast.errors import ConfigError


def _floats(text: str, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(f"{what} {text!r} must be numbers separated by commas, e.g. 10,100,1000") from None
    if not values:
        raise ConfigError(f"{what} {text!r} is empty")
    return values


@cli_errors
def simulate(
    question: str = typer.Option("Simulated question", "--question", help='Title; "BENCH >= T by DATE" lets forecast bots use a forecast.'),
    outcomes: int = typer.Option(None, "--outcomes", help="Number of outcomes (default: from --truth, else 2)."),
    truth: str = typer.Option(None, "--truth", help="True probability: P(YES), or one per outcome (default 0.7)."),
    mechanism: str = typer.Option("lmsr", "--mechanism", help="Market maker: lmsr or cpmm (binary only)."),
    start: str = typer.Option(None, "--start", help="The maker's starting prices, like --truth (default uniform)."),
    subsidy: float = typer.Option(100.0, "--subsidy", help="Money the maker puts at risk (LMSR: b = S / ln n)."),
    bots: str = typer.Option("informed:10,noise:20,kelly:5", "--bots", help="Bots per strategy: noise, informed, kelly, half-kelly, forecast, momentum."),
    steps: int = typer.Option(2000, "--steps", help="Trading opportunities per run (one random bot each)."),
    runs: int = typer.Option(1, "--runs", help="Independent runs to average over."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same result."),
    budget: float = typer.Option(100.0, "--budget", help="Money each bot starts with."),
    noise: float = typer.Option(0.5, "--noise", help="Std of the log-odds error of informed and Kelly bots' signals."),
    kelly_fraction: float = typer.Option(1.0, "--kelly-fraction", help="Kelly fraction of Kelly and forecast bots (half-kelly halves it)."),
    aggressiveness: float = typer.Option(0.1, "--aggressiveness", help="Largest share of its budget a bot puts in one order."),
    forecast_belief: float = typer.Option(None, "--forecast-belief", help="P(YES) forecast bots believe (default: run the forecast for --question)."),
    sweep_subsidy: str = typer.Option(None, "--sweep-subsidy", help="Comma-separated subsidies: convergence against subsidy cost."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    plot: Path = typer.Option(None, "--plot", help="Write the price path against the truth to this PNG."),
) -> None:
    """Simulate bots trading on one question; report price error, scores, profit and maker loss."""
    from markets.bots import BotParams
    from markets.simulate import parse_config
    from markets.simulate_summary import simulate as run, sweep_subsidy as sweep

    subsidies = _floats(sweep_subsidy, "--sweep-subsidy") if sweep_subsidy is not None else None
    if plot is not None and plot.suffix.lower() != ".png":
        raise ConfigError(f"--plot {plot} must name a .png file")
    if forecast_belief is None and "forecast" in bots.lower():
        forecast_belief = _forecast_for(question, seed)
    config = parse_config(
        truth=truth, outcomes=outcomes, bots=bots, start=start, question=question, mechanism=mechanism.lower(),
        subsidy=subsidy, steps=steps, forecast_belief=forecast_belief,
        params=BotParams(budget=budget, noise=noise, kelly_fraction=kelly_fraction, aggressiveness=aggressiveness),
    )
    summary = run(config, runs=runs, seed=seed)
    rows = sweep(config, subsidies, runs=runs, seed=seed) if subsidies else None
    if plot is not None:
        _plot(summary, rows, plot)
    if as_json:
        out = summary.to_dict()
        if rows is not None:
            out["sweep"] = [r.to_dict() for r in rows]
        echo_json(out)
        return
    _render(summary.to_dict(), rows)
    if plot is not None:
        typer.echo(f"plot written to {plot}")


def _forecast_for(question: str, seed: int) -> float:
    from markets.bots.forecasts import forecast_belief, parse_benchmark_question

    parsed = parse_benchmark_question(question)
    if parsed is None:
        raise ConfigError(
            f"forecast bots need --forecast-belief P or a --question like 'FrontierMath v2 >= 95 by 2027-12-31', not {question!r}"
        )
    return forecast_belief(*parsed, seed=seed)


def _render(d: dict, rows) -> None:
    echo = typer.echo
    bots = ", ".join(f"{k} {v}" for k, v in d["bots"].items())
    b = f", b {d['b']:.2f}" if d["b"] is not None else ""
    echo(f"{d['question']}  ({d['mechanism']}, subsidy {d['subsidy']:g}{b}; bots: {bots})")
    echo(f"{d['steps']} steps x {d['runs']} run(s), seed {d['seed']}; {d['orders']} orders, {d['rejected']} refused by the engine")
    echo("")
    width = max(8, *(len(o) for o in d["outcomes"]))
    echo(f"{'outcome':<{width}}  truth  final price (mean over runs)")
    for o, t, p in zip(d["outcomes"], d["truth"], d["final_prices"]):
        echo(f"{o:<{width}}  {t:5.3f}  {p:5.3f}")
    echo("")
    echo("price error, 1/2 sum |price - truth| (mean over runs):")
    for row in d["price_error"]:
        echo(f"  step {row['step']:>8}  {row['error']:.4f}")
    reached = d["steps_to_error_0.05"]
    echo(f"  first within 0.05: {'never' if reached is None else f'step {reached}'}; mean over the session {d['mean_error']:.4f}")
    echo("")
    echo(f"final price: Brier {d['brier_final']:.4f} (expected under the truth {d['brier_final_expected']:.4f}), log score {d['log_score_final']:.4f}")
    echo("profit per bot (mean +- spread over runs; 'expected' = resolved to the truth as a probability):")
    for name, p in d["pnl_by_strategy"].items():
        echo(f"  {name:<10} {p['bots']:>4} bots  {p['mean']:+9.2f} +- {p['std']:7.2f}   expected {p['expected_mean']:+9.2f} +- {p['expected_std']:7.2f}")
    echo(f"maker loss: mean {d['maker_loss']:.2f}, max {d['maker_loss_max']:.2f}, expected {d['maker_loss_expected']:.2f}; bound {d['maker_loss_bound']:.2f}"
         " (negative: the maker gained)")
    if rows:
        echo("")
        echo("subsidy sweep (same seeds): more liquidity moves prices less per order and risks more")
        echo(f"{'subsidy':>10} {'b':>10} {'move/step':>10} {'mean err':>9} {'final err':>9} {'to 0.05':>8} {'maker loss':>11} {'bound':>10}")
        for r in rows:
            to = "never" if r.steps_to_tolerance is None else str(r.steps_to_tolerance)
            bb = "-" if r.b is None else f"{r.b:.2f}"
            echo(f"{r.subsidy:>10g} {bb:>10} {r.mean_move:>10.5f} {r.mean_error:>9.4f} {r.final_error:>9.4f} {to:>8} {r.maker_loss:>11.2f} {r.maker_loss_bound:>10.2f}")


def _plot(summary, rows, path: Path) -> None:
    """Write a PNG: prices of each run (faint), their mean and the truth; price error below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    c = summary.config
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True, height_ratios=(2, 1))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i in range(1) if c.n_outcomes == 2 else range(c.n_outcomes):
        color, name = colors[i % len(colors)], c.outcomes()[i]
        for r in summary.results:
            top.plot(r.path[:, i], color=color, alpha=0.15, lw=0.8)
        top.plot(np.mean([r.path[:, i] for r in summary.results], axis=0), color=color, lw=1.8, label=f"price {name}")
        top.axhline(c.truth[i], color=color, ls="--", lw=1.2, label=f"truth {name} = {c.truth[i]:.2f}")
    top.set_ylim(0, 1)
    top.set_ylabel("price")
    top.set_title(f"{c.question} ({c.mechanism}, subsidy {c.subsidy:g}, {len(summary.results)} run(s))")
    top.legend(loc="best", fontsize=8)
    for r in rows or ():
        bottom.plot(r.error_curve, lw=1.2, label=f"subsidy {r.subsidy:g}")
    if rows:
        bottom.legend(fontsize=8)
    else:
        bottom.plot(summary.error_curve, color="black", lw=1.2)
    bottom.set_xlabel("step")
    bottom.set_ylabel("price error")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise ConfigError(f"cannot write the plot to {path}: {exc}") from None
    finally:
        plt.close(fig)
