"""Saved forecast runs: every `benchcast forecast` is recorded, so a forecast made last month
can be compared with what happened and with today's. The table is `models.ForecastRun`."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from benchcast.db.engine import create_all
from benchcast.db.models import ForecastRun


def save_forecast_run(*, engine: Engine, benchmark: str, as_of: str, seed: int, draws: int,
                      data_file: str | None, result: dict[str, Any]) -> ForecastRun:
    """Record a forecast; creates the tables on first use."""
    create_all(engine)
    run = ForecastRun(benchmark=benchmark, as_of=as_of, seed=seed, draws=draws, data_file=data_file,
                      result_json=json.dumps(result))
    with engine.begin() as conn:
        run.id = conn.execute(insert(ForecastRun).values(run.model_dump(exclude={"id"})).returning(ForecastRun.id)).scalar_one()
    return run


def list_forecast_runs(*, engine: Engine, benchmark: str | None = None, limit: int = 20) -> list[ForecastRun]:
    """The latest saved forecasts, newest first."""
    create_all(engine)
    query = select(ForecastRun).order_by(ForecastRun.id.desc()).limit(limit)
    if benchmark:
        query = query.where(ForecastRun.benchmark == benchmark)
    with engine.connect() as conn:
        return [ForecastRun.model_validate(dict(row._mapping)) for row in conn.execute(query)]
