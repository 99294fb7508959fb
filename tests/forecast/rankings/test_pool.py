"""The logarithmic pool of the model and the recency baseline: sums, the learned weight, no leakage."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import numpy as np
import pytest

from forecast.rankings.backtest import BacktestRow, add_pooled, pool_questions
from forecast.rankings.pool import (Pool, PoolQuestion, combine, fit_weight, load_pool, pool_from_dict,
                                    pooled_log_scores)
from priors.errors import PriorFileError


def test_pool_sums_to_one_and_maps_unnamed_entries_to_other() -> None:
    rng = np.random.default_rng(42)
    for _ in range(50):
        names = ["CN", "US", "FR", "AE"]
        pm = dict(zip(names[:2] + ["other"], rng.dirichlet(np.ones(3))))
        pr = dict(zip(names + ["other"], rng.dirichlet(np.ones(5))))
        w = float(rng.uniform())
        pooled = combine(pm, pr, w)
        assert sum(pooled.values()) == pytest.approx(1.0)
        assert set(pooled) == {"CN", "US", "other"} and list(pooled)[-1] == "other"
        # the weighted geometric mean, renormalized; the baseline's FR and AE count as "other"
        raw = {"CN": pm["CN"] ** (1 - w) * pr["CN"] ** w, "US": pm["US"] ** (1 - w) * pr["US"] ** w,
               "other": pm["other"] ** (1 - w) * (pr["FR"] + pr["AE"] + pr["other"]) ** w}
        total = sum(raw.values())
        assert all(pooled[k] == pytest.approx(v / total) for k, v in raw.items())
    # the ends are the members themselves
    assert combine(pm, pr, 0.0) == pytest.approx(pm)
    assert combine(pm, pr, 1.0)["CN"] == pytest.approx(pr["CN"])
    with pytest.raises(ValueError, match="outside 0-1"):
        combine(pm, pr, 1.5)


def test_floor_keeps_an_entry_no_draw_chose_possible() -> None:
    """An entry the model never drew gets the draw floor, not zero; agreement stays sharp."""
    pm, pr = {"CN": 1.0, "US": 0.0, "other": 0.0}, {"CN": 0.6, "US": 0.3, "other": 0.1}
    assert combine(pm, pr, 0.5)["US"] == 0.0
    floored = combine(pm, pr, 0.5, floor=1e-3)
    assert 0.0 < floored["US"] < 0.05 and sum(floored.values()) == pytest.approx(1.0)
    # both members favour CN: the log pool gives it more than the linear mean of the two
    agree = combine({"CN": 0.8, "US": 0.2, "other": 0.0}, {"CN": 0.8, "US": 0.1, "other": 0.1}, 0.5, 1e-3)
    assert agree["CN"] > 0.8


def _question(actual: str, pm: dict[str, float], pr: dict[str, float], day: date = date(2024, 1, 1),
              horizon: int = 3, by: str = "country") -> PoolQuestion:
    return PoolQuestion(by, day, horizon, day, actual, pm, pr, 1e-3)


def test_weight_recovered_on_synthetic_questions() -> None:
    rng = np.random.default_rng(42)
    n = 200
    recent = [{"CN": p, "US": 1 - p - 0.05, "other": 0.05} for p in rng.uniform(0.3, 0.7, n)]
    sharp_right = {"CN": 0.98, "US": 0.01, "other": 0.01}
    sharp_wrong = {"CN": 0.01, "US": 0.98, "other": 0.01}
    assert fit_weight([_question("CN", sharp_wrong, r) for r in recent]) > 0.9   # a useless model
    assert fit_weight([_question("CN", sharp_right, r) for r in recent]) < 0.1   # a near-perfect model
    assert fit_weight([]) == 0.5                                                # no evidence: the prior
    assert 0.5 < fit_weight([_question("CN", sharp_wrong, recent[0])]) < 0.9     # one question, shrunk
    # an over-confident model, right 70% of the time: the pool tempers it (w strictly inside)
    right = rng.uniform(size=n) < 0.7
    qs = [_question("CN" if ok else "US", sharp_right, {"CN": 0.5, "US": 0.4, "other": 0.1}) for ok in right]
    assert 0.1 < fit_weight(qs) < 0.9
    # the learned weight maximizes the pool's log score of what happened (up to the prior)
    grid = np.linspace(0, 1, 401)
    best = grid[np.argmax(pooled_log_scores(qs, grid) + 2 * np.log(grid * (1 - grid) + 1e-300))]
    assert fit_weight(qs) == pytest.approx(best)


def _row(as_of: date, horizon: int, actual: str, p_model_cn: float, by: str = "country") -> BacktestRow:
    model = {"CN": p_model_cn, "US": 1 - p_model_cn, "other": 0.0}
    recency = {"CN": 0.5, "US": 0.4, "other": 0.1}
    return BacktestRow(as_of, horizon, by, "CN", actual, {"model": model, "recency": recency}, floor=1e-3)


def _rows(late_actual: str, late_p: float) -> list[BacktestRow]:
    months = [date(2024, m, 1) for m in range(1, 13)]
    early = [_row(d, 3, "CN", 0.95) for d in months[:6]]                        # resolve by 2024-09
    late = [_row(d, 3, late_actual, late_p) for d in months[6:]]                 # resolve 2024-10 on
    return early + late + [_row(months[0], 3, "US", 0.9, by="organization")]


def test_time_respecting_weight_ignores_later_outcomes() -> None:
    """The weight of the question asked on 2024-09-01 rests on the questions resolved by then
    only: changing every later outcome (and the model's later probabilities) leaves it alone."""
    a, b = add_pooled(_rows("CN", 0.95)), add_pooled(_rows("other", 0.01))
    target = date(2024, 9, 1)
    ra = next(r for r in a if r.as_of == target and r.by == "country")
    rb = next(r for r in b if r.as_of == target and r.by == "country")
    assert ra.pool_n == rb.pool_n == 6 and all(r.resolved <= target for r in a[:6])
    assert ra.pool_weight == rb.pool_weight < 0.5                  # the model was right so far
    assert ra.p["pooled"] == combine(ra.p["model"], ra.p["recency"], ra.pool_weight, ra.floor)
    assert sum(ra.p["pooled"].values()) == pytest.approx(1.0)
    first = a[0]
    assert first.pool_n == 0 and first.pool_weight == 0.5         # nothing resolved yet: the prior
    # the later questions do move the weight once they are resolved
    last_a, last_b = (next(r for r in rows if r.as_of == date(2024, 12, 1)) for rows in (a, b))
    assert last_a.pool_n == last_b.pool_n == 9 and last_b.pool_weight > last_a.pool_weight
    org = next(r for r in a if r.by == "organization")
    assert org.pool_n == 0  # groupings learn apart


def test_weights_learned_per_horizon_and_the_nearest_horizon_used() -> None:
    """Questions of one horizon do not move another horizon's weight; a forecast date uses the
    backtest horizon nearest it on a log scale."""
    months = [date(2024, m, 1) for m in range(1, 7)]
    short = [_row(d, 3, "CN", 0.95) for d in months]           # the model right at 3 months
    long = [_row(d, 12, "US", 0.95) for d in months]           # and wrong at 12
    rows = add_pooled(short + long)
    pool = Pool(pool_questions(rows))
    w3, n3 = pool.weight("country", date(2026, 1, 1), 3)
    w12, n12 = pool.weight("country", date(2026, 1, 1), 12)
    assert n3 == n12 == 6 and w3 < 0.5 < w12
    assert pool.horizon_for("country", 2) == 3 and pool.horizon_for("country", 5) == 3
    assert pool.horizon_for("country", 7) == 12 and pool.horizon_for("country", 30) == 12
    assert pool.horizon_for("organization", 6) is None
    w, n, h = pool.weight_at("country", date(2026, 1, 1), date(2027, 1, 1))
    assert (w, n, h) == (w12, n12, 12)
    assert Pool.empty("none").weight_at("country", date(2026, 1, 1), date(2026, 7, 1)) == (0.5, 0, None)
    # in the backtest each row learns from its own horizon only
    late12 = next(r for r in rows if r.horizon == 12 and r.as_of == months[-1])
    assert late12.pool_n == 0  # no 12-month question had resolved by mid-2024


def test_pool_file_round_trip(tmp_path) -> None:
    rows = add_pooled(_rows("US", 0.01))
    pool = Pool(pool_questions(rows), {"command": "test", "seed": 0}, "here")
    obj = pool.to_dict(date(2025, 6, 1))
    assert obj["weights"]["country/3"]["n"] == 12 and obj["weights"]["organization/3"]["n"] == 1
    assert obj["weights_all_horizons_not_used"]["country"]["n"] == 12
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(obj))
    back = load_pool(path)
    assert back.questions == pool.questions and back.provenance == {"command": "test", "seed": 0}
    assert back.weight("country", date(2025, 6, 1)) == pool.weight("country", date(2025, 6, 1))
    with pytest.raises(PriorFileError, match="no rankings pool file"):
        load_pool(tmp_path / "missing.json")
    old = {**obj, "format": "benchcast-rankings-pool/1"}
    path.write_text(json.dumps(old))
    with pytest.raises(PriorFileError, match="linear pool"):
        load_pool(path)
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(PriorFileError, match="not a rankings pool file"):
        load_pool(path)
    with pytest.raises(ValueError):
        pool_from_dict([], "x")


def test_empty_pool_is_the_documented_default() -> None:
    pool = Pool.empty("default")
    assert pool.weight("country", date(2030, 1, 1)) == (0.5, 0)
    q = PoolQuestion("country", date(2024, 1, 1), 3, date(2024, 4, 1), "CN", {"CN": 0.2, "other": 0.8},
                     {"CN": 0.6, "other": 0.4}, 1e-3)
    assert dataclasses.replace(pool, questions=(q,)).weight("country", date(2024, 3, 31)) == (0.5, 0)
