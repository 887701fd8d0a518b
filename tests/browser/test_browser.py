"""The consoles in Chromium: live triage while typing, one key per decision, the dispatch board, the work-order
inbox, the large mode and the dashboard's live KPIs (tests/browser/flows.mjs, run with node)."""

from __future__ import annotations

from tests.browser.conftest import run_node


def test_the_main_flows_work_in_a_real_browser(browser, server):
    done = run_node("flows.mjs", server)
    assert done.returncode == 0, f"flows.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
