"""工单台 in Chromium (tests/browser/orders.mjs): a diverted matter signed, returned, re-routed, handled, visited
and closed across two departments and the 12345 desk; a half-typed note survives five live refreshes."""

from __future__ import annotations

import json

from tests.browser.conftest import run_node


def test_an_order_goes_round_the_loop_and_typing_survives_refreshes(browser, server):
    done = run_node("orders.mjs", server, LIFELINE_TOKENS=json.dumps(server.tokens))
    assert done.returncode == 0, f"orders.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout and "p95 key → toast" in done.stdout
