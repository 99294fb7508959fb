"""`benchcast market ...` against a real server process, and `benchcast market audit`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from benchcast.cli.main import app
from benchcast.db.engine import make_engine
from benchcast.server.process import ServerProcess

TOKEN = "host-token-cli-test-0123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}"
    with ServerProcess(url, TOKEN) as s:
        yield s


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_trading_session_through_the_cli(server):
    s = ["--server", server.url]
    code, out, _ = run("market", "create", "FrontierMath v2 best score >= 95% by 2027-12-31", "--subsidy", "150", *s, "--token", TOKEN)
    assert code == 0 and "created question" in out
    qid = out.split("question ")[1].split(":")[0]
    code, out, _ = run("market", "create", "First lab to 50% on HLE", "--outcome", "A", "--outcome", "B", "--outcome", "C", *s, "--token", TOKEN, "--json")
    assert code == 0 and json.loads(out)["kind"] == "multiple_choice"
    code, out, _ = run("market", "join", "carol", *s, "--json")
    carol = json.loads(out)["token"]
    code, out, _ = run("market", "list", *s)
    assert code == 0 and "FrontierMath" in out and "YES 50.0%" in out
    code, out, _ = run("market", "buy", qid, "YES", "20", "--quote", *s, "--token", carol)
    assert code == 0 and out.startswith("would buy")
    code, out, _ = run("market", "buy", qid, "YES", "20", *s, "--token", carol)
    assert code == 0 and out.startswith("done: buy") and "balance 980.00" in out
    code, out, _ = run("market", "sell", qid, "YES", "5", *s, "--token", carol)
    assert code == 0 and "receive" in out
    code, out, _ = run("market", "buy", qid, "NO", "10", "--limit", "0.2", "--rest", *s, "--token", carol)
    assert code == 0 and out.startswith("rests:")
    resting = out.split("order ")[1].split(" ")[0]
    code, out, _ = run("market", "portfolio", *s, "--token", carol)
    assert "open limit orders" in out and "10.000" in out
    code, out, _ = run("market", "cancel", resting, *s, "--token", carol)
    assert code == 0 and "cancelled" in out
    code, out, _ = run("market", "show", qid, *s)
    assert code == 0 and "2 trades" in out and "recent prices" in out
    code, out, _ = run("market", "portfolio", *s, "--token", carol)
    assert code == 0 and "carol: balance" in out and "YES" in out
    code, out, _ = run("market", "leaderboard", *s)
    assert code == 0 and "carol" in out
    code, _, err = run("market", "resolve", qid, "--outcome", "YES", *s, "--token", carol)
    assert code == 1 and "403" in err and "Traceback" not in err
    code, out, _ = run("market", "resolve", qid, "--outcome", "YES", *s, "--token", TOKEN)
    assert code == 0 and "resolved" in out


def test_serve_prints_address_and_host_token(server):
    out = server.output()
    assert f"http://localhost:{server.port}/" in out and "host token: from BENCHCAST_HOST_TOKEN" in out
    assert TOKEN not in out  # given by the environment, so neither printed nor on the command line


def test_cli_errors_are_one_line(server):
    s = ["--server", server.url]
    code, _, err = run("market", "portfolio", *s, "--token", "wrong")
    assert code == 1 and err.startswith("error: server refused (401)") and err.count("\n") == 1
    code, _, err = run("market", "buy", "1", "YES", "5", *s)
    assert code == 1 and "--token" in err
    code, _, err = run("market", "list", "--server", "http://127.0.0.1:9")
    assert code == 1 and "cannot reach" in err
    code, _, err = run("market", "resolve", "1", *s, "--token", TOKEN)
    assert code == 1 and "exactly one" in err


def test_audit_command(server, tmp_path):
    code, out, _ = run("market", "audit", "--db", server.db_url)
    assert code == 0 and "audit passed" in out
    code, out, _ = run("market", "audit", "--db", server.db_url, "--json")
    assert json.loads(out)["ok"] is True
    # A tampered copy fails the audit.
    copy = tmp_path / "copy.db"
    import sqlite3

    with sqlite3.connect(server.db_url.removeprefix("sqlite:///")) as src:
        src.execute(f"VACUUM INTO '{copy}'")
    eng = make_engine(f"sqlite:///{copy}")
    with eng.begin() as conn:
        conn.exec_driver_sql("UPDATE bc_account SET balance = balance + 1000000 WHERE id = (SELECT max(id) FROM bc_account WHERE key LIKE 'user:%:cash')")
    eng.dispose()
    code, out, err = run("market", "audit", "--db", f"sqlite:///{copy}")
    assert code == 1 and "FAILED" in out and "problem:" in err


def test_every_market_command_has_help():
    for cmd in ["join", "list", "show", "buy", "sell", "cancel", "portfolio", "leaderboard", "create", "resolve", "audit"]:
        code, out, _ = run("market", cmd, "--help")
        assert code == 0 and len(out) > 50
    code, out, _ = run("serve", "--help")
    assert code == 0 and "--host-token" in out


def test_audit_of_a_database_without_tables_is_one_clean_error(tmp_path):
    code, _, err = run("market", "audit", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 1 and err.startswith("error: cannot open database") and "Traceback" not in err
