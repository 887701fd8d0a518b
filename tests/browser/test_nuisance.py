"""The nuisance queue in Chromium (tests/browser/nuisance.mjs): a supervisor reviews, warns and flags a number
from the queue; the call console shows the flag at pickup, and the flagged caller's emergency is dispatched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.browser.conftest import run_node
from tests.browser.test_command import call
from tests.browser.test_roads import get

NUMBER = "13912345678"
NUISANCE = {"category": "nuisance", "disposition": "invalid", "destinations": [], "priority": 4, "reason": "谎报骚扰"}


def test_a_supervisor_flags_a_nuisance_caller_and_the_call_console_shows_it(browser, server):
    now = datetime.now(UTC)
    for n, days in enumerate([3, 10, 20, 35, 40, 45, 50, 55, 60, 70, 80, 85]):
        at = (now - timedelta(days=days)).isoformat()
        text = f"我家着火了哈哈骗你的（{n}）"
        report = call(server, "call_taker", "/reports", {"text": text, "caller_number": NUMBER, "received_at": at,
                                                          "external_ref": f"REC-{n}"})  # fmt: skip
        call(server, "call_taker", f"/incidents/{report['incident']['id']}/confirm", NUISANCE)
    done = run_node("nuisance.mjs", server, LIFELINE_NUMBER=NUMBER)
    assert done.returncode == 0, f"nuisance.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
    case = get(server, "supervisor", f"/callers/{NUMBER}/governance")["case"]
    assert [s["step"] for s in case["steps"]] == ["review", "warning", "flag"]
    assert case["flag"]["status"] == "in_force"
    # The flagged caller's knife call was taken as police, top priority, and waits for a unit like any other.
    waiting = get(server, "supervisor", "/incidents?state=confirmed")["items"]
    assert [(i["disposition"], i["priority"]) for i in waiting] == [("police", 1)]
