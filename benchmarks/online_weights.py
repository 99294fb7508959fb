"""Time-respecting (online) ensemble weights, measured on both backtests.

    python benchmarks/online_weights.py [--seed 0] [--months-from 2022-01-01] [--n 1000]
                                        [--members reference,trend[,capability]]

At an as-of date t the pool's weights come only from forecasts that had resolved by t: the
members' forecasts made at earlier monthly as-of dates s (h = 6, 12, 18 months, s + h <= t) of
the *training* benchmarks, each member prepared on the results known at s. In the held-out
backtest the history of fold k is made without fold k (members prepared on the other folds,
forecasting the other folds' benchmarks), so nothing of the held-out benchmark and nothing
after t enters its weights; a question counts as resolved at t only if its source's collection
known at t reaches the target date.

Two rules, each pulled to equal weights when little has resolved:

* ``exp``: w_m proportional to exp(-eta * recency-weighted mean CRPS of member m), recency
  weight 0.5 ** (age of the resolution / half-life);
* ``stack``: stacking by CRPS (the exact mixture CRPS) over the same recency-weighted
  resolved questions, plus ``shrink * |w - 1/M|^2`` (two members: a grid of the second member's
  weight; more: `forecast.ensemble.stacking.stack`).

``static x`` (a fixed weight x of the second member, a yardstick chosen with hindsight) needs two
members and is skipped with more. `--members` chooses the pool (default reference,trend, the
shipped one); as in `forecast.ensemble.online.resolved_history`, a month of the history where a
member cannot be prepared (NotEnoughData) is left out for every member, and a question counts
only if every member forecast it.

The ordinary backtest is scored twice: with the weights from every benchmark's history (the
live forecaster's view) and with each benchmark's fold's history (the cross-fit view: what
`benchcast backtest` does with the fold specs of ``priors/data/ensemble.json``).

The knobs are chosen on the held-out backtest's overall CRPS; the ordinary backtest only
confirms. The ensemble's CRPS is the exact mixture CRPS of the members' samples (no Monte
Carlo noise of the mixing), the same formula for equal and online weights; 80% coverage from
a drawn mixture.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

MEMBERS = ("reference", "trend")  # the default pool (`--members`)
HORIZONS = (6, 12, 18)
MIN_RESOLVED = 20  # fewer resolved questions (recency-weighted count): equal weights


def history(results, meta, months, folds, n, seed, members=MEMBERS, progress=print):
    """Records (setting, s, target, benchmark, provenance, a[M], b[M,M]) of the members'
    forecasts at each monthly s; setting k: prepared without fold k, forecasting the other
    folds; setting -1: everything (the ordinary backtest's view)."""
    from forecast.backtest.ordinary import add_months, realised, snapshots
    from forecast.ensemble.stacking import mean_abs_diff
    from forecast.errors import NotEnoughData
    from forecast.members import get_member
    from forecast.query import context_for, training_table
    from forecast.saturation.population import population_data

    snap = snapshots(results)
    built = {m: get_member(m, **({"seed": seed} if m == "capability" else {})) for m in members}
    k_all = sorted(set(folds.values()))
    recs = []
    for s in months:
        targets = [add_months(s, h) for h in HORIZONS]
        for setting in [-1, *k_all]:
            train = results if setting < 0 else results[results["benchmark"].map(folds) != setting]
            known = train[train["date"].dt.date <= s]
            try:
                fitted = {m: mem.prepare(known, meta, s) for m, mem in built.items()}
            except NotEnoughData as exc:
                progress(f"history {s} setting {setting}: month left out ({exc})")
                continue
            for d in population_data(train, meta, s):
                truths = [realised(results, d, tg, snap) for tg in targets]
                if all(t is None for t in truths):
                    continue
                ctx = context_for(results, meta[d.name], s, train=training_table(known, d.name, s), meta=meta)
                rng = np.random.default_rng([seed, s.toordinal(), setting + 1, sum(map(ord, d.name))])
                paths = {m: f.predict(ctx, targets, n, rng) for m, f in fitted.items()}
                for j, (tg, y) in enumerate(zip(targets, truths)):
                    if y is None:
                        continue
                    cols = [paths[m][:, j] for m in members]
                    if not all(np.all(np.isfinite(c)) for c in cols):
                        continue  # a member fitted on too little history (early as-of dates)
                    a = np.array([np.mean(np.abs(c - y)) for c in cols])
                    sub = [c[:500] for c in cols]
                    b = np.array([[mean_abs_diff(p, q) for q in sub] for p in sub])
                    recs.append((setting, s, tg, d.name, d.series_names[0], a, b))
        progress(f"history {s}: {len(recs)} records")
    return recs


class OnlineWeights:
    """Weights at (t, setting) from the history records resolved by t."""

    def __init__(self, results, recs, members=MEMBERS):
        self.results = results
        self.recs = recs
        self.members = tuple(members)
        self._snap: dict[date, dict] = {}

    def resolved(self, t: date, setting: int):
        from forecast.backtest.ordinary import snapshots
        from forecast.series import to_years

        if t not in self._snap:
            self._snap[t] = snapshots(self.results[self.results["date"].dt.date <= t])
        snap = self._snap[t]
        rows = [r for r in self.recs if r[0] == setting and r[2] <= t and snap.get(r[4], date.min) >= r[2]]
        age = np.array([to_years(t) - to_years(r[2]) for r in rows])
        M = len(self.members)
        a = np.array([r[5] for r in rows]).reshape(-1, M)
        b = np.array([r[6] for r in rows]).reshape(-1, M, M)
        return age, a, b

    def weights(self, t: date, setting: int, rule: str, knob: float, half_life: float) -> np.ndarray:
        M = len(self.members)
        eq = np.full(M, 1.0 / M)
        if rule == "static":  # a fixed weight `knob` of the second member: a yardstick, chosen with hindsight
            if M != 2:
                raise ValueError("the static rule needs two members")
            return np.array([1.0 - knob, knob])
        age, a, b = self.resolved(t, setting)
        if rule == "equal" or age.size == 0:
            return eq
        r = 0.5 ** (age / half_life) if np.isfinite(half_life) else np.ones_like(age)
        if r.sum() < MIN_RESOLVED * (0.5 if np.isfinite(half_life) else 1.0) and age.size < MIN_RESOLVED:
            return eq
        am = (r[:, None] * a).sum(0) / r.sum()
        bm = (r[:, None, None] * b).sum(0) / r.sum()
        if rule == "exp":
            crps = am - 0.5 * np.diag(bm)  # each member's own CRPS: E|X - y| - E|X - X'| / 2
            w = np.exp(-knob * (crps - crps.min()))
            return w / w.sum()
        if M != 2:  # stack, more than two members: the constrained solve, pulled to 1/M
            from forecast.ensemble.stacking import StackingTerms, stack

            return stack(StackingTerms(am[None], bm[None]), shrink=knob)
        # stack: two members, exact mixture CRPS on a grid of the second member's weight, pulled to 1/2
        x = np.linspace(0.0, 1.0, 401)
        W = np.column_stack([1 - x, x])
        f = W @ am - 0.5 * np.einsum("gk,kl,gl->g", W, bm, W) + knob * np.sum((W - 0.5) ** 2, axis=1)
        return W[int(np.argmin(f))]


def questions_heldout(results, meta, seed, n, members=MEMBERS):
    """(cutoff, fold, benchmark, horizon, truth, {member: samples}, baseline samples) of the
    held-out backtest with the members."""
    from forecast.backtest.heldout import HeldOutConfig, run_heldout

    config = HeldOutConfig(methods=tuple(members), folds=3, seed=seed, n=n)
    out = []
    for f in run_heldout(results, meta, config):
        for j, (h, y) in enumerate(zip(f.horizons, f.truths)):
            if y is None or not all(m in f.paths for m in members):
                continue
            out.append((f.cutoff, f.fold, f.benchmark, h, y, {m: f.paths[m][:, j] for m in members},
                        f.paths["reference_class"][:, j]))
    return out


def questions_ordinary(results, meta, seed, members=MEMBERS):
    from forecast.backtest import BacktestConfig, run_backtest
    from forecast.sampling import SamplerConfig

    config = BacktestConfig(ensemble=None, fits=False, methods=tuple(members), default="trend",
                            sampler=SamplerConfig(draws=500, tune=800, chains=2, target_accept=0.95, seed=seed))
    by = defaultdict(dict)
    for s in run_backtest(results, meta, config):
        by[(s.cutoff, s.benchmark, s.horizon)][s.model] = (s.truth, s.samples)
    out = []
    for (c, name, h), d in sorted(by.items()):
        if all(m in d for m in members):
            out.append((c, -1, name, h, d["trend"][0], {m: d[m][1] for m in members}, d["reference_class"][1]))
    return out


def terms(questions, rng, members=MEMBERS):
    from forecast.ensemble.stacking import stacking_terms

    return stacking_terms([[q[5][m] for m in members] for q in questions], np.array([q[4] for q in questions]), rng)


def evaluate(questions, T, weights_for, seed, members=MEMBERS):
    """Per cut-off and overall: ensemble (exact mixture CRPS), members, reference-class
    baseline, ensemble 80% coverage; plus the weights used per (cut-off, setting)."""
    from forecast.scoring import coverage, crps

    W = np.array([weights_for(q[0], q[1]) for q in questions])
    ens = np.sum(T.a * W, axis=1) - 0.5 * np.einsum("ikl,ik,il->i", T.b, W, W)
    rng = np.random.default_rng([seed, 7])
    cov = []
    for q, w in zip(questions, W):
        n = len(q[5][members[0]])
        pick = rng.choice(len(members), size=n, p=w)
        mix = np.stack([q[5][m] for m in members])[pick, np.arange(n)]
        cov.append(coverage(mix, q[4], 0.8))
    base = np.array([crps(q[6], q[4]) for q in questions])
    cut = np.array([q[0] for q in questions])
    rows = {}
    for c in [*sorted(set(cut)), "overall"]:
        m = np.ones(len(questions), bool) if c == "overall" else cut == c
        rows[str(c)] = dict(ensemble=ens[m].mean(), **{k: (T.a[m, i] - 0.5 * T.b[m, i, i]).mean() for i, k in enumerate(members)},
                            reference_class=base[m].mean(), coverage_80=float(np.mean(np.array(cov)[m])),
                            n=int(m.sum()))
    return rows, W


def table(rows, title, members=MEMBERS):
    print(title)
    print(f"{'cut-off':<12}{'ensemble':>10}" + "".join(f"{m:>11}" for m in members)
          + f"{'ref-class':>11}{'cov80':>8}{'n':>5}")
    for c, r in rows.items():
        print(f"{c[:10]:<12}{r['ensemble']:>10.4f}" + "".join(f"{r[m]:>11.4f}" for m in members)
              + f"{r['reference_class']:>11.4f}{r['coverage_80']:>8.2f}{r['n']:>5}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--months-from", default="2022-01-01", help="first month of the history (forecast.ensemble.online.FIRST)")
    ap.add_argument("--n", type=int, default=1000, help="paths per history forecast")
    ap.add_argument("--members", default=",".join(MEMBERS),
                    help="comma-separated members of the pool (e.g. reference,trend,capability)")
    ap.add_argument("--cache", default="/tmp/online_weights")
    ap.add_argument("--only", default=None, help="rule:knob:half_life to report (skips the grid)")
    ap.add_argument("--show", default="exp:100:inf",
                    help="rule:knob:half_life whose tables and weights are printed besides the chosen one")
    args = ap.parse_args()
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    from forecast.backtest.folds import assign_folds
    from forecast.backtest.heldout import HELD_OUT_FOLDS
    from forecast.backtest.ordinary import DEFAULT_CUTOFFS, add_months
    from forecast.members import available
    from priors.history import load_metadata
    from priors.store import load_all

    members = tuple(m.strip() for m in args.members.split(",") if m.strip())
    if len(members) < 2 or len(set(members)) != len(members):
        ap.error("--members: two or more distinct members")
    missing = [m for m in members if m not in available()]
    if missing:
        ap.error(f"--members: not available here: {', '.join(missing)}")
    two = len(members) == 2
    # the shipped pool keeps the cache names of before; another pool gets its own files
    tag = "" if members == MEMBERS else "-" + "+".join(members)
    results = load_all(False)
    meta = load_metadata()
    folds = assign_folds(set(results["benchmark"]), HELD_OUT_FOLDS)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    t0, w0 = time.process_time(), time.perf_counter()

    def clock():
        return f"CPU {time.process_time() - t0:.0f} s, wall {time.perf_counter() - w0:.0f} s"

    def cached(name, fn):
        p = cache / f"{name}{tag}-seed{args.seed}.pkl"
        if p.exists():
            return pickle.loads(p.read_bytes())
        out = fn()
        p.write_bytes(pickle.dumps(out))
        return out

    from forecast.ensemble.online import months_between

    print(f"members: {', '.join(members)}; seed {args.seed}", flush=True)
    months = months_between(date.fromisoformat(args.months_from), add_months(DEFAULT_CUTOFFS[-1], -min(HORIZONS)))
    recs = cached(f"history-{args.months_from}-{args.n}",
                  lambda: history(results, meta, months, folds, args.n, args.seed, members))
    print(f"history: {len(recs)} records ({', '.join(f'setting {k}: {sum(r[0] == k for r in recs)}' for k in (-1, 0, 1, 2))}); "
          f"first month {min(r[1] for r in recs)}; {clock()}", flush=True)
    qh = cached("heldout", lambda: questions_heldout(results, meta, args.seed, 4000, members))
    print(f"held-out questions: {len(qh)}; {clock()}", flush=True)
    qo = cached("ordinary", lambda: questions_ordinary(results, meta, args.seed, members))
    print(f"ordinary questions: {len(qo)}; {clock()}", flush=True)
    # the ordinary backtest with each benchmark's fold's weights (what `benchcast backtest` does)
    qx = [(q[0], folds[q[2]], *q[2:]) for q in qo]
    rng = np.random.default_rng([args.seed, 3])
    Th, To = terms(qh, rng, members), terms(qo, rng, members)
    online = OnlineWeights(results, recs, members)
    memo = {}

    def rule_fn(rule, knob, hl):
        def w(t, setting):
            key = (rule, knob, hl, t, setting)
            if key not in memo:
                memo[key] = online.weights(t, setting, rule, knob, hl)
            return memo[key]
        return w

    def parse(spec):
        r, k, hl = spec.split(":")
        return (r, float(k), float(hl))

    grid = [("equal", 0.0, np.inf)]
    grid += [("exp", eta, hl) for eta in (25, 50, 100, 200, 400) for hl in (0.5, 1.0, 2.0, np.inf)]
    grid += [("stack", sh, hl) for sh in (0.0, 0.01, 0.05) for hl in (0.5, 1.0, 2.0, np.inf)]
    yardsticks = [("static", x, np.inf) for x in (0.6, 0.7, 0.8, 0.9)]
    if not two:
        print(f"static (a fixed weight of the second member) needs two members: skipped with {len(members)}")
        yardsticks = []
    if args.only:
        grid = [("equal", 0.0, np.inf), parse(args.only)]
    show = parse(args.show)
    if show not in grid:
        grid.append(show)
    print(f"{'rule':<6}{'knob':>6}{'half-life':>10}{'held-out':>10}{'ordinary':>10}{'ord-xfit':>10}")
    res = {}
    for rule, knob, hl in grid + yardsticks:
        fn = rule_fn(rule, knob, hl)
        rh, _ = evaluate(qh, Th, fn, args.seed, members)
        ro, _ = evaluate(qo, To, fn, args.seed, members)
        rx, _ = evaluate(qx, To, fn, args.seed, members)
        res[(rule, knob, hl)] = (rh, ro, rx)
        print(f"{rule:<6}{knob:>6g}{hl:>10g}{rh['overall']['ensemble']:>10.5f}{ro['overall']['ensemble']:>10.5f}"
              f"{rx['overall']['ensemble']:>10.5f}", flush=True)
    best = min((k for k in res if k[0] not in ("equal", "static")), key=lambda k: res[k][0]["overall"]["ensemble"])
    print(f"chosen on held-out: {best}")
    for key in dict.fromkeys([("equal", 0.0, np.inf), show, best]):
        rh, ro, rx = res[key]
        name = f"{key[0]} {key[1]:g} half-life {key[2]:g}, seed {args.seed}"
        table(rh, f"\nheld-out, {name}", members)
        table(ro, f"\nordinary (live: every benchmark's history), {name}", members)
        table(rx, f"\nordinary (cross-fit: the benchmark's fold's history), {name}", members)
    for key in dict.fromkeys([show, best]):
        print(f"\nweights ({', '.join(members)}) used by {key[0]} {key[1]:g} half-life {key[2]:g}"
              " (fold k: without fold k's benchmarks; all: every benchmark):")
        for c in DEFAULT_CUTOFFS:
            w = [np.round(memo.get((*key, c, s), [np.nan] * len(members)), 3).tolist() for s in (0, 1, 2, -1)]
            n = [online.resolved(c, s)[0].size for s in (0, 1, 2, -1)]
            print(f"  {c}: fold0 {w[0]} ({n[0]}) fold1 {w[1]} ({n[1]}) fold2 {w[2]} ({n[2]}) all {w[3]} ({n[3]})")
    print(clock())


if __name__ == "__main__":
    main()
