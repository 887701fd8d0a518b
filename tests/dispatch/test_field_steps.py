"""接单 → 出发 → 到场 → 处置反馈: each step stamps its time, the first acceptance counts, feedback resolves the
incident and frees the unit; an officer reports only the unit he crews, the desk any unit by radio."""

from __future__ import annotations

import time

KNIFE = "有人拿刀在菜市场门口追着砍人"


def _sent(api, code="PS1-01"):
    """A crewed unit of PS1 sent to a confirmed knife call: (unit, incident id)."""
    unit = api.post("admin", "/units", {"code": code, "name": "巡逻车", "org": "PS1"}).json()
    assert api.post("supervisor", f"/units/{unit['id']}/crew", {"officers": ["field_officer"]}).status_code == 200
    iid = api.report(KNIFE)["incident"]["id"]
    api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": unit["id"]}).status_code == 200
    return unit, iid


def _status(api, user, unit, status):
    return api.post(user, f"/units/{unit['id']}/status", {"status": status})


def test_each_step_stamps_its_time_and_feedback_resolves_and_frees_the_unit(api):
    unit, iid = _sent(api)
    assert api.get("dispatcher", f"/incidents/{iid}").json()["accepted_at"] is None
    accepted = _status(api, "field_officer", unit, "accepted")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    incident = api.get("dispatcher", f"/incidents/{iid}").json()
    assert incident["state"] == "dispatched" and incident["accepted_at"] is not None
    assert _status(api, "field_officer", unit, "en_route").status_code == 200
    assert _status(api, "field_officer", unit, "on_scene").status_code == 200
    done = api.post(
        "field_officer", f"/units/{unit['id']}/feedback", {"result": "双方已分开，嫌疑人带回", "outcome": "handled"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "available" and done.json()["incident_id"] is None
    incident = api.get("dispatcher", f"/incidents/{iid}").json()
    assert incident["state"] == "resolved" and incident["result"] == "双方已分开，嫌疑人带回"
    assert incident["outcome"] == "handled"
    stamps = [incident[k] for k in ("dispatched_at", "accepted_at", "en_route_at", "on_scene_at", "resolved_at")]
    assert None not in stamps and stamps == sorted(stamps)
    kinds = [e["kind"] for e in api.get("supervisor", f"/incidents/{iid}/events").json()["items"]]
    assert kinds.count("incident.accepted") == 1 and kinds.index("incident.resolved") < kinds.index("incident.feedback")


def test_the_first_acceptance_counts_and_setting_off_accepts(api):
    unit, iid = _sent(api)
    assert _status(api, "field_officer", unit, "en_route").status_code == 200  # set off without the 接单 key
    first = api.get("dispatcher", f"/incidents/{iid}").json()["accepted_at"]
    assert first is not None
    other = api.post("admin", "/units", {"code": "PS1-09", "name": "第二车", "org": "PS1"}).json()
    assert api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": other["id"]}).status_code == 200
    assert _status(api, "dispatcher", other, "accepted").status_code == 200  # by radio
    assert api.get("dispatcher", f"/incidents/{iid}").json()["accepted_at"] == first


def test_status_since_moves_with_the_status_not_with_a_position(api):
    unit, _ = _sent(api)
    since = api.get("dispatcher", "/units").json()["items"][0]["status_since"]
    time.sleep(0.01)
    moved = api.post(
        "field_officer", f"/units/{unit['id']}/status", {"status": "dispatched", "lat": 23.1, "lon": 113.2}
    )
    assert moved.json()["status_since"] == since and moved.json()["updated_at"] > since
    accepted = _status(api, "field_officer", unit, "accepted").json()
    assert accepted["status_since"] > since


def test_steps_out_of_order_and_bad_feedback_are_refused(api):
    unit, iid = _sent(api)
    early = api.post("field_officer", f"/units/{unit['id']}/feedback", {"result": "x", "outcome": "handled"})
    assert early.status_code == 409 and "须先接单" in early.json()["detail"]
    assert _status(api, "field_officer", unit, "accepted").status_code == 200
    assert _status(api, "field_officer", unit, "accepted").status_code == 409  # nothing left to accept
    for body in (
        {"result": "", "outcome": "handled"},
        {"result": "已处理", "outcome": "gone"},
        {"result": "x"},
        {"result": "x" * 2001, "outcome": "handled"},
        {"result": "  ", "outcome": "handled"},
    ):
        refused = api.post("field_officer", f"/units/{unit['id']}/feedback", body)
        assert refused.status_code == 422, (body, refused.text)
    assert api.get("dispatcher", f"/incidents/{iid}").json()["state"] == "dispatched"
    free = api.post("admin", "/units", {"code": "PS1-10", "name": "空车", "org": "PS1"}).json()
    assert _status(api, "dispatcher", free, "accepted").status_code == 409


def test_an_officer_acts_only_on_his_unit_the_desk_on_any_by_radio(api):
    unit, iid = _sent(api)
    colleague = api.post("admin", "/units", {"code": "PS1-11", "name": "同事车", "org": "PS1"}).json()
    refused = api.post("field_officer", f"/units/{colleague['id']}/feedback", {"result": "x", "outcome": "handled"})
    assert refused.status_code == 403
    assert api.post("officer_ps2", f"/units/{unit['id']}/status", {"status": "accepted"}).status_code == 404
    assert (
        api.post("call_taker", f"/units/{unit['id']}/feedback", {"result": "x", "outcome": "handled"}).status_code
        == 403
    )
    assert _status(api, "dispatcher", unit, "accepted").status_code == 200
    done = api.post(
        "dispatcher", f"/units/{unit['id']}/feedback", {"result": "电台报：现场调解完毕", "outcome": "mediated"}
    )
    assert done.status_code == 200
    assert api.get("dispatcher", f"/incidents/{iid}").json()["outcome"] == "mediated"


def test_a_reopened_incident_sent_again_waits_for_a_new_acceptance(api):
    unit, iid = _sent(api)
    assert _status(api, "field_officer", unit, "on_scene").status_code == 200
    api.post("field_officer", f"/units/{unit['id']}/feedback", {"result": "已处理", "outcome": "handled"})
    first = api.get("dispatcher", f"/incidents/{iid}").json()["accepted_at"]
    reopened = api.post("supervisor", f"/incidents/{iid}/transitions", {"to": "reopened", "reason": "群众再次报警"})
    assert reopened.status_code == 200, reopened.text
    assert api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": unit["id"]}).status_code == 200
    assert _status(api, "field_officer", unit, "accepted").status_code == 200
    again = api.get("dispatcher", f"/incidents/{iid}").json()
    assert again["accepted_at"] > again["dispatched_at"] > first
