"""The database: sqlmodel tables, engines, repositories and the services that own transactions.

Dependency rule: uses `markets` for every price, cost, fill, resolution and payout, and never
imports `benchcast.server` or the CLI. Modules: `engine` (SQLite/PostgreSQL engines), `models`
(tables), `ledger` (double entry), `tx` (write transactions), `users`, `questions`, `trading`
(orders, quotes, cancels), `resolutions`, `portfolio` (read models), `audit`, `forecasts`
(saved forecast runs).
"""
