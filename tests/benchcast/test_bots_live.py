"""Live bots against the real market server: in-process (TestClient) and over HTTP (uvicorn)."""

from __future__ import annotations

import threading

import pytest
from typer.testing import CliRunner

from benchcast.cli.bots import BotRunner
from benchcast.cli.main import app as cli
from tests.benchcast.conftest import HOST_TOKEN

runner = CliRunner()


@pytest.fixture
def sqlite_client(sqlite_url):
    """The app over a fresh SQLite file (the Kelly test below also runs on PostgreSQL)."""
    from fastapi.testclient import TestClient

    from benchcast.db import users
    from benchcast.db.engine import create_all, make_engine
    from benchcast.server import Settings, create_app

    engine = make_engine(sqlite_url)
    create_all(engine)
    users.ensure_host(engine, HOST_TOKEN)
    with TestClient(create_app(engine, Settings(host_token=HOST_TOKEN))) as c:
        yield c
    engine.dispose()


def create_question(client, host_headers, **extra) -> dict:
    body = {"title": "FrontierMath v2 >= 95 by 2027-12-31", "kind": "binary", "mechanism": "lmsr", "subsidy": 100.0, **extra}
    r = client.post("/api/questions", json=body, headers=host_headers)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("strategy", ["noise", "informed", "kelly", "half-kelly", "forecast"])
def test_every_strategy_trades_through_the_server(sqlite_client, host_headers, strategy: str) -> None:
    q = create_question(sqlite_client, host_headers)
    bots = BotRunner("http://testserver", strategy, count=2, rate=50, seed=1, belief=0.8, http=sqlite_client, log=lambda _m: None)
    bots.join()
    for _ in range(25):
        bots.step()
    assert bots.stats.orders > 0
    me = sqlite_client.get("/api/me", headers={"Authorization": f"Bearer {bots.bots[0].token}"}).json()
    assert me["name"].startswith(f"{strategy}-bot-1-")
    if strategy in ("informed", "kelly", "half-kelly", "forecast"):  # they believe 0.8: YES gets dearer
        price = sqlite_client.get(f"/api/questions/{q['id']}").json()["outcomes"][0]["price"]
        assert 0.5 < price <= 0.8 + 1e-6


def test_momentum_bots_follow_a_rising_price(sqlite_client, host_headers) -> None:
    create_question(sqlite_client, host_headers)
    pusher = BotRunner("http://testserver", "kelly", count=1, rate=50, belief=0.9, aggressiveness=0.02,
                       http=sqlite_client, log=lambda _m: None)
    follower = BotRunner("http://testserver", "momentum", count=2, rate=50, seed=5, http=sqlite_client, log=lambda _m: None)
    pusher.join()
    follower.join()
    for _ in range(30):
        pusher.step()
        follower.step()
    assert follower.stats.orders > 0
    me = sqlite_client.get("/api/me", headers={"Authorization": f"Bearer {follower.bots[0].token}"}).json()
    me2 = sqlite_client.get("/api/me", headers={"Authorization": f"Bearer {follower.bots[1].token}"}).json()
    held = {p["outcome"] for m in (me, me2) for p in m["positions"] if p["shares"] > 0}
    assert held == {"YES"}


def test_kelly_bots_bring_the_price_to_their_belief(client, host_headers) -> None:
    q = create_question(client, host_headers, subsidy=10.0)
    bots = BotRunner("http://testserver", "kelly", count=3, rate=50, seed=2, belief=0.3, kelly_fraction=1.0,
                     http=client, log=lambda _m: None)
    bots.join()
    for _ in range(60):
        bots.step()
    price = client.get(f"/api/questions/{q['id']}").json()["outcomes"][0]["price"]
    assert price == pytest.approx(0.3, abs=0.03)


def test_bots_trade_multiple_choice_questions_too(sqlite_client, host_headers) -> None:
    q = create_question(sqlite_client, host_headers, title="Which lab first reaches 95 on FrontierMath?",
                        kind="multiple_choice", outcomes=["A", "B", "C", "other"])
    for strategy in ("informed", "kelly", "noise"):
        bots = BotRunner("http://testserver", strategy, count=2, rate=50, seed=6, belief=0.8, noise=1.0,
                         http=sqlite_client, log=lambda _m: None)
        bots.join()
        for _ in range(15):
            bots.step()
        assert bots.stats.orders > 0, strategy
    prices = [o["price"] for o in sqlite_client.get(f"/api/questions/{q['id']}").json()["outcomes"]]
    assert sum(prices) == pytest.approx(1.0) and max(prices) - min(prices) > 0.01


def test_forecast_bots_leave_questions_they_cannot_forecast_alone(sqlite_client, host_headers) -> None:
    create_question(sqlite_client, host_headers, title="Will it rain tomorrow?")
    bots = BotRunner("http://testserver", "forecast", count=1, rate=50, http=sqlite_client, log=lambda _m: None)
    bots.join()
    for _ in range(5):
        bots.step()
    assert bots.stats.orders == 0 and bots.stats.skipped == 5


def test_run_stops_on_stop_event_and_on_ctrl_c(sqlite_client, host_headers) -> None:
    create_question(sqlite_client, host_headers)
    bots = BotRunner("http://testserver", "noise", count=2, rate=20, seed=3, http=sqlite_client, log=lambda _m: None)
    threading.Timer(0.5, bots.stop.set).start()
    stats = bots.run(duration=30)
    assert bots.stop.is_set() and stats.orders + stats.skipped + stats.rejected > 0

    calls = []

    def interrupted() -> None:
        calls.append(1)
        raise KeyboardInterrupt

    bots.stop.clear()
    bots.step = interrupted
    assert bots.run(duration=30) is bots.stats and calls == [1]


@pytest.fixture
def live_server(sqlite_url):
    from benchcast.server.process import ServerProcess

    with ServerProcess(sqlite_url, HOST_TOKEN) as server:
        yield server


def test_cli_runs_bots_against_a_real_server_for_a_duration(live_server) -> None:
    import httpx

    r = httpx.post(f"{live_server.url}/api/questions", headers={"Authorization": f"Bearer {HOST_TOKEN}"},
                   json={"title": "Will a model score >= 80 on HLE by 2027-06-30?", "subsidy": 50.0})
    assert r.status_code == 201, r.text
    res = runner.invoke(cli, ["bots", "run", "--server", live_server.url, "--strategy", "noise", "--count", "3",
                              "--rate", "20", "--duration", "1.5", "--seed", "4"])
    assert res.exit_code == 0, res.output
    assert "joined as noise-bot-1-" in res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("stopped: ") and int(last.split()[1]) > 0
    board = httpx.get(f"{live_server.url}/api/leaderboard").json()
    assert sum(row["name"].startswith("noise-bot-") for row in board) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--server", "http://127.0.0.1:9", "--strategy", "noise", "--duration", "1"], "cannot reach the market server"),
        (["--server", "http://127.0.0.1:9", "--strategy", "wizard"], "unknown strategy"),
        (["--server", "localhost:8000", "--strategy", "noise"], "http:// or https://"),
        (["--server", "http://127.0.0.1:9", "--strategy", "kelly", "--kelly-fraction", "2"], "--kelly-fraction"),
        (["--server", "http://127.0.0.1:9", "--strategy", "noise", "--aggressiveness", "0"], "--aggressiveness"),
        (["--server", "http://127.0.0.1:9", "--strategy", "informed", "--noise", "nan"], "--noise"),
        (["--server", "http://127.0.0.1:9", "--strategy", "noise", "--rate", "0"], "--rate"),
        (["--server", "http://127.0.0.1:9", "--strategy", "noise", "--count", "0"], "--count"),
        (["--server", "http://127.0.0.1:9", "--strategy", "kelly", "--belief", "1.5"], "--belief"),
        (["--server", "http://127.0.0.1:9", "--strategy", "noise", "--duration", "-1"], "--duration"),
    ],
)
def test_cli_errors_are_one_line(args: list[str], message: str) -> None:
    res = runner.invoke(cli, ["bots", "run", *args])
    assert res.exit_code == 1
    assert res.output.strip().startswith("error: ") and message in res.output
    assert "Traceback" not in res.output


def test_bots_help() -> None:
    res = runner.invoke(cli, ["bots", "run", "--help"])
    assert res.exit_code == 0 and "--strategy" in res.output and "--rate" in res.output
