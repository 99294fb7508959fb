"""A whole market season offline: linked questions from a past date, bots, later data, scoreboard.

1. Pretend it is ``--as-of`` (default 2025-06-30): the shipped data as it stood then is all
   anyone knows. Open data-linked questions ("GPQA Diamond >= 90% by 2025-12-31", ...) and an
   open-weight leader question, each with the model's forecast stored at opening.
2. Forecast-driven bots (who trade toward the model's forecast, each with its own noise) and
   noise bots trade for ``--steps`` orders.
   Their trades are spread over the replayed half-year, so time-weighted prices weigh it.
3. The results dated after the as-of date are imported through `benchcast data import`'s code,
   the questions resolve themselves from the data, and the scoreboard prints: market at close
   and time-weighted, the model, each bot (Brier and log scores).

The model is the reference-class forecaster (``--model reference``, seconds; its backtest CRPS
is within 5% of benchcast's) or benchcast itself (``--model benchcast``: builds a population
prior as of the date first, which takes minutes). Everything runs on a throwaway SQLite file
and data directory; every random choice takes ``--seed``.

    python examples/season.py --steps 400 --plot calibration.png
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchcast.db import users
from benchcast.db.autoresolve import autoresolve
from benchcast.db.engine import create_all, make_engine
from benchcast.db.linked import LinkSpec, NewLinkedQuestion, create_linked_question
from benchcast.db.questions import QuestionView, get_question
from benchcast.db.scoreboard import build_scoreboard, calibration_plot, render_lines
from benchcast.db.trading import NewOrder, place_order
from benchcast.units import to_micro
from forecast.baselines import History, past_pairs, reference_class
from forecast.series import to_years
from markets.seed import opening_prices
from priors.history import is_single_attempt, load_metadata
from priors.store import import_file, load_all, load_open_weight

#: (benchmark, points above the as-of frontier) of the threshold questions.
QUESTIONS = (("GPQA Diamond", 3), ("GPQA Diamond", 8), ("OTIS Mock AIME 2024-2025", 5), ("SWE-bench Verified", 5),
             ("Humanity's Last Exam", 5), ("MATH Level 5", 2), ("FrontierMath Tiers 1-3 (2025-02-28 private)", 5),
             ("ARC-AGI-2", 5))


def add_months(day: date, months: int) -> date:
    """The last day of the month `months` after `day`'s month."""
    y, m = divmod(day.month + months, 12)  # the month after the target month (0-based m)
    return date(day.year + y, m + 1, 1) - timedelta(days=1)


def independent(results: pd.DataFrame, name: str) -> pd.DataFrame:
    rows = results[(results["benchmark"] == name) & (results["provenance"] != "self_reported")]
    return rows[rows["score_column"].map(is_single_attempt).astype(bool)]


def reference_probability(results: pd.DataFrame, name: str, threshold: float, as_of: date, by: date,
                          rng: np.random.Generator, n: int = 4000) -> float:
    """P(best independent score >= threshold by `by`) from the reference class of past gains."""
    meta = load_metadata()
    histories, target = [], None
    for b in sorted(set(results["benchmark"])):
        rows = independent(results, b)
        floor = meta[b].floor if b in meta else 0.0
        hist = History(np.array([to_years(d) for d in rows["date"]]), ((rows["score"] - floor) / (100 - floor)).to_numpy())
        histories.append(hist)
        if b == name:
            target, t_norm = hist, (threshold - floor) / (100 - floor)
    cutoff, h = to_years(as_of), to_years(by) - to_years(as_of)
    now = float(target.frontier(cutoff)[0])
    samples = reference_class(now, past_pairs(histories, cutoff, h), n, rng)
    return float(np.mean(samples >= t_norm))


def benchcast_probability(results: pd.DataFrame, name: str, threshold: float, as_of: date, by: date, seed: int) -> float:
    from forecast.api import forecast_benchmark
    from forecast.saturation.population import prior_for

    prior = prior_for(as_of, cache_dir=Path.home() / ".benchcast" / "cache" / "priors")
    fc = forecast_benchmark(results, name, as_of=as_of, draws=1000, seed=seed, prior=prior)
    return float(fc.probability(threshold, by))


def leader_forecast(ow: pd.DataFrame, as_of: date) -> tuple[list[str], list[float]]:
    """The recency baseline of `benchcast rankings --backtest`: how often each country led open
    weights (ECI) before `as_of`, recent months weighing more."""
    from forecast.rankings.backtest import RECENCY_HALF_LIFE, frequency, known_entries, leader_history

    metric = "ECI (Epoch Capabilities Index)"
    probs = frequency(leader_history(ow, metric, "country", as_of), as_of, known_entries(ow, metric, as_of, "country"),
                      half_life=RECENCY_HALF_LIFE)
    top = sorted(((k, v) for k, v in probs.items() if k != "other"), key=lambda kv: -kv[1])[:3]
    names = [k for k, _ in top]
    return names + ["other"], [probs[k] for k in names] + [1.0 - sum(probs[k] for k in names)]


def open_questions(engine, host: int, results: pd.DataFrame, ow: pd.DataFrame, args, rng) -> list[QuestionView]:
    by = add_months(args.as_of, args.months)
    closes = datetime.now() + timedelta(days=1)  # trading happens now, in replayed time
    opened = []
    for name, above in QUESTIONS[: args.questions]:
        best = independent(results, name)["score"].max()
        threshold = float(min(np.floor(best) + above, 99.0))
        if args.model == "benchcast":
            p = benchcast_probability(results, name, threshold, args.as_of, by, args.seed)
        else:
            p = reference_probability(results, name, threshold, args.as_of, by, rng)
        forecast = list(opening_prices([p, 1 - p]))
        link = LinkSpec(benchmark=name, threshold=threshold, by=by.isoformat(), model_forecast=tuple(forecast),
                        model_basis=f"{args.model} as of {args.as_of}: P = {p:.3f}")
        opened.append(create_linked_question(engine, created_by=host, question_in=NewLinkedQuestion(
            link, subsidy=100_000_000, initial_prices=tuple(forecast), closes_at=closes)))
    outcomes, probs = leader_forecast(ow, args.as_of)
    probs = list(opening_prices(probs))
    opened.append(create_linked_question(engine, created_by=host, question_in=NewLinkedQuestion(
        LinkSpec(leader="country", metric="ECI", at=by.isoformat(), model_forecast=tuple(probs),
                 model_basis="recency-weighted frequency of past leadership"),
        outcomes=tuple(outcomes), subsidy=100_000_000, initial_prices=tuple(probs), closes_at=closes)))
    return opened


def trade(engine, questions: list[QuestionView], args, rng: np.random.Generator) -> int:
    """Forecast-driven bots buy toward their belief (the model's forecast with noise); noise bots buy at random."""
    bots = [("forecaster", i) for i in range(args.forecasters)] + [("noise", i) for i in range(args.noise)]
    ids = {b: users.join(engine, name=f"{b[0]}-{b[1]}")[0].id for b in bots}
    beliefs = {}
    for q in questions:
        base = np.asarray(q.link.model_forecast)
        for b in bots[: args.forecasters]:
            z = np.log(base) + rng.normal(0.0, args.belief_noise, size=base.size)
            beliefs[(b, q.id)] = np.exp(z) / np.exp(z).sum()
    done = 0
    for _ in range(args.steps):
        bot = bots[rng.integers(len(bots))]
        q = get_question(engine, questions[rng.integers(len(questions))].id)
        prices = np.array([o.price for o in q.outcomes])
        if bot[0] == "forecaster":
            gap = beliefs[(bot, q.id)] - prices
            i = int(np.argmax(gap))
            if gap[i] < 0.02:
                continue
            amount = float(min(40.0, 200.0 * gap[i]))
        else:
            i, amount = int(rng.integers(len(prices))), float(rng.uniform(2.0, 15.0))
        place_order(engine, user_id=ids[bot], order_in=NewOrder(q.id, q.outcomes[i].name, "buy", amount=to_micro(amount)))
        done += 1
    return done


def replay_clock(engine, start: date, end: date) -> None:
    """Spread the trades evenly over the replayed season (they happened in seconds of wall time),
    so that time-weighted prices weigh replayed time: questions open at `start` and close at `end`."""
    from sqlalchemy import select, update

    from benchcast.db.models import Question, Trade

    t0, t1 = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.max.time().replace(microsecond=0))
    with engine.begin() as conn:
        ids = [r.id for r in conn.execute(select(Trade.__table__.c.id).order_by(Trade.__table__.c.id))]
        for k, tid in enumerate(ids):
            conn.execute(update(Trade.__table__).where(Trade.__table__.c.id == tid)
                         .values(created_at=t0 + (t1 - t0) * (k + 1) / (len(ids) + 1)))
        conn.execute(update(Question.__table__).values(created_at=t0, closes_at=t1))


def later_data(home: Path, as_of: date, until: date) -> tuple[Path, Path]:
    """The shipped rows first known after `as_of` (up to `until`), as the CSV files a user would import."""
    full, then = load_all(shipped_only=True), load_all(shipped_only=True, shipped_as_of=as_of)
    later = full.merge(then[["benchmark", "model", "score", "date"]], how="left", indicator=True)
    later = later[(later["_merge"] == "left_only") & (later["date"] <= pd.Timestamp(until))].drop(columns="_merge")
    ow_full = load_open_weight(shipped_only=True)
    ow_later = ow_full[(ow_full["known_at"] > pd.Timestamp(as_of)) & (ow_full["known_at"] <= pd.Timestamp(until))]
    paths = home / "later.csv", home / "later_open_weight.csv"
    cols = ["benchmark", "model", "organization", "date", "score", "open_weights", "provenance", "score_column", "source"]
    out = later[cols].assign(date=later["date"].dt.strftime("%Y-%m-%d"),
                             open_weights=later["open_weights"].map({True: "true", False: "false"}).fillna(""))
    out.to_csv(paths[0], index=False)
    ow_cols = ["metric", "model", "organization", "country", "date", "open_weights", "score", "source"]
    ow_later[ow_cols].assign(date=ow_later["date"].dt.strftime("%Y-%m-%d"),
                             open_weights=ow_later["open_weights"].map({True: "true", False: "false"}).fillna("")
                             ).to_csv(paths[1], index=False)
    return paths


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 6, 30))
    ap.add_argument("--months", type=int, default=6, help="Questions ask about as-of plus this many months.")
    ap.add_argument("--questions", type=int, default=len(QUESTIONS))
    ap.add_argument("--forecasters", type=int, default=4)
    ap.add_argument("--noise", type=int, default=6)
    ap.add_argument("--belief-noise", type=float, default=0.4, help="Spread of each forecaster's belief (log odds).")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--model", choices=("reference", "benchcast"), default="reference")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plot", type=Path, default=None)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        engine = make_engine(f"sqlite:///{home / 'season.db'}")
        create_all(engine)
        host = users.ensure_host(engine, "season-host-token-0123456789").id
        results = load_all(shipped_only=True, shipped_as_of=args.as_of)
        ow = load_open_weight(shipped_only=True, shipped_as_of=args.as_of)
        questions = open_questions(engine, host, results, ow, args, rng)
        print(f"as of {args.as_of}: opened {len(questions)} linked questions")
        for q in questions:
            print(f"  #{q.id} {q.title}  model {' / '.join(f'{p:.2f}' for p in q.link.model_forecast)}")
        print(f"{trade(engine, questions, args, rng)} orders by {args.forecasters} forecast-driven and {args.noise} noise bots")
        replay_clock(engine, args.as_of, add_months(args.as_of, args.months))
        end = add_months(args.as_of, args.months) + timedelta(days=31)  # past the 30-day grace period
        for path in later_data(home, args.as_of, end):
            rec = import_file(path, home=home, shipped_as_of=args.as_of)
            print(f"data import {path.name}: +{rec.added} results, +{rec.added_open_weight} open-weight scores "
                  f"({rec.duplicates} already known)")
        done = autoresolve(engine, today=end + timedelta(days=1),
                           results=load_all(home=home, shipped_as_of=args.as_of),
                           open_weight=load_open_weight(home=home, shipped_as_of=args.as_of))
        for r in done:
            print(f"  resolved #{r.question_id} {r.outcome}: {r.reason}")
        board = build_scoreboard(engine)
        print()
        print("\n".join(render_lines(board)))
        if args.plot:
            print(f"wrote {calibration_plot(board, args.plot)}")
        engine.dispose()
    return board


if __name__ == "__main__":
    main()
