"""Dispatch on roads in Chromium (tests/browser/roads.mjs): a typed address lands on the map at its point and the
dispatcher sees each unit's ETA in minutes, on the demo city's road network."""

from __future__ import annotations

import json
import urllib.request

from tests.browser.conftest import Server, run_node
from tests.browser.test_command import call

from lifeline.auth.service import SYSTEM
from lifeline.demo import roads
from lifeline.dispatch import service as dispatch
from lifeline.geo import service as geo
from lifeline.store.engine import make_engine, session_factory, transaction


def on_roads(server: Server) -> tuple[float, float]:
    """The demo city's network loaded, a unit near 解放路88号 and one across the city; where 88号 is."""
    truth = roads.address_point("解放路", 88)
    engine = make_engine(server.db)
    with transaction(session_factory(engine)) as session:
        geo.store(session, SYSTEM, roads.demo_network())
        dispatch.add(session, SYSTEM, "RD-NEAR", "解放路巡逻车", "PS2", truth[0] + 0.003, truth[1] + 0.002)
        dispatch.add(session, SYSTEM, "RD-FAR", "港口巡逻车", "PS2", 23.08, 113.37)
    engine.dispose()
    return truth


def test_a_typed_address_is_on_the_map_and_units_come_with_minutes(browser, server):
    truth = on_roads(server)
    unsure = call(server, "call_taker", "/reports", {"text": "有人晕倒在路边", "location_text": "滨江大道"})
    assert unsure["incident"]["location_needs_confirming"]
    unsure_id = str(unsure["incident"]["id"])
    done = run_node("roads.mjs", server, LIFELINE_TRUTH=json.dumps(truth), LIFELINE_UNSURE=unsure_id)
    assert done.returncode == 0, f"roads.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
    pinned = get(server, "call_taker", f"/incidents/{unsure_id}")
    assert pinned["location_source"] == "pin" and not pinned["location_needs_confirming"]


def get(server: Server, user: str, path: str) -> dict:
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}", headers={"Authorization": f"Bearer {server.tokens[user]}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())
