"""The database: sqlmodel tables, engines, repositories and the services that own transactions."""
