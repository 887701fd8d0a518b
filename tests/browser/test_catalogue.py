"""The matters catalogue in Chromium (tests/browser/catalogue.mjs): a call-taker typing a car-moving call sees the
catalogue item, its owner and the words to say before pressing the divert key, and the order carries the item."""

from __future__ import annotations

import re

from tests.browser.conftest import run_node
from tests.browser.test_roads import get


def test_the_call_taker_sees_the_item_before_diverting_and_the_order_carries_it(browser, server):
    done = run_node("catalogue.mjs", server)
    assert done.returncode == 0, f"catalogue.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
    incident_id = int(re.search(r"INCIDENT (\d+)", done.stdout).group(1))
    incident = get(server, "call_taker", f"/incidents/{incident_id}")
    assert incident["catalogue_item"] == "car_moving_blocked" and incident["disposition"] == "divert"
    orders = get(server, "call_taker", "/orders")["items"]
    (order,) = [o for o in orders if o["incident_id"] == incident_id]
    assert order["catalogue_item"] == "car_moving_blocked" and order["catalogue_version"] == 1
