"""`benchcast market ...`: trade against a running market server, and audit a database."""

from __future__ import annotations

import os

import typer

from benchcast.cli import marketview as view
from benchcast.cli.common import cli_errors, echo_json, fail

app = typer.Typer(
    help="Trade on a running `benchcast serve` (list, show, buy, sell, ...) or audit its database.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

SERVER = typer.Option(None, "--server", help="Server URL (default: BENCHCAST_SERVER or http://127.0.0.1:8000).")
TOKEN = typer.Option(None, "--token", help="Bearer token from joining (default: BENCHCAST_TOKEN).")
AS_JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")


def _client(server: str | None, token: str | None, need_token: bool = False):  # type: ignore[no-untyped-def]
    from benchcast.client import DEFAULT_SERVER, MarketClient

    token = token or os.environ.get("BENCHCAST_TOKEN")
    if need_token and not token:
        raise fail("this command needs a token: pass --token T or set BENCHCAST_TOKEN (join with `benchcast market join NAME`)")
    return MarketClient(server or os.environ.get("BENCHCAST_SERVER") or DEFAULT_SERVER, token)


def _table(headers: list[str], rows: list[list[object]], right: set[int] | None = None) -> None:
    right = right or set()
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    typer.echo(line(headers))
    typer.echo(line(["-" * w for w in widths]))
    for r in cells:
        typer.echo(line(r))


_prices = view.prices


@app.command("join")
@cli_errors
def join(name: str = typer.Argument(..., help="Your trader name."),
         invite: str = typer.Option(None, "--invite", help="Invite code, if the session has one."),
         server: str = SERVER, as_json: bool = AS_JSON) -> None:
    """Join a session; prints your personal link and token (keep them: they are shown only once)."""
    with _client(server, None) as c:
        out = c.join(name, invite)
    if as_json:
        echo_json(out)
        return
    typer.echo(f"joined as {out['name']} with balance {out['balance']:.2f}")
    typer.echo(f"your personal link (open it in a browser; keep it, it is your way back in): {out['link']}")
    typer.echo(f"token (for --token or BENCHCAST_TOKEN): {out['token']}")


@app.command("list")
@cli_errors
def list_(server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """List questions with their current prices."""
    with _client(server, token) as c:
        qs = c.questions()
    if as_json:
        echo_json({"questions": qs})
        return
    for q in qs:
        typer.echo(f"#{q['id']} [{view.status(q)}] {q['title']}")
        result = f"resolved {view.resolution(q['resolution'])}" if q.get("resolution") else _prices(q)
        extra = [view.closing(q)] if q["status"] == "open" and q.get("closes_at") else []
        typer.echo("    " + " · ".join([result, f"{q['trades']} trades", f"volume {q['volume']:.2f}", *extra]))
    typer.echo(f"{len(qs)} questions")


@app.command("show")
@cli_errors
def show(question_id: int = typer.Argument(..., help="Question id."), server: str = SERVER, token: str = TOKEN,
         as_json: bool = AS_JSON) -> None:
    """Show one question: outcomes, prices and recent price history."""
    with _client(server, token) as c:
        q = c.question(question_id)
        h = c.history(question_id)
        payouts = c.payouts(question_id) if q.get("resolution") else []
    if as_json:
        echo_json({"question": q, "history": h, "payouts": payouts})
        return
    typer.echo(f"#{q['id']} {q['title']}")
    typer.echo(f"{view.status(q)} · {q['kind'].replace('_', ' ')} · {q['mechanism']} · subsidy {q['subsidy']:.2f} · "
               f"{q['trades']} trades · volume {q['volume']:.2f}")
    if q.get("closes_at") and q["status"] == "open":
        typer.echo(view.closing(q) + ("; trading has stopped" if view.status(q) == "closed" else ""))
    for label, text in (("about", q.get("description")), ("resolves", q.get("criteria"))):
        if text:
            typer.echo(f"{label}: {text}")
    if q.get("resolution"):
        typer.echo(f"resolved: {view.resolution(q['resolution'])}")
        if payouts:
            _table(["player", "paid in", "payout", "profit"],
                   [[p["name"], f"{p['paid_in']:.2f}", f"{p['payout']:.2f}", view.signed(p["profit"])] for p in payouts], {1, 2, 3})
    if q.get("link"):
        from benchcast.cli.resolving import link_lines

        for line in link_lines(q["link"]):
            typer.echo(line)
    _table(["outcome", "last price" if q.get("resolution") else "price"], [[o["name"], f"{o['price']:.1%}"] for o in q["outcomes"]], {1})
    points = h["points"][-5:]
    if len(points) > 1:
        typer.echo("recent prices: " + " -> ".join("/".join(f"{p:.3f}" for p in pt["prices"]) for pt in points))


def _order(side: str, question_id: int, outcome: str, amount: float | None, shares: float | None,
           limit: float | None, rest: bool, quote_only: bool, server: str | None, token: str | None, as_json: bool) -> None:
    if rest and limit is None:
        raise fail("--rest needs --limit PRICE: the price at which the order fills")
    order = {"outcome": outcome, "side": side, "amount": amount, "shares": shares, "limit_price": limit, "resting": rest or None}
    with _client(server, token, need_token=True) as c:
        out = c.quote(question_id, **order) if quote_only else c.order(question_id, **order)
    if as_json:
        echo_json(out)
        return
    outcome = out.get("outcome", outcome)  # as the server names it (`yes` means YES)
    if out.get("status") == "resting" and not out["shares"]:
        size = f"for {amount:.2f}" if side == "buy" else f"{shares:g} shares"
        typer.echo(f"rests: {side} {outcome} {size} when the price reaches {limit} (nothing filled yet)")
        typer.echo(f"order {out['order_id']} (resting), balance {out['balance']:.2f}")
        return
    verb = "would" if quote_only else ("rests after a part fill:" if out.get("status") == "resting" else "done:")
    avg = f" at {out['average_price']:.4f} each" if out.get("average_price") else ""
    money = "pay" if side == "buy" else "receive"
    typer.echo(f"{verb} {side} {out['shares']:.6f} {outcome} shares, {money} {abs(out['cost']):.6f}{avg}")
    typer.echo("prices after: " + " ".join(f"{p:.4f}" for p in out["prices_after"]))
    if not quote_only:
        typer.echo(f"order {out['order_id']} ({out['status']})" + (f", balance {out['balance']:.2f}" if out.get("balance") is not None else ""))


@app.command("buy")
@cli_errors
def buy(question_id: int = typer.Argument(..., help="Question id."),
        outcome: str = typer.Argument(..., help="Outcome name, e.g. YES."),
        amount: float = typer.Argument(..., help="Money to spend."),
        limit: float = typer.Option(None, "--limit", help="Highest average price accepted (refused if not met)."),
        rest: bool = typer.Option(False, "--rest", help="With --limit: rest as a limit order until the price falls to it."),
        quote_only: bool = typer.Option(False, "--quote", help="Only show what the order would do."),
        server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Buy an outcome for an amount of money."""
    _order("buy", question_id, outcome, amount, None, limit, rest, quote_only, server, token, as_json)


@app.command("sell")
@cli_errors
def sell(question_id: int = typer.Argument(..., help="Question id."),
         outcome: str = typer.Argument(..., help="Outcome name, e.g. YES."),
         shares: float = typer.Argument(..., help="Shares to sell."),
         limit: float = typer.Option(None, "--limit", help="Lowest average price accepted (refused if not met)."),
         rest: bool = typer.Option(False, "--rest", help="With --limit: rest as a limit order until the price rises to it."),
         quote_only: bool = typer.Option(False, "--quote", help="Only show what the order would do."),
         server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Sell shares you hold."""
    _order("sell", question_id, outcome, None, shares, limit, rest, quote_only, server, token, as_json)


@app.command("cancel")
@cli_errors
def cancel(order_id: int = typer.Argument(..., help="Id of one of your resting orders."),
           server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Cancel one of your resting limit orders; its reserved money comes back."""
    with _client(server, token, need_token=True) as c:
        out = c.cancel(order_id)
    if as_json:
        echo_json(out)
        return
    typer.echo(f"order {order_id} cancelled; balance {out['balance']:.2f}")


@app.command("portfolio")
@cli_errors
def portfolio(server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Your balance, positions and profit."""
    with _client(server, token, need_token=True) as c:
        me = c.me()
        done = c.my_history()["resolved"]
    if as_json:
        echo_json({**me, "resolved": done})
        return
    typer.echo(f"{me['name']}: balance {me['balance']:.2f}, value {me['value']:.2f}, profit {view.signed(me['profit'])}")
    if me["positions"]:
        _table(["q", "outcome", "shares", "price", "value", "title"],
               [[p["question_id"], p["outcome"], f"{p['shares']:.3f}", f"{p['price']:.3f}", f"{p['value']:.2f}", p["title"][:40]]
                for p in me["positions"]], {0, 2, 3, 4})
    if me["open_orders"]:
        typer.echo("open limit orders:")
        _table(["order", "q", "side", "outcome", "limit", "left"],
               [[o["order_id"], o["question_id"], o["side"], o["outcome"], o["limit_price"], f"{o['remaining']:.3f}"]
                for o in me["open_orders"]], {0, 1, 4, 5})
    if done:
        typer.echo("resolved:")
        _table(["q", "result", "paid in", "payout", "profit", "title"],
               [[r["question_id"], r["resolution"], f"{r['paid_in']:.2f}", f"{r['payout']:.2f}", view.signed(r["profit"]), r["title"]]
                for r in done], {0, 2, 3, 4})


@app.command("leaderboard")
@cli_errors
def leaderboard(server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Traders ranked by value: cash plus what selling their positions now would return."""
    with _client(server, token) as c:
        rows = c.leaderboard()
    if as_json:
        echo_json({"leaderboard": rows})
        return
    _table(["#", "trader", "value", "profit", "cash"],
           [[r["rank"], r["name"], f"{r['value']:.2f}", view.signed(r["profit"]), f"{r['balance']:.2f}"] for r in rows], {0, 2, 3, 4})


@app.command("create")
@cli_errors
def create(title: str = typer.Argument(None, help="The question (written from the link with --benchmark or --leader)."),
           outcome: list[str] = typer.Option(None, "--outcome", help="An outcome (repeat); makes a multiple-choice question."),
           mechanism: str = typer.Option("lmsr", "--mechanism", help="lmsr or cpmm (binary only)."),
           subsidy: float = typer.Option(100.0, "--subsidy", help="Money the house puts behind the market maker."),
           price: list[float] = typer.Option(None, "--price", help="A starting price per outcome (repeat)."),
           closes_at: str = typer.Option(None, "--closes-at", help="ISO time when trading stops, e.g. 2027-12-31T00:00Z."),
           criteria: str = typer.Option(None, "--criteria", help="How the question resolves: the source and the rule."),
           description: str = typer.Option(None, "--description", help="Background for traders (markdown)."),
           benchmark: str = typer.Option(None, "--benchmark", help="Link to the data: a benchmark (with --threshold and --by); resolves itself."),
           threshold: float = typer.Option(None, "--threshold", help="With --benchmark: the score in percent to reach."),
           by: str = typer.Option(None, "--by", help="With --benchmark: the date by which a qualifying model must be dated."),
           leader: str = typer.Option(None, "--leader", help="Link to the data: 'country' or 'organization' leading open weights (with --metric, --at)."),
           metric: str = typer.Option("ECI", "--metric", help="With --leader: the score that ranks models."),
           at: str = typer.Option(None, "--at", help="With --leader: the day the leader counts."),
           grace_days: int = typer.Option(30, "--grace-days", help="Days after --by / --at that late results still count."),
           model: bool = typer.Option(True, "--model/--no-model", help="With a link: price the question by benchcast's forecast (stored for the scoreboard)."),
           server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Open a market on a new question (host token); --benchmark or --leader link it to the data."""
    from benchcast.cli.linking import link_spec
    from markets.seed import opening_prices

    link, forecast, outcome = link_spec(benchmark, threshold, by, leader, metric, at, grace_days, model, outcome)
    kind = "multiple_choice" if outcome else "binary"
    if link is None and not title:
        raise fail("give the question's title, or link it with --benchmark NAME --threshold T --by DATE")
    with _client(server, token, need_token=True) as c:
        q = c.create(title=title, kind=kind, outcomes=outcome or None, mechanism=mechanism, subsidy=subsidy,
                     initial_prices=price or (list(opening_prices(forecast)) if forecast else None),
                     closes_at=closes_at, criteria=criteria, description=description, link=link)
    if as_json:
        echo_json(q)
        return
    closes = f"; {view.closing(q)}" if q.get("closes_at") else ""
    typer.echo(f"created question {q['id']}: {q['title']}  [{_prices(q)}]{closes}")


@app.command("resolve")
@cli_errors
def resolve(question_id: int = typer.Argument(..., help="Question id."),
            outcome: str = typer.Option(None, "--outcome", help="The outcome that happened."),
            probability: float = typer.Option(None, "--probability", help="Resolve a binary question to a probability of YES."),
            cancel: bool = typer.Option(False, "--cancel", help="Cancel: everyone gets back what they put in."),
            server: str = SERVER, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """Resolve a question to an outcome or a probability, or cancel it (host token)."""
    if sum(x is not None and x is not False for x in (outcome, probability, cancel)) != 1:
        raise fail("give exactly one of --outcome NAME, --probability P or --cancel")
    with _client(server, token, need_token=True) as c:
        q = c.resolve(question_id, outcome=outcome, probability=probability, cancel=cancel or None)
    if as_json:
        echo_json(q)
        return
    typer.echo(f"question {q['id']} resolved: {view.resolution(q.get('resolution'))}; everyone has been paid "
               f"(`benchcast market show {q['id']}` lists the payouts)")


@app.command("audit")
@cli_errors
def audit(db: str = typer.Option(None, "--db", help="Database URL (default: BENCHCAST_DB, else SQLite in BENCHCAST_HOME)."),
          as_json: bool = AS_JSON) -> None:
    """Recompute balances, positions and markets from the ledger; exit 0 only if all agree."""
    from sqlalchemy.exc import DBAPIError

    from benchcast.db.audit import audit_database
    from benchcast.db.engine import make_engine, unreachable

    engine = make_engine(db)
    try:
        report = audit_database(engine)
    except DBAPIError as exc:
        raise unreachable(engine, exc) from None
    finally:
        engine.dispose()
    if as_json:
        echo_json(report.to_dict())
    else:
        for line in report.summary_lines():
            typer.echo(line)
        for problem in report.problems:
            typer.echo(f"problem: {problem}", err=True)
    if report.problems:
        raise typer.Exit(1)
