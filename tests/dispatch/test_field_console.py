"""我的警单 and the dispatcher board through HTTP: the officer's keys in order, his unit only, the board's queues
(waiting for acceptance, in hand, fed back) and the map's data."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import PASSWORD

from lifeline.auth.models import Organisation
from lifeline.demo import city
from lifeline.web.board import station

KNIFE = "有人拿刀在菜市场门口追着砍人，已经有人受伤了"


def login(api, username):
    client = api.client
    client.cookies.clear()
    answer = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    return client, {"X-CSRF-Token": csrf, "HX-Request": "true"}, answer.headers["location"]


def _sent(api):
    unit = api.post("admin", "/units", {"code": "PS1-01", "name": "城关巡逻一组", "org": "PS1", "lat": 23.13,
                                        "lon": 113.26}).json()  # fmt: skip
    assert api.post("supervisor", f"/units/{unit['id']}/crew", {"officers": ["field_officer"]}).status_code == 200
    iid = api.report(KNIFE, caller_number="13800138000", lat=23.1291, lon=113.2644)["incident"]["id"]
    api.post("call_taker", f"/incidents/{iid}/confirm", {"disposition": "police", "reason": "先控制现场"})
    assert api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": unit["id"]}).status_code == 200
    return unit, iid


def _next(card: str) -> str:
    return re.search(r'data-next="([^"]*)"', card).group(1)


def test_the_officer_walks_his_order_key_by_key(api):
    _, iid = _sent(api)
    client, headers, home = login(api, "field_officer")
    assert home == "/console/field"
    card = client.get("/console/field/order").text
    assert f"#{iid}" in card and "138****8000" in card and "13800138000" not in card
    assert "菜市场" in card and _next(card) == "accepted" and 'data-lat="23.1291"' in card
    early = client.post("/console/field/step", data={"to": "on_scene"}, headers=headers)
    assert "late" in early.text  # out of order: refused, nothing moves
    for step, word in (("accepted", "接单"), ("en_route", "出发"), ("on_scene", "到场")):
        moved = client.post("/console/field/step", data={"to": step}, headers=headers)
        assert word in moved.text and moved.headers["HX-Trigger"] == "field-moved", moved.text
        assert re.search(r"\d\d:\d\d:\d\d", moved.text)
    card = client.get("/console/field/order").text
    assert _next(card) == "feedback" and len(re.findall(r"<time[^>]*>\d\d:\d\d:\d\d</time>", card)) == 3
    number = client.post("/console/field/reveal", headers=headers)
    assert "13800138000" in number.text
    refused = client.post("/console/field/feedback", data={"result": " ", "outcome": "handled"}, headers=headers)
    assert "不能为空" in refused.text
    done = client.post(
        "/console/field/feedback", data={"result": "已将双方带回所里", "outcome": "handled"}, headers=headers
    )
    assert f"#{iid}" in done.text and "field-fed-back" in done.headers["HX-Trigger"]
    assert 'id="no-order"' in client.get("/console/field/order").text
    assert api.get("dispatcher", f"/incidents/{iid}").json()["state"] == "resolved"
    reads = [e["kind"] for e in api.get("supervisor", f"/incidents/{iid}/events").json()["items"]]
    assert "caller.number_read" in reads  # the reveal went through the audited flow


def test_an_officer_without_a_unit_or_a_token_gets_nothing_done(api):
    client, headers, _ = login(api, "officer_ps2")
    assert "车组" in client.get("/console/field/order").text
    assert "车组" in client.post("/console/field/step", data={"to": "accepted"}, headers=headers).text
    assert "车组" in client.post("/console/field/reveal", headers=headers).text
    assert "重新登录" in client.post("/console/field/step", data={"to": "accepted"}).text  # no CSRF token
    assert "未知操作" in client.post("/console/field/step", data={"to": "available"}, headers=headers).text
    client, _, _ = login(api, "dispatcher")
    assert client.get("/console/field", follow_redirects=False).status_code == 303  # not his page


def test_the_board_shows_waiting_for_acceptance_then_fed_back_and_closes(api):
    unit, iid = _sent(api)
    client, headers, _ = login(api, "dispatcher")
    follow = client.get("/console/dispatch/follow").text
    assert re.search(rf'data-incident="{iid}" data-stage="waiting"', follow)
    units = client.get("/console/dispatch/units").text
    assert 'data-unit="PS1-01" data-status="dispatched"' in units and 'data-limit="60"' in units
    api.post("field_officer", f"/units/{unit['id']}/status", {"status": "accepted"})
    assert re.search(rf'data-incident="{iid}" data-stage="working"', client.get("/console/dispatch/follow").text)
    assert "late" in client.post(f"/console/dispatch/{iid}/close", headers=headers).text  # in hand: not yet
    api.post("field_officer", f"/units/{unit['id']}/status", {"status": "on_scene"})
    api.post("field_officer", f"/units/{unit['id']}/feedback", {"result": "<b>已调解</b>", "outcome": "mediated"})
    follow = client.get("/console/dispatch/follow").text
    assert re.search(rf'data-incident="{iid}" data-stage="fed_back"', follow)
    assert "&lt;b&gt;已调解&lt;/b&gt;" in follow and "现场调解" in follow
    closed = client.post(f"/console/dispatch/{iid}/close", headers=headers)
    assert "已结案" in closed.text
    assert api.get("dispatcher", f"/incidents/{iid}").json()["state"] == "closed"
    again = client.post(f"/console/dispatch/{iid}/close", headers=headers)
    assert "late" in again.text  # closed already: refused in the toast, never a 500


def test_pending_rows_carry_words_facts_and_duplicates(api):
    first = api.report(KNIFE, lat=23.1291, lon=113.2644)["incident"]["id"]
    second = api.report(KNIFE, lat=23.1292, lon=113.2645)["incident"]["id"]
    for iid in (first, second):
        api.post("call_taker", f"/incidents/{iid}/confirm", {"disposition": "police", "reason": "先控制现场"})
    client, _, _ = login(api, "dispatcher")
    pending = client.get("/console/dispatch/pending").text
    assert f'href="/console/incidents/{first}"' in pending and KNIFE.split("，")[0] in pending
    assert "凶器" in pending and 'data-limit="60"' in pending
    assert "可能重复" in pending and f'href="/console/incidents/{second}">#{second}' in pending


def test_the_map_data_has_stations_units_incidents_and_a_legend(api):
    _, iid = _sent(api)
    client, _, _ = login(api, "dispatcher")
    data = client.get("/console/map.json?lang=en").json()
    assert [u["code"] for u in data["units"]] == ["PS1-01"] and data["units"][0]["incident"] == iid
    assert data["incidents"][0]["id"] == iid and data["incidents"][0]["priority"] == 1
    assert {s["code"] for s in data["stations"]} == {"PS1", "PS2"}
    assert data["legend"]["units"]["accepted"] == "Accepted" and data["legend"]["station"] == "Police station"
    assert client.get("/console/map").status_code == 200
    client, _, _ = login(api, "field_officer")
    assert {s["code"] for s in client.get("/console/map.json").json()["stations"]} == {"PS1"}  # his subtree
    client, _, _ = login(api, "agency_handler")
    assert client.get("/console/map.json").status_code == 403


class _Words(HTMLParser):
    """The text a reader sees outside translate="no" elements (what people wrote)."""

    def __init__(self):
        super().__init__()
        self.depth, self.stack, self.seen = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        data = ("translate", "no") in attrs or tag in ("script", "style")
        self.stack.append(data)
        self.depth += data

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.depth -= self.stack.pop()

    def handle_data(self, data):
        if not self.depth:
            self.seen.append(data)


VOID = {"input", "br", "img", "meta", "link", "hr"}


def _chinese_left(html: str) -> list[str]:
    """Chinese left in English mode in this part's content (the page's <main>, or a partial); the shared header
    is another part's."""
    words = _Words()
    words.feed(html.split("<main>", 1)[-1].split("</main>", 1)[0])
    return [w.strip() for w in words.seen if re.search(r"[\u4e00-\u9fff]", w)]


def test_english_mode_leaves_no_chinese_outside_what_people_wrote(api):
    unit, iid = _sent(api)
    client, _, _ = login(api, "field_officer")
    client.cookies.set("lang", "en")
    for path in ("/console/field", "/console/field/order"):
        assert _chinese_left(client.get(path).text) == [], path
    api.post("field_officer", f"/units/{unit['id']}/status", {"status": "on_scene"})
    api.post("field_officer", f"/units/{unit['id']}/feedback", {"result": "已调解", "outcome": "mediated"})
    client, _, _ = login(api, "dispatcher")
    client.cookies.set("lang", "en")
    pages = ("/console/dispatch", "/console/dispatch/pending", "/console/dispatch/follow", "/console/dispatch/units")
    pages += ("/console/map",)
    for path in (*pages, f"/console/dispatch/{iid}/units"):
        assert _chinese_left(client.get(path).text) == [], path


def test_the_dispatcher_records_a_crew_step_heard_on_the_radio(api):
    _, iid = _sent(api)
    client, headers, _ = login(api, "dispatcher")
    units = client.get("/console/dispatch/units").text
    unit_id = re.search(r"/console/dispatch/units/(\d+)/step", units).group(1)
    assert '"to": "accepted"' in units
    said = client.post(f"/console/dispatch/units/{unit_id}/step", data={"to": "accepted"}, headers=headers)
    assert "接单" in said.text and "电台" in said.text
    assert api.get("dispatcher", f"/incidents/{iid}").json()["accepted_at"] is not None
    assert '"to": "en_route"' in client.get("/console/dispatch/units").text
    refused = client.post(f"/console/dispatch/units/{unit_id}/step", data={"to": "available"}, headers=headers)
    assert "未知操作" in refused.text


def test_a_station_on_the_map_takes_the_district_its_jurisdiction_names():
    layers = city.layers()
    west = Organisation(code="PS_XS", name="西山派出所", jurisdiction="西山区 西山街道 枫林大道")
    placed = station(west, [], layers)
    assert placed["area"]["properties"]["name"] == "西山区" and 23.06 < placed["lat"] < 23.18
    nowhere = station(Organisation(code="PS9", name="无名所", jurisdiction="某街道"), [], layers)
    assert nowhere["area"] is None and "lat" not in nowhere


def test_the_dispatcher_records_a_result_read_out_on_the_radio(api):
    unit, iid = _sent(api)
    client, headers, _ = login(api, "dispatcher")
    assert "data-radio-feedback" not in client.get("/console/dispatch/follow").text  # not accepted yet
    early = client.post("/console/dispatch/feedback", data={"unit": unit["id"], "result": "x", "outcome": "handled"},
                        headers=headers)  # fmt: skip
    assert "late" in early.text and "须先接单" in early.text
    api.post("field_officer", f"/units/{unit['id']}/status", {"status": "on_scene"})
    assert f'data-radio-feedback="{unit["id"]}"' in client.get("/console/dispatch/follow").text
    said = {"unit": unit["id"], "result": "电台：已调解", "outcome": "mediated"}
    done = client.post("/console/dispatch/feedback", data=said, headers=headers)
    assert "电台" in done.text and done.headers["HX-Trigger"] == "radio-fed-back"
    assert api.get("dispatcher", f"/incidents/{iid}").json()["outcome"] == "mediated"
    bad = client.post(
        "/console/dispatch/feedback", data={"unit": "x", "result": "r", "outcome": "handled"}, headers=headers
    )
    assert bad.status_code == 422
