"""警情页 and 警情查询 in Chromium (tests/browser/incident.mjs): search, note, merge and split, resolve and close with
every time shown, cancel with a reason, the moves a role or the state machine refuses, English mode."""

from __future__ import annotations

import json

from tests.browser.conftest import run_node


def test_the_incident_page_and_search_in_a_real_browser(browser, server):
    done = run_node("incident.mjs", server, LIFELINE_TOKENS=json.dumps(server.tokens))
    assert done.returncode == 0, f"incident.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout and "p95 key → toast" in done.stdout
