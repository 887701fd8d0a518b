"""走失查找 through the console's forms: a case opened by hand and from an incident, its steps and a photo upload,
with the answers a person sees (a toast, or a clear refusal)."""

from __future__ import annotations

from tests.missing.test_cases import CHILD, PNG
from tests.web.test_consoles import login

from lifeline.missing import service
from lifeline.peering.messages import MissingAlert
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction


def test_a_case_is_opened_worked_and_given_a_photo_from_the_console(api):
    client, headers, _ = login(api, "dispatcher")
    opened = client.post("/console/missing", data={"name": "王大爷", "age": "81", "description": "老年痴呆，灰色外套"},
                         headers=headers)  # fmt: skip
    assert opened.status_code == 200 and opened.headers["HX-Redirect"] == "/console/missing/1", opened.text
    page = client.get("/console/missing/1")
    assert "王大爷" in page.text and "痴呆" in page.text and 'id="review-form"' in page.text

    def step(**form) -> str:
        answer = client.post("/console/missing/1/step", data=form, headers=headers)
        assert answer.status_code == 200
        return answer.text

    assert "已更新" in step(what="review", note="公园周边已搜")
    assert "定级须说明理由" in step(what="grade", grade="medium", note="")  # refused, with the reason
    assert "请选择" in step(what="grade", grade="extreme", note="x")
    assert "已更新" in step(what="grade", grade="medium", note="家属称常去公园，天气好")
    assert "不是数字" in step(what="sighting", place="公园", lat="north", lon="113.3")
    assert "已更新" in step(what="sighting", place="人民公园东门", lat="23.1", lon="113.3", confirmed="1")
    assert "未知操作" in step(what="drop_table")

    photo = client.post("/console/missing/1/photo", files={"file": ("p.png", PNG, "image/png")}, headers=headers)
    assert "已上传照片" in photo.text
    fake = client.post("/console/missing/1/photo", files={"file": ("p.png", b"<svg/>", "image/png")}, headers=headers)
    assert "JPEG 或 PNG" in fake.text
    page = client.get("/console/missing/1").text
    assert "/api/v1/missing/photos/" in page and "人民公园东门" in page
    assert "已更新" in step(what="outcome", outcome="found", place="公园长椅", note="在长椅上找到")
    assert 'id="safe-well-form"' in client.get("/console/missing/1").text
    assert "已更新" in step(what="safe_well", note="已交家属，身体无碍")
    board = client.get("/console/missing").text
    assert 'data-case="1"' not in board  # closed: off the board


def test_an_incident_of_a_missing_child_offers_the_case_and_then_links_to_it(api):
    iid = api.report(CHILD, caller_number="13900001111")["incident"]["id"]
    client, headers, _ = login(api, "call_taker")
    page = client.get(f"/console/incidents/{iid}").text
    assert 'id="open-missing"' in page
    opened = client.post(f"/console/incidents/{iid}/missing", headers=headers)
    assert opened.headers["HX-Redirect"].startswith("/console/missing/")
    again = client.post(f"/console/incidents/{iid}/missing", headers=headers)
    assert "已有走失案件" in again.text  # one case per incident
    page = client.get(f"/console/incidents/{iid}").text
    assert 'id="to-missing"' in page and 'id="open-missing"' not in page


def test_another_citys_alert_shows_on_the_board_and_in_the_api_until_withdrawn(api):
    def take(active: bool, km: int) -> None:
        alert = MissingAlert(case=7, active=active, alert_km=km, name="王小明", age=9, description="蓝色校服",
                             last_seen_place="九江市浔阳区", grade="high", reported_at=utcnow(), from_city="九江",
                             from_peer="jiujiang-110")  # fmt: skip
        with transaction(api.client.app.state.sessions) as session:
            service.take_alert(session, "hub", alert)

    take(True, 100)
    take(True, 300)  # widened: the same alert, reaching further
    client, _, _ = login(api, "call_taker")
    board = client.get("/console/missing").text
    assert 'id="regional-alerts"' in board and "王小明" in board and "300 km" in board and "九江 #7" in board
    answer = api.get("dispatcher", "/missing/alerts")
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [(a["from_city"], a["case_ref"], a["alert_km"], a["active"]) for a in items] == [("九江", 7, 300, True)]
    assert api.get("agency_handler", "/missing/alerts").status_code == 403  # a department sees none
    take(False, 300)  # found
    assert 'id="regional-alerts"' not in client.get("/console/missing").text
    assert api.get("dispatcher", "/missing/alerts").json()["items"] == []
    assert len(api.get("dispatcher", "/missing/alerts?withdrawn=true").json()["items"]) == 1
