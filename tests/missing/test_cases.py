"""A missing-person case carried to its end through the API, on SQLite and PostgreSQL: opened from a call, graded,
reviewed on time, reported at day 3 and day 7, appealed to a partner, found, checked safe and well, and counted."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import update
from tests.conftest import PASSWORD, Api

from lifeline.auth.service import SYSTEM, add_org, add_user, create_token
from lifeline.missing.models import MissingCase
from lifeline.store.engine import transaction

CHILD = "我家孩子不见了，五岁，男孩，穿红色外套，半小时前在解放路88号门口玩，一转眼就没了"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def opened_from_a_call(api: Api) -> dict:
    got = api.report(CHILD, caller_number="13900001111", location_text="解放路88号")
    iid = got["incident"]["id"]
    assert got["incident"]["category"] == "missing_person", got["incident"]
    answer = api.post("call_taker", "/missing", {"incident_id": iid, "name": "小明", "contact": "13900001111"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def backdate(api: Api, case_id: int, hours: float) -> None:
    """As if the family had reported it `hours` ago (the clock of a real search is days long)."""
    ago = datetime.now(UTC) - timedelta(hours=hours)
    with transaction(api.client.app.state.sessions) as session:
        session.execute(update(MissingCase).where(MissingCase.id == case_id).values(reported_at=ago))


def step(api: Api, user: str, case_id: int, what: str, body: dict, status: int = 200) -> dict:
    answer = api.post(user, f"/missing/{case_id}/{what}", body)
    assert answer.status_code == status, answer.text
    return answer.json()


def test_a_missing_child_from_a_call_is_high_risk_reviewed_every_two_hours_and_found_within_a_day(api):
    opened = opened_from_a_call(api)
    case = opened["case"]
    assert case["grade"] == "high" and case["suggested_grade"] == "high"
    assert case["age"] == 5 and "5 岁儿童" in case["grade_reasons"][0][0]
    assert case["last_seen_place"] == "解放路88号" and case["incident_id"]
    due_in = datetime.fromisoformat(case["next_review_at"]) - datetime.now(UTC)
    assert timedelta(hours=1, minutes=55) < due_in <= timedelta(hours=2)
    assert {t["kind"] for t in opened["tasks"]} >= {"search_place", "cctv", "hospitals", "transport", "family", "alert"}
    cid = case["id"]

    # 研判 and 查找: a person confirms the grade, the station searches, a review on time.
    graded = step(api, "dispatcher", cid, "grade", {"grade": "high", "reason": "5 岁儿童独自走失"})
    assert graded["case"]["state"] == "assessed" and graded["case"]["graded_by"] == "dispatcher"
    searching = step(api, "dispatcher", cid, "assign", {"station": "PS1", "searchers": ["张警官", "李警官"]})
    assert searching["case"]["state"] == "searching" and searching["case"]["station"] == "城关派出所"
    reviewed = step(api, "field_officer", cid, "reviews", {"note": "周边 500 米已搜，调取两处监控"})
    assert reviewed["timeline"][-1]["kind"] == "review"
    task = next(t for t in reviewed["tasks"] if t["kind"] == "cctv")
    done = step(api, "field_officer", cid, f"tasks/{task['id']}/done", {"result": "14:05 见其往滨江大道方向"})
    assert next(t for t in done["tasks"] if t["id"] == task["id"])["done_by"] == "field_officer"
    seen = step(api, "field_officer", cid, "sightings",
                {"seen_at": datetime.now(UTC).isoformat(), "place": "滨江大道", "lat": 23.1, "lon": 113.3,
                 "source": "环卫工人", "note": "见一红衣男孩独自行走", "confirmed": True})  # fmt: skip
    assert seen["sightings"][0]["lat"] == 23.1

    # Found within the hour: not closed until someone checks the child is safe and well.
    found = step(api, "field_officer", cid, "outcome", {"outcome": "found", "place": "滨江公园", "note": "长椅上找到"})
    assert found["case"]["state"] == "located" and found["case"]["closed_at"] is None
    step(api, "field_officer", cid, "safe-and-well", {"note": ""}, status=422)
    closed = step(api, "field_officer", cid, "safe-and-well", {"note": "已交还母亲，身体无碍，民警张某当面核查"})
    assert closed["case"]["state"] == "closed" and closed["case"]["safe_well_by"] == "field_officer"
    step(api, "field_officer", cid, "reviews", {"note": "结案后再复核"}, status=409)

    figures = api.get("supervisor", "/missing/figures").json()
    assert figures["reported"] == 1 and figures["found_24h"] == 1 and figures["found_24h_rate"] == 1.0
    assert figures["open_now"] == 0 and 0 <= figures["median_hours_to_find"] < 1


def test_day_three_and_day_seven_reports_open_in_excel_and_print(api):
    cid = opened_from_a_call(api)["case"]["id"]
    assert api.get("dispatcher", f"/missing/{cid}/reports/3").status_code == 409  # not due yet
    backdate(api, cid, hours=24 * 7 + 1)
    step(api, "dispatcher", cid, "reviews", {"note": "第七天复核：继续扩大范围"})
    for day in (3, 7):
        answer = api.get("dispatcher", f"/missing/{cid}/reports/{day}")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == ["概况 Summary", "任务 Tasks", "线索 Sightings", "时间线 Timeline"]
        facts = {row[0].value: row[1].value for row in book["概况 Summary"].iter_rows(min_row=2)}
        assert facts["报告 Report"].startswith(f"第 {day} 天") and facts["风险等级 Risk"] == "高 High"
        assert float(facts["走失时长 Missing for"].split()[0]) > 24 * 7
        assert book["任务 Tasks"].max_row >= 7  # the header and the standard tasks
        page = api.get("dispatcher", f"/missing/{cid}/reports/{day}", params={"format": "html"})
        assert page.status_code == 200 and f"（第 {day} 天）" in page.text and "<script" not in page.text
    assert api.get("dispatcher", f"/missing/{cid}/reports/5").status_code == 422
    # A week on, the alert reaches 500 km for a child, and a day without a find counts against the rate.
    assert api.get("dispatcher", f"/missing/{cid}").json()["case"]["alert_km"] == 500
    figures = api.get("supervisor", "/missing/figures").json()
    assert figures["due"] == 1 and figures["found_24h"] == 0 and figures["found_24h_rate"] == 0.0


def test_an_appeal_reaches_its_partner_and_is_withdrawn_the_moment_the_person_is_found(api):
    with transaction(api.client.app.state.sessions) as session:
        add_org(session, SYSTEM, "NEWS", "示范新闻客户端", "media_partner", "CITY")
        add_user(session, SYSTEM, "news_editor", "agency_handler", "NEWS", PASSWORD)
        api.tokens["news_editor"] = create_token(session, SYSTEM, "news_editor")
    cid = opened_from_a_call(api)["case"]["id"]
    assert api.client.post(f"/api/v1/missing/{cid}/photo", content=b"GIF89a not a photo", headers={
        "Authorization": f"Bearer {api.tokens['dispatcher']}"}).status_code == 422  # fmt: skip
    upload = api.client.post(f"/api/v1/missing/{cid}/photo", content=PNG,
                             headers={"Authorization": f"Bearer {api.tokens['dispatcher']}"})  # fmt: skip
    assert upload.status_code == 200, upload.text
    digest = upload.json()["case"]["photo_sha256"]
    step(api, "dispatcher", cid, "appeals", {"partner": "PS1", "text": "寻人"}, status=422)  # not a partner
    step(api, "dispatcher", cid, "appeals", {"partner": "NEWS", "text": "寻找 5 岁男孩小明，身穿红色外套，"
                                             "如有线索请拨打 110", "with_photo": True})  # fmt: skip
    published = api.get("news_editor", "/missing/appeals").json()["items"]
    assert len(published) == 1 and "小明" in published[0]["text"] and published[0]["photo"].endswith(digest)
    assert "contact" not in published[0]  # the family's number is never given out
    assert api.get("news_editor", f"/missing/photos/{digest}").content == PNG
    assert api.get("news_editor", f"/missing/{cid}").status_code == 403  # the partner reads no case
    assert api.get("agency_handler", "/missing/appeals").json()["items"] == []  # nor another agency the appeal

    step(api, "dispatcher", cid, "outcome", {"outcome": "found", "place": "外婆家", "note": "自行走到外婆家"})
    assert api.get("news_editor", "/missing/appeals").json()["items"] == []
    assert api.get("news_editor", f"/missing/photos/{digest}").status_code == 404


def test_a_case_by_hand_grades_an_old_man_with_dementia_high_and_refuses_bad_input(api):
    body = {"name": "王大爷", "age": 81, "description": "有老年痴呆，穿灰色中山装", "last_seen_place": "人民公园",
            "reported_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat()}  # fmt: skip
    answer = api.post("call_taker", "/missing", body)
    assert answer.status_code == 201, answer.text
    case = answer.json()["case"]
    assert case["grade"] == "high" and any("痴呆" in r[0] for r in case["grade_reasons"])
    assert case["state"] == "reported" and case["graded_by"] is None  # the software suggested; a person decides
    assert api.post("call_taker", "/missing", {}).status_code == 422
    assert api.post("call_taker", "/missing", {**body, "age": 300}).status_code == 422
    assert api.post("call_taker", "/missing", {**body, "reported_at": "2026-01-01T08:00:00"}).status_code == 422
    assert api.post("call_taker", "/missing", {**body, "grade": "extreme"}).status_code == 422
    assert api.post("call_taker", "/missing", {**body, "station": "C12345"}).status_code == 422
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert api.post("call_taker", "/missing", {**body, "reported_at": later}).status_code == 422
    cid = case["id"]
    step(api, "dispatcher", cid, "grade", {"grade": "low", "reason": ""}, status=422)
    step(api, "dispatcher", cid, "outcome", {"outcome": "found_harmed"}, status=422)  # say how
    step(api, "dispatcher", cid, "tasks/999999/done", {"result": "x"}, status=404)
    assert api.get("dispatcher", "/missing/999999").status_code == 404
    # Withdrawn (he came home by himself): closed at once, no safe-and-well check, not counted in the rate.
    step(api, "dispatcher", cid, "outcome", {"outcome": "withdrawn", "note": "已自行回家"})
    assert api.get("dispatcher", f"/missing/{cid}").json()["case"]["state"] == "closed"
    assert api.get("supervisor", "/missing/figures").json()["due"] == 0


def test_a_station_sees_only_the_cases_it_searches_and_a_12345_operator_none(api):
    cid = opened_from_a_call(api)["case"]["id"]
    assert api.get("officer_ps2", f"/missing/{cid}").status_code == 404
    step(api, "dispatcher", cid, "assign", {"station": "PS2"})
    assert api.get("officer_ps2", f"/missing/{cid}").status_code == 200
    assert [c["id"] for c in api.get("officer_ps2", "/missing").json()["items"]] == [cid]
    assert api.get("hotline_operator", "/missing").status_code == 403
    assert api.get("field_officer", "/missing").json()["items"] == []
