"""指挥大屏 through HTTP: the tiles render, agree with GET /api/v1/kpis, and follow what happens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.web.test_consoles import login

from lifeline.analytics import kpis

KNIFE = "有人拿刀在菜市场门口追着砍人"


def tiles(html: str) -> dict[str, str]:
    """key → the figure as the tile shows it."""
    return dict(re.findall(r'data-kpi="([a-z0-9_]+)"[^>]*>\s*<span[^>]*>[^<]*</span>\s*<b[^>]*>([^<]*)</b>', html))


def titles(html: str) -> dict[str, str]:
    """key → the tile's hover text: its name = its formula."""
    return {k: unescape(v) for k, v in re.findall(r'data-kpi="([a-z0-9_]+)"[^>]*title="([^"]*)"', html)}


def test_the_supervisor_sees_the_tiles_and_they_agree_with_the_api(api):
    api.report(KNIFE, lat=23.1301, lon=113.2601)
    api.report("超市卖过期食品，要求退款不给退", channel="sms")
    client, _, _ = login(api, "supervisor")
    page = client.get("/console/dashboard")
    assert page.status_code == 200
    assert (
        "指挥大屏" in page.text and 'sse-connect="/console/stream"' in page.text and 'hx-trigger="sse:kpi"' in page.text
    )
    assert "/static/vendor/echarts/echarts.min.js" in page.text and 'id="chart-trend"' in page.text
    shown = tiles(page.text)
    assert len(shown) == len(kpis.KPIS + kpis.NOW) and shown["calls"] == "2" and shown["answer_rate"] == "100.0%"
    assert shown["one_minute_dispatch_rate"] == "—"  # received just now: not due yet
    assert shown["p1_waiting"] == "0" and shown["longest_wait"] == "—"  # triaged, not yet confirmed: not waiting
    assert titles(page.text)["answer_rate"] == "接通率 = 有接通时间的实时来电 / 实时来电（语音、视频、报警柱）"
    english = titles(client.get("/console/dashboard/tiles?lang=en").text)
    assert english["answer_rate"] == "Answer rate = answered live calls / live calls (voice, video, alarm post)"
    assert english["p1_waiting"].startswith("P1 waiting = priority-1 police or joint incidents")

    body = api.get("supervisor", "/kpis").json()
    assert {f["key"]: f["shown"] for f in body["figures"] + body["waiting"]} == shown

    partial = client.get("/console/dashboard/tiles")
    assert tiles(partial.text) == shown and 'id="kpi-data"' in partial.text
    heat = client.get("/console/dashboard/heat.json").json()
    assert heat["cells"] == [{"lat": 23.1325, "lon": 113.2625, "count": 1}] and "layers" in heat


def test_the_tiles_follow_a_new_call(api):
    client, _, _ = login(api, "supervisor")
    before = tiles(client.get("/console/dashboard").text)
    api.report(KNIFE)
    after = tiles(client.get("/console/dashboard/tiles").text)
    assert int(after["calls"]) == int(before["calls"]) + 1


def test_large_mode_and_who_may_see_the_dashboard(api):
    client, _, _ = login(api, "dispatcher")
    page = client.get("/console/dashboard?large=1")
    assert page.status_code == 200 and '<body class="large"' in page.text
    client, _, _ = login(api, "call_taker")
    assert client.get("/console/dashboard").url.path == "/console/calls"  # sent to their own page
    assert client.get("/console/dashboard/tiles").status_code == 403
    assert client.get("/console/dashboard/heat.json").status_code == 403
    client.cookies.clear()
    assert client.get("/console/dashboard", follow_redirects=False).headers["location"] == "/login"


def test_each_tile_links_to_the_list_behind_it(api):
    received = datetime.now(UTC) - timedelta(minutes=7)
    iid = api.report(KNIFE, received_at=received.isoformat())["incident"]["id"]
    assert api.post("call_taker", f"/incidents/{iid}/confirm", {}).status_code == 200
    client, _, _ = login(api, "supervisor")
    html = client.get("/console/dashboard").text
    hrefs = {k: unescape(v) for k, v in re.findall(r'data-kpi="([a-z0-9_]+)" href="([^"]*)"', html)}
    assert len(hrefs) == len(kpis.KPIS + kpis.NOW)
    assert hrefs["p1_waiting"] == hrefs["p2_waiting"] == "/console/dispatch"
    assert hrefs["longest_wait"] == f"/console/incidents/{iid}" and tiles(html)["longest_wait"].startswith("7:")
    assert hrefs["orders_overdue"] == "/console/orders?view=inbox&overdue=1&sort=deadline"
    assert hrefs["callbacks_waiting"] == "/console/calls#callbacks"
    search = urlsplit(hrefs["calls"])
    window = parse_qs(search.query)
    assert search.path == "/console/search" and set(window) == {"since", "until"}
    assert datetime.fromisoformat(window["since"][0]).utcoffset() == timedelta(hours=8)  # today, local midnight
    assert parse_qs(urlsplit(hrefs["diversion_rate"]).query)["state"] == ["transferred"]
    assert tiles(html)["one_minute_dispatch_rate"] == "0.0%"  # the waiting P1 is late, not left out
