"""Fuzz the whole API from its OpenAPI schema (schemathesis): no input ever gets a 5xx."""

from __future__ import annotations

import re

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402

TOKEN = "host-token-fuzz-test-0123456789"
#: What people must never see in an error: micro-units, ledger keys or trader ids, Python reprs.
INTERNALS = re.compile(r"micro|\buser[: ]?\d|\btrader\b|\b\d+'s\b|<\w+ object|\bNone\b|\{'\w+': |\['[^']*'(, |\])|Traceback")
EXAMPLES = 40  # per operation and mode (valid and invalid inputs)


def _without_echo(detail: str, case) -> str:
    """The detail less what the request itself sent (a name or title quoted back is the
    caller's own text, not an internal; so is the name of an extra field it sent: Hypothesis
    draws field names from string constants in the code, such as "from_micro")."""
    sent = [str(v) for v in (case.path_parameters or {}).values()]
    if isinstance(case.body, dict):
        sent += [str(v) for v in case.body.values() if isinstance(v, str)]
        sent += [str(k) for k in case.body]
    for text in sorted(sent, key=len, reverse=True):
        if text:
            detail = detail.replace(text, "")
    return detail


def _app(url):
    from benchcast.db import questions, trading, users
    from benchcast.db.trading import NewOrder
    from benchcast.units import to_micro
    from benchcast.db.engine import create_all, make_engine
    from benchcast.server import Settings, create_app

    engine = make_engine(url)
    create_all(engine)
    host = users.ensure_host(engine, TOKEN)
    for spec in ({"title": "binary lmsr"}, {"title": "binary cpmm", "mechanism": "cpmm"},
                 {"title": "multiple choice", "kind": "multiple_choice", "outcomes": ("A", "B", "C")}):
        q = questions.create_question(engine, created_by=host.id, question_in=questions.NewQuestion(subsidy=100_000_000, **spec))
        trading.place_order(engine, user_id=host.id, order_in=NewOrder(q.id, q.outcomes[0].name, "buy", amount=to_micro(5.0)))
    trading.place_order(engine, user_id=host.id, order_in=NewOrder(1, "NO", "buy", amount=to_micro(5.0), limit_price=0.3, resting=True))
    return engine, create_app(engine, Settings(rate_per_s=0, join_rate_per_s=0))


def test_no_input_gets_a_server_error(db_url):
    engine, app = _app(db_url)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11

    for operation, mode in [(op, m) for op in operations for m in schemathesis.GenerationMode]:

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r} -> {response.status_code} {response.text[:300]}")
            elif response.status_code >= 400:
                detail = response.json().get("detail")
                if not isinstance(detail, str):
                    failures.append(f"{case.method} {case.formatted_path}: detail {detail!r} is not a string")
                elif INTERNALS.search(_without_echo(detail, case)):
                    failures.append(f"{case.method} {case.formatted_path} {case.body!r}: detail {detail!r} shows internals")

        try:
            check()
        except Unsatisfiable:  # nothing invalid can be generated for an operation without inputs
            assert mode == schemathesis.GenerationMode.NEGATIVE
    engine.dispose()
    assert failures == []
