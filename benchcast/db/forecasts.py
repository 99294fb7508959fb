"""Saved forecast runs: every `benchcast forecast` is recorded, so a forecast made last month
can be compared with what happened and with today's."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select


class ForecastRun(SQLModel, table=True):
    """One forecast as it was printed: the command's inputs and its JSON result."""

    __tablename__ = "forecast_run"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc), index=True)
    benchmark: str = Field(index=True)
    as_of: str
    seed: int
    draws: int
    data_file: str | None = None
    result_json: str


def save_forecast_run(*, engine: Engine, benchmark: str, as_of: str, seed: int, draws: int,
                      data_file: str | None, result: dict[str, Any]) -> ForecastRun:
    """Record a forecast; creates the table on first use."""
    SQLModel.metadata.create_all(engine, tables=[ForecastRun.__table__])
    run = ForecastRun(benchmark=benchmark, as_of=as_of, seed=seed, draws=draws, data_file=data_file,
                      result_json=json.dumps(result))
    with Session(engine) as session:
        session.add(run)
        session.commit()
        session.refresh(run)
    return run


def list_forecast_runs(*, engine: Engine, benchmark: str | None = None, limit: int = 20) -> list[ForecastRun]:
    """The latest saved forecasts, newest first."""
    SQLModel.metadata.create_all(engine, tables=[ForecastRun.__table__])
    with Session(engine) as session:
        query = select(ForecastRun).order_by(ForecastRun.id.desc()).limit(limit)
        if benchmark:
            query = query.where(ForecastRun.benchmark == benchmark)
        return list(session.exec(query))
