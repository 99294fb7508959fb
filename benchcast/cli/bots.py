"""`benchcast bots run`: join a running market session as N named bots that trade politely.

The bots are the strategies of :mod:`markets.bots`; this module only talks HTTP (the REST
contract of the market server: /api/join, /api/questions, /api/me, /api/questions/{id}/orders)
and turns each bot's order intents into requests. It never prices anything itself.
"""

from __future__ import annotations

import math
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import typer

from benchcast.cli.common import cli_errors
from benchcast.errors import ClientError, ConfigError

app = typer.Typer(help="Simulated traders that join a running market session.", no_args_is_help=True)

MAX_CONSECUTIVE_FAILURES = 10
MIN_SIZE = 0.001  # the engine refuses smaller orders as dust
MIN_SCALE = 1e-4
HISTORY_KEPT = 200


@dataclass
class LiveBot:
    """One joined bot: its identity, and one strategy instance per question it has seen."""

    name: str
    token: str
    strategies: dict[int, object] = field(default_factory=dict)
    #: Share of each intended order actually sent, per question: the live server gives no depth,
    #: so a bot halves its orders after one is refused (limit price, price band) and regrows them.
    scale: dict[int, float] = field(default_factory=dict)


@dataclass
class RunStats:
    """What a live run did."""

    orders: int = 0
    rejected: int = 0
    skipped: int = 0
    failures: int = 0


class BotRunner:
    """Drives N bots of one strategy against a market server at `rate` orders per second in total."""

    def __init__(
        self,
        server: str,
        strategy: str,
        *,
        count: int = 3,
        rate: float = 0.5,
        seed: int | None = None,
        invite: str | None = None,
        belief: float | None = None,
        noise: float = 0.5,
        kelly_fraction: float = 0.5,
        aggressiveness: float = 0.05,
        http: object | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        from markets.bots.population import ALIASES, STRATEGIES

        strategy = ALIASES.get(strategy.lower(), strategy.lower())
        if strategy not in STRATEGIES:
            raise ConfigError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
        if http is None and not server.startswith(("http://", "https://")):
            raise ConfigError(f"--server {server!r} must be an http:// or https:// URL")
        if count < 1 or count > 1000:
            raise ConfigError(f"--count {count} must be between 1 and 1000")
        if not (rate > 0 and rate <= 100):
            raise ConfigError(f"--rate {rate} must be in (0, 100] orders per second")
        if belief is not None and not 0 < belief < 1:
            raise ConfigError(f"--belief {belief} must be a probability in (0, 1)")
        if not 0 < aggressiveness <= 1:
            raise ConfigError(f"--aggressiveness {aggressiveness} must be in (0, 1]")
        if not 0 < kelly_fraction <= 1:
            raise ConfigError(f"--kelly-fraction {kelly_fraction} must be in (0, 1]")
        if not (noise >= 0 and noise < float("inf")):
            raise ConfigError(f"--noise {noise} must be a finite number >= 0")
        import httpx

        self.strategy, self.count, self.rate, self.invite = strategy, count, rate, invite
        self.belief, self.noise, self.kelly_fraction, self.aggressiveness = belief, noise, kelly_fraction, aggressiveness
        self.rng = np.random.default_rng(seed)
        self.http = http if http is not None else httpx.Client(base_url=server.rstrip("/"), timeout=10.0)
        self.log = log
        self.bots: list[LiveBot] = []
        self.history: dict[int, list[np.ndarray]] = {}
        self.stats = RunStats()
        self.stop = threading.Event()
        self._tag = uuid.uuid4().hex[:6]

    # -- HTTP --------------------------------------------------------------------------------
    def _request(self, method: str, path: str, token: str | None = None, **kwargs: object):
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            resp = self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach the market server at {self.http.base_url}: {exc}") from None
        return resp

    def join(self) -> None:
        """Join as `count` bots named like ``kelly-bot-1-3fa2c1``."""
        for i in range(1, self.count + 1):
            body = {"name": f"{self.strategy}-bot-{i}-{self._tag}"}
            if self.invite:
                body["invite"] = self.invite
            resp = self._request("POST", "/api/join", json=body)
            if resp.status_code != 200 and resp.status_code != 201:
                raise ClientError(f"joining as {body['name']} failed: {resp.status_code} {_detail(resp)}")
            data = resp.json()
            self.bots.append(LiveBot(name=body["name"], token=data["token"]))
            self.log(f"joined as {body['name']} with balance {data['balance']:g}")

    # -- one trading opportunity ---------------------------------------------------------------
    def _strategy_for(self, bot: LiveBot, question: dict, prices: np.ndarray, budget: float):
        from markets.bots import ForecastTrader, InformedTrader, KellyTrader, MomentumTrader, NoiseTrader
        from markets.bots.forecasts import lazy_forecast_belief, parse_benchmark_question
        from markets.bots.signals import as_distribution, noisy_belief

        qid = int(question["id"])
        if qid in bot.strategies:
            return bot.strategies[qid]
        common = dict(name=bot.name, budget=max(budget, 1e-6), aggressiveness=self.aggressiveness)
        # --belief is P(YES): it applies to binary questions only.
        given = None if self.belief is None or prices.shape[0] != 2 else as_distribution(self.belief, 2)
        s = self.strategy
        if s == "noise":
            made = NoiseTrader(**common)
        elif s == "momentum":
            made = MomentumTrader(**common)
        elif s == "forecast":
            parsed = parse_benchmark_question(question.get("title", ""))
            if given is None and (parsed is None or prices.shape[0] != 2):
                made = None  # no forecast for this question: leave it alone
            else:
                made = ForecastTrader(
                    belief=given if given is not None else lazy_forecast_belief(*parsed),
                    kelly_fraction=self.kelly_fraction,
                    **common,
                )
        else:
            # Without a known truth, a live bot's private signal is a noisy view of the opening price.
            belief = given if given is not None else noisy_belief(prices, self.noise, self.rng)
            if s == "informed":
                made = InformedTrader(belief=belief, **common)
            else:
                fraction = self.kelly_fraction * (0.5 if s == "half-kelly" else 1.0)
                made = KellyTrader(belief=belief, kelly_fraction=fraction, **common)
        bot.strategies[qid] = made
        return made

    def step(self) -> None:
        """One bot looks at one open question and places at most one order."""
        from markets.bots import Holdings, MarketView

        resp = self._request("GET", "/api/questions")
        if resp.status_code != 200:
            raise ClientError(f"listing questions failed: {resp.status_code} {_detail(resp)}")
        listing = resp.json()
        questions = [q for q in (listing if isinstance(listing, list) else listing.get("questions", [])) if q.get("status", "open") == "open"]
        for q in questions:  # every poll extends the price history the momentum bots read
            hist = self.history.setdefault(int(q["id"]), [])
            hist.append(np.array([o["price"] for o in q["outcomes"]], dtype=float))
            del hist[:-HISTORY_KEPT]
        if not questions:
            self.stats.skipped += 1
            return
        bot = self.bots[int(self.rng.integers(len(self.bots)))]
        question = questions[int(self.rng.integers(len(questions)))]
        qid = int(question["id"])
        names = [o["name"] for o in question["outcomes"]]
        hist = self.history[qid]
        prices = hist[-1]

        me = self._request("GET", "/api/me", token=bot.token)
        if me.status_code != 200:
            raise ClientError(f"reading the portfolio of {bot.name} failed: {me.status_code} {_detail(me)}")
        mine = me.json()
        shares = np.zeros(len(names))
        for pos in mine.get("positions", []):
            if int(pos.get("question_id", -1)) == qid and pos.get("outcome") in names:
                shares[names.index(pos["outcome"])] += float(pos.get("shares", 0.0))
        cash = float(mine["balance"])
        strat = self._strategy_for(bot, question, prices, cash + float(shares @ prices))
        if strat is None:
            self.stats.skipped += 1
            return
        view = MarketView(prices=prices, history=np.array(hist[:-1]).reshape(-1, len(names)), step=len(hist))
        orders = strat.decide(view, Holdings(cash=cash, shares=shares, budget=strat.budget), self.rng)
        if not orders:
            self.stats.skipped += 1
        for order in orders:
            self._place(bot, qid, names, order)

    def _place(self, bot: LiveBot, qid: int, names: list[str], order) -> None:
        body: dict[str, object] = {"outcome": names[order.outcome], "side": order.side, "idempotency_key": uuid.uuid4().hex}
        scale = bot.scale.get(qid, 1.0)
        # Whole micro-units, rounded down: never more money or shares than the bot has.
        size = math.floor(float(order.amount if order.side == "buy" else order.shares) * scale * 1e6) / 1e6
        if size < MIN_SIZE:
            self.stats.skipped += 1
            bot.scale[qid] = min(1.0, scale * 2.0)
            return
        body["amount" if order.side == "buy" else "shares"] = size
        if order.limit_price is not None:
            body["limit_price"] = float(order.limit_price)
        resp = self._request("POST", f"/api/questions/{qid}/orders", token=bot.token, json=body)
        if resp.status_code == 429:
            self.stats.rejected += 1
            wait = float(resp.headers.get("Retry-After", "1") or 1)
            self.stop.wait(min(wait, 10.0))
        elif resp.status_code == 401:
            raise ClientError(f"the server no longer accepts the token of {bot.name}")
        elif resp.status_code >= 400:
            self.stats.rejected += 1
            bot.scale[qid] = max(MIN_SCALE, scale * 0.3)
        else:
            self.stats.orders += 1
            bot.scale[qid] = min(1.0, scale * 1.5)
            out = resp.json()
            verb = "bought" if order.side == "buy" else "sold"
            self.log(f"{bot.name} {verb} {out.get('shares', 0):.4g} {body['outcome']} for {abs(out.get('cost', 0)):.4g}"
                     f" on question {qid}")

    # -- the loop ----------------------------------------------------------------------------
    def run(self, duration: float | None = None) -> RunStats:
        """Trade until `duration` seconds pass, `stop` is set, or Ctrl-C."""
        if not self.bots:
            self.join()
        deadline = None if duration is None else time.monotonic() + duration
        interval = 1.0 / self.rate
        failures = 0
        try:
            while not self.stop.is_set():
                if deadline is not None and time.monotonic() >= deadline:
                    break
                t0 = time.monotonic()
                try:
                    self.step()
                    failures = 0
                except ClientError as exc:
                    failures += 1
                    self.stats.failures += 1
                    if failures >= MAX_CONSECUTIVE_FAILURES:
                        raise
                    self.log(f"warning: {exc}")
                pause = interval * (2 ** min(failures, 5)) - (time.monotonic() - t0)
                if deadline is not None:
                    pause = min(pause, deadline - time.monotonic())
                if pause > 0:
                    self.stop.wait(pause)
        except KeyboardInterrupt:
            self.log("stopping (Ctrl-C)")
        return self.stats


def _detail(resp) -> str:
    try:
        return str(resp.json().get("detail", resp.text))
    except Exception:  # not JSON: show the start of the body
        return resp.text[:200]


@app.command("run")
@cli_errors
def run(
    server: str = typer.Option(..., "--server", help="Base URL of a running market server, e.g. http://127.0.0.1:8000."),
    strategy: str = typer.Option(..., "--strategy", help="noise, informed, kelly, half-kelly, forecast or momentum."),
    count: int = typer.Option(3, "--count", help="How many bots join."),
    rate: float = typer.Option(0.5, "--rate", help="Orders per second, all bots together (polite by default)."),
    duration: float = typer.Option(None, "--duration", help="Stop after this many seconds (default: run until Ctrl-C)."),
    invite: str = typer.Option(None, "--invite", help="Invite code of the session, if it has one."),
    belief: float = typer.Option(None, "--belief", help="P(YES) informed/Kelly/forecast bots believe on binary questions (default: forecast or a noisy signal)."),
    noise: float = typer.Option(0.5, "--noise", help="Std of the log-odds error of the bots' private signals."),
    kelly_fraction: float = typer.Option(0.5, "--kelly-fraction", help="Kelly fraction of kelly and forecast bots."),
    aggressiveness: float = typer.Option(0.05, "--aggressiveness", help="Largest share of its money a bot puts in one order."),
    seed: int = typer.Option(None, "--seed", help="Random seed."),
    quiet: bool = typer.Option(False, "--quiet", help="Print only the summary."),
) -> None:
    """Join a running session as N bots of one strategy and trade until stopped."""
    if duration is not None and duration <= 0:
        raise ConfigError(f"--duration {duration} must be a positive number of seconds")
    runner = BotRunner(
        server, strategy, count=count, rate=rate, seed=seed, invite=invite, belief=belief, noise=noise,
        kelly_fraction=kelly_fraction, aggressiveness=aggressiveness,
        log=(lambda _msg: None) if quiet else typer.echo,
    )
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: runner.stop.set())
    try:
        stats = runner.run(duration)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
    typer.echo(f"stopped: {stats.orders} orders placed, {stats.rejected} rejected, {stats.skipped} turns without an order")
