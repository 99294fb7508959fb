"""A database made before the session work (no `bc_question.description`, no
`bc_order.request_hash`) gets the new columns when the server opens it, and keeps its data."""

from __future__ import annotations

from sqlalchemy import MetaData, Table, insert, inspect, select

from benchcast.db.models import Question, User, utcnow

#: Columns the tables of commit 98ba490 (before the session and hardening work) did not have.
NEW_COLUMNS = {("bc_question", "description"), ("bc_order", "request_hash")}
HOST_TOKEN = "host-token-for-tests-0123456789"


def old_shape_database(url: str) -> None:
    """Make today's tables without the columns added since, and one question row in them (a
    bare row: without a market it is not listed, but its new column must be filled)."""
    from sqlmodel import SQLModel

    from benchcast.db.engine import make_engine

    import benchcast.db.models  # noqa: F401  (registers the tables)

    old = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        Table(table.name, old, *[c._copy() for c in table.columns if (table.name, c.name) not in NEW_COLUMNS])
    engine = make_engine(url)
    old.create_all(engine)
    with engine.begin() as conn:
        uid = conn.execute(insert(old.tables["bc_user"]).values(name="host", token_hash="x" * 64, is_host=True,
                                                                   created_at=utcnow())).inserted_primary_key[0]
        conn.execute(insert(old.tables["bc_question"]).values(
            title="An old question", kind="binary", mechanism="lmsr", status="open", subsidy=100_000_000, created_by=uid,
            created_at=utcnow(), initial_prices="[0.5, 0.5]", criteria="", initial_state=""))
    names = {(t, c["name"]) for t in ("bc_question", "bc_order") for c in inspect(engine).get_columns(t)}
    assert not names & NEW_COLUMNS
    engine.dispose()


def test_the_server_opens_a_database_from_before_the_new_columns(db_url):
    from fastapi.testclient import TestClient

    from benchcast.cli.serve import open_database
    from benchcast.server import Settings, create_app

    old_shape_database(db_url)
    engine = open_database(db_url, HOST_TOKEN)  # what `benchcast serve` does first
    try:
        names = {(t, c["name"]) for t in ("bc_question", "bc_order") for c in inspect(engine).get_columns(t)}
        assert NEW_COLUMNS <= names
        with engine.connect() as conn:
            assert conn.execute(select(Question.title, Question.description)).all() == [("An old question", "")]
            assert conn.execute(select(User.name).where(User.is_host)).scalar_one() == "host"
        with TestClient(create_app(engine, Settings(host_token=HOST_TOKEN))) as c:
            host = {"Authorization": f"Bearer {HOST_TOKEN}"}
            made = c.post("/api/questions", json={"title": "A new one", "description": "*why*"}, headers=host)
            assert made.status_code == 201, made.text
            assert [(q["title"], q["description"]) for q in c.get("/api/questions").json()] == [("A new one", "*why*")]
            ann = c.post("/api/join", json={"name": "ann"}).json()
            order = {"outcome": "YES", "side": "buy", "amount": 5, "idempotency_key": "old-db"}
            first = c.post(f"/api/questions/{made.json()['id']}/orders", json=order,
                           headers={"Authorization": f"Bearer {ann['token']}"})
            again = c.post(f"/api/questions/{made.json()['id']}/orders", json=order,
                           headers={"Authorization": f"Bearer {ann['token']}"})
            assert (first.status_code, again.json()["replayed"], again.json()["order_id"]) == (200, True, first.json()["order_id"])
    finally:
        engine.dispose()
