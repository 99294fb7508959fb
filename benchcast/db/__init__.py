"""The database: sqlmodel tables, engines, repositories and the services that own transactions.

Dependency rule: uses `markets` for every price, cost, fill, resolution and payout, and never
imports `benchcast.server` or the CLI. Modules: `engine` (SQLite/PostgreSQL engines), `models`
(tables), `ledger` (double entry), `tx` (write transactions), `users`, `questions`, `trading`
(orders, quotes, cancels), `resolutions`, `portfolio` (read models), `audit`, `forecasts`
(saved forecast runs).

Data access, one style: every table is a SQLModel class in `models`, and services build SQLAlchemy
Core statements from those classes (``select(Order.id).where(Order.user_id == uid)``) on a
`Connection` inside the transaction they own. Plain SQL on the DBAPI cursor (`raw`) is used only
under a market's lock, where the order path and the ledger run (`trading`, `ledger`, `idempotency`).

Services take typed inputs (`NewQuestion`, `NewLinkedQuestion`, `NewOrder`) and answer with frozen
dataclasses in micro-units with naive UTC times (`QuestionView`, `Portfolio`, `PlacedOrder`, ...);
they never turn micro-units into units for an answer: the HTTP edge
(`benchcast.server.schemas`, `people_schemas`) does that once. `tests/benchcast/test_db_architecture.py`
checks it.
"""
