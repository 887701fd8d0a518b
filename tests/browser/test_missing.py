"""The missing-person board and a case's page in Chromium (tests/browser/missing.mjs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from tests.browser.conftest import run_node
from tests.browser.test_command import call
from tests.browser.test_roads import get

from lifeline.missing.models import MissingCase
from lifeline.store.engine import make_engine, session_factory, transaction


def test_a_missing_child_is_opened_from_the_incident_shown_on_the_board_and_closed_after_the_check(browser, server):
    child = call(server, "call_taker", "/reports", {"text": "孩子不见了，五岁男孩，穿红衣服，在解放路88号门口走丢的"})
    assert child["incident"]["category"] == "missing_person"
    earlier = call(server, "call_taker", "/missing", {"name": "王大爷", "age": 80, "description": "灰色中山装"})
    overdue = earlier["case"]["id"]
    engine = make_engine(server.db)
    with transaction(session_factory(engine)) as session:  # its review was due an hour ago
        ago = datetime.now(UTC) - timedelta(hours=1)
        session.execute(update(MissingCase).where(MissingCase.id == overdue).values(next_review_at=ago))
    engine.dispose()
    done = run_node(
        "missing.mjs", server, LIFELINE_INCIDENT=str(child["incident"]["id"]), LIFELINE_OVERDUE=str(overdue)
    )
    assert done.returncode == 0, f"missing.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
    cases = get(server, "supervisor", "/missing?closed=true")["items"]
    closed = next(c for c in cases if c["incident_id"] == child["incident"]["id"])
    assert closed["state"] == "closed" and closed["safe_well_at"] and closed["outcome"] == "found"
