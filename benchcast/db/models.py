"""Tables of the market server (SQLModel).

Money and shares are integers in micro-units everywhere in the database (`benchcast.units`
converts them at the edge).

Ledger model (double entry): every movement is a `LedgerTxn` with `LedgerEntry` rows whose
amounts, per asset, sum to zero. An `Account` is a named bucket of one asset:

- ``bank:cash``                 the mint: starting balances and market subsidies come from it
- ``user:{uid}:cash``           a trader's money
- ``user:{uid}:q{qid}:o{i}``    a trader's shares of outcome i of question qid
- ``maker:q{qid}:cash``         the market maker's pool of money for question qid
- ``maker:q{qid}:o{i}``         the issuer of outcome shares (minus the shares outstanding)
- ``user:{uid}:q{qid}:escrow``  cash a trader has reserved for resting buy orders in qid

`Account.balance` is a cache of the sum of its entries, updated in the same transaction;
`benchcast market audit` recomputes it from the ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, as naive UTC: every time in the database is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def _time() -> Column:
    return Column(DateTime, nullable=False, default=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "bc_user"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    is_host: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Question(SQLModel, table=True):
    __tablename__ = "bc_question"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=32)
    mechanism: str = Field(max_length=16)
    status: str = Field(default="open", max_length=16)  # open | resolved | cancelled
    subsidy: int = Field(sa_column=Column(BigInteger, nullable=False))
    closes_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    created_by: int = Field(foreign_key="bc_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())
    initial_prices: str = Field(sa_column=Column(Text, nullable=False))  # JSON list
    criteria: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # markdown, rendered safely
    initial_state: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # engine JSON at opening


class Outcome(SQLModel, table=True):
    __tablename__ = "bc_outcome"
    __table_args__ = (UniqueConstraint("question_id", "idx"),)
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="bc_question.id", index=True)
    idx: int
    name: str = Field(max_length=120)


class MarketState(SQLModel, table=True):
    """The engine's market value as JSON: the row locked while an order is placed."""

    __tablename__ = "bc_market_state"
    question_id: int = Field(foreign_key="bc_question.id", primary_key=True)
    state: str = Field(sa_column=Column(Text, nullable=False))
    version: int = 0
    prices: str = Field(sa_column=Column(Text, nullable=False))  # JSON list, for fast reads
    trades: int = 0
    volume: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Order(SQLModel, table=True):
    __tablename__ = "bc_order"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="bc_question.id", index=True)
    user_id: int = Field(foreign_key="bc_user.id", index=True)
    outcome_idx: int
    side: str = Field(max_length=4)
    amount: int | None = Field(default=None, sa_column=Column(BigInteger))
    shares_in: int | None = Field(default=None, sa_column=Column(BigInteger))
    limit_price: float | None = None
    is_resting: bool = False
    engine_order_id: int | None = None  # the engine's id of a resting order in its market
    status: str = Field(default="filled", max_length=16)  # filled | resting | done | cancelled
    idempotency_key: str | None = Field(default=None, max_length=128)
    request_hash: str | None = Field(default=None, max_length=64)  # binds the key to its request (see idempotency)
    result: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON reply
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Trade(SQLModel, table=True):
    __tablename__ = "bc_trade"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="bc_order.id", index=True)
    question_id: int = Field(foreign_key="bc_question.id", index=True)
    user_id: int = Field(foreign_key="bc_user.id")
    outcome_idx: int
    side: str = Field(max_length=4)
    shares: int = Field(sa_column=Column(BigInteger, nullable=False))
    cost: int = Field(sa_column=Column(BigInteger, nullable=False))  # money paid (+) or received (-)
    prices_after: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Account(SQLModel, table=True):
    __tablename__ = "bc_account"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=64)
    asset: str = Field(max_length=32)  # "cash" or "q{qid}:o{i}"
    user_id: int | None = Field(default=None, index=True)
    question_id: int | None = Field(default=None, index=True)
    balance: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class LedgerTxn(SQLModel, table=True):
    __tablename__ = "bc_ledger_txn"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)  # grant | subsidy | trade | fill | escrow | release | payout | refund
    question_id: int | None = Field(default=None, index=True)
    order_id: int | None = Field(default=None, index=True)
    memo: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "bc_ledger_entry"
    __table_args__ = (Index("ix_bc_ledger_entry_account", "account_id"),)
    id: int | None = Field(default=None, primary_key=True)
    txn_id: int = Field(foreign_key="bc_ledger_txn.id", index=True)
    account_id: int = Field(foreign_key="bc_account.id")
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))


class Resolution(SQLModel, table=True):
    __tablename__ = "bc_resolution"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="bc_question.id", unique=True)
    kind: str = Field(max_length=16)  # outcome | probability | cancel
    outcome_idx: int | None = None
    probability: float | None = None  # P(YES) of a binary question
    probabilities: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON, one per outcome
    resolved_by: int = Field(foreign_key="bc_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class Player(SQLModel, table=True):
    """A trader's name key (NFKC, case-folded: unique) and whether the host removed them."""

    __tablename__ = "bc_player"
    user_id: int = Field(foreign_key="bc_user.id", primary_key=True)
    name_key: str = Field(unique=True, max_length=256)
    removed_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))


class Comment(SQLModel, table=True):
    """A comment on a question: plain text, shown as text."""

    __tablename__ = "bc_comment"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="bc_question.id", index=True)
    user_id: int = Field(foreign_key="bc_user.id", index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time())


class QuestionLink(SQLModel, table=True):
    """What ties a question to the benchmark data, so the data can resolve it (`db/linked.py`).

    ``kind`` is ``threshold`` (benchmark, threshold, by, series, settings) or ``leader``
    (leader_by, metric, at). ``model_forecast`` is the model's probabilities, one per outcome,
    when the question opened; ``evidence`` the result rows that settled it (JSON).
    """

    __tablename__ = "bc_question_link"
    question_id: int = Field(foreign_key="bc_question.id", primary_key=True)
    kind: str = Field(max_length=16)
    benchmark: str | None = Field(default=None, max_length=200)
    threshold: float | None = None
    by_date: str | None = Field(default=None, max_length=10)
    series: str = Field(default="independent", max_length=16)
    settings: str = Field(default="single_attempt", max_length=16)
    leader_by: str | None = Field(default=None, max_length=16)
    metric: str | None = Field(default=None, max_length=200)
    at_date: str | None = Field(default=None, max_length=10)
    grace_days: int = 30
    is_auto: bool = True
    model_forecast: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON list
    model_basis: str = Field(default="", max_length=200)
    decided: str | None = Field(default=None, max_length=120)  # the outcome the data gave
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    evidence: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON


class ForecastRun(SQLModel, table=True):
    """One saved `benchcast forecast`: the command's inputs and its JSON result (`db/forecasts.py`)."""

    __tablename__ = "forecast_run"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC), index=True)
    benchmark: str = Field(index=True)
    as_of: str
    seed: int
    draws: int
    data_file: str | None = None
    result_json: str
