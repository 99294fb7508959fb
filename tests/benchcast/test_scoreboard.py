"""The scoreboard: market at close and time-weighted, the model at opening, each trader."""

from __future__ import annotations

import json
import math
from datetime import datetime
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app as cli
from benchcast.db import users
from benchcast.db.linked import LinkSpec, NewLinkedQuestion, create_linked_question
from benchcast.db.resolutions import resolve_question
from benchcast.db.scoreboard import HeadToHead, Scores, _path, build_scoreboard
from benchcast.db.trading import NewOrder, place_order
from benchcast.units import to_micro


def test_time_weighted_price_is_the_duration_weighted_mean():
    t = [datetime(2026, 1, 1, 0, 0, s) for s in (0, 10, 40)]
    q = SimpleNamespace(created_at=t[0], initial_prices="[0.5, 0.5]")
    trades = [SimpleNamespace(created_at=t[1], prices_after="[0.8, 0.2]")]
    close, tw = _path(q, trades, t[2])
    assert close == [0.8, 0.2]
    assert tw == pytest.approx([(0.5 * 10 + 0.8 * 30) / 40, (0.5 * 10 + 0.2 * 30) / 40])


def test_scores_of_a_resolved_linked_question(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))
    host = users.ensure_host(engine, "host-token-scoreboard-0123456789").id
    q = create_linked_question(engine, created_by=host, question_in=NewLinkedQuestion(
        LinkSpec(benchmark="GPQA Diamond", threshold=98, by="2027-06-30", model_forecast=(0.3, 0.7)), subsidy=100_000_000))
    alice = users.join(engine, name="alice")[0].id
    bob = users.join(engine, name="bob")[0].id
    a = place_order(engine, user_id=alice, order_in=NewOrder(q.id, "YES", "buy", amount=to_micro(30.0)))
    b = place_order(engine, user_id=bob, order_in=NewOrder(q.id, "NO", "buy", amount=to_micro(10.0)))
    resolve_question(engine, question_id=q.id, resolved_by=host, outcome="YES")
    board = build_scoreboard(engine)
    (row,) = board.questions
    assert row.truth == (1.0, 0.0) and row.model == (0.3, 0.7)
    assert row.market_close == pytest.approx(b.prices_after)
    p_close = b.prices_after[0]
    assert row.scores["market_close"] == Scores(round((1 - p_close) ** 2, 6), round(math.log(p_close), 6))
    assert row.scores["model"] == Scores(0.49, round(math.log(0.3), 6))
    assert row.scores["trader:alice"].brier == round((1 - a.prices_after[0]) ** 2, 6)
    assert row.traders["bob"] == pytest.approx(b.prices_after)
    assert board.head_to_head == HeadToHead(1, round((1 - p_close) ** 2, 4), 0.49, int((1 - p_close) ** 2 < 0.49),
                                            int((1 - p_close) ** 2 > 0.49))
    assert board.to_dict()["head_to_head"] == {"n": 1, "market_brier": round((1 - p_close) ** 2, 4), "model_brier": 0.49,
                                               "market_better": int((1 - p_close) ** 2 < 0.49),
                                               "model_better": int((1 - p_close) ** 2 > 0.49)}
    assert list(board.to_dict()["questions"][0]) == ["question_id", "title", "truth", "market_close", "market_time_weighted",
                                                    "model", "traders", "scores"]


def test_scoreboard_cli_json_and_plot(db_url, tmp_path, monkeypatch):
    from benchcast.db.engine import create_all, make_engine

    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))
    engine = make_engine(db_url)
    create_all(engine)
    host = users.ensure_host(engine, "host-token-scoreboard-0123456789").id
    q = create_linked_question(engine, created_by=host, question_in=NewLinkedQuestion(
        LinkSpec(leader="country", metric="ECI", at="2027-06-30", model_forecast=(0.6, 0.2, 0.1, 0.1)),
        outcomes=("CN", "US", "FR", "other"), subsidy=50_000_000))
    resolve_question(engine, question_id=q.id, resolved_by=host, outcome="US")
    engine.dispose()
    r = CliRunner().invoke(cli, ["market", "scoreboard", "--db", db_url, "--json", "--plot", str(tmp_path / "cal.png")])
    assert r.exit_code == 0, r.stderr
    board = json.loads(r.stdout)
    assert board["questions"][0]["scores"]["model"] == {"brier": round(0.5 * (0.36 + 0.64 + 0.01 + 0.01), 6),
                                                         "log": round(math.log(0.2), 6)}
    assert board["questions"][0]["scores"]["market_close"]["brier"] == round(0.5 * (3 * 0.0625 + 0.5625), 6)
    assert (tmp_path / "cal.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = CliRunner().invoke(cli, ["market", "scoreboard", "--db", db_url])
    assert "model (at opening)" in r.stdout and "market (at close)" in r.stdout
