"""End-to-end flows through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from lifeline.triage.model import default_model

FIRE = "着火了！幸福小区3栋2单元楼道里全是烟，有人被困在五楼"
CAR = "我车被一辆白色轿车堵住了，车牌粤B·7K2M9，在万达广场地下车库，麻烦联系车主挪一下"


def move(api, user, incident_id, to, **fields):
    return api.post(user, f"/incidents/{incident_id}/transitions", {"to": to, **fields})


def test_police_flow_from_intake_to_close_sets_every_timestamp(api):
    got = api.report("有人拿刀在人民路菜市场门口追着砍人，已经有人倒地了", caller_number="13800138000")
    incident = got["incident"]
    assert got["triage"]["disposition"] in ("police", "joint")
    assert incident["state"] == "triaged" and incident["caller_number"] == "138****8000"
    # The incident records which model suggested it, so a decision can be traced to the model that made it.
    assert incident["suggestion"]["model"] == default_model().meta["version"]
    iid = incident["id"]

    confirmed = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["override_reason"] is None

    assert move(api, "dispatcher", iid, "dispatched", org="PS1").status_code == 200
    assert move(api, "field_officer", iid, "en_route").status_code == 200
    assert move(api, "field_officer", iid, "on_scene").status_code == 200
    assert move(api, "field_officer", iid, "resolved").status_code == 200
    closed = move(api, "dispatcher", iid, "closed")
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["state"] == "closed" and body["allowed_moves"] == ["reopened"]
    stamps = ["received_at", "triaged_at", "confirmed_at", "dispatched_at", "en_route_at", "on_scene_at"]
    stamps += ["resolved_at", "closed_at"]
    times = [body[s] for s in stamps]
    assert None not in times and times == sorted(times)

    kinds = [e["kind"] for e in api.get("supervisor", f"/incidents/{iid}/events").json()["items"]]
    assert kinds == [
        "report.received",
        "incident.triaged",
        "incident.confirmed",
        "incident.dispatched",
        "incident.en_route",
        "incident.on_scene",
        "incident.resolved",
        "incident.closed",
    ]


def test_divert_flow_stops_at_the_work_order_seam(api):
    got = api.report(CAR)
    iid = got["incident"]["id"]
    assert got["triage"]["disposition"] == "divert"
    # Confirming a diverted matter hands it over: a work order to 12345, the incident transferred.
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert decided.status_code == 200, decided.text
    moved = decided.json()
    assert moved["state"] == "transferred"
    assert moved["assignments"][0]["kind"] == "transfer"
    (order_id,) = moved["follow_up"]["orders"]
    order = api.get("call_taker", f"/orders/{order_id}").json()
    assert order["incident_id"] == iid and order["orgs"][0]["org"] == "C12345"
    refused = move(api, "dispatcher", iid, "dispatched", org="PS1")
    assert refused.status_code == 409
    assert refused.json()["allowed"] == ["resolved", "cancelled", "taken_back"]


def test_overriding_the_suggestion_needs_a_reason_and_keeps_both(api):
    iid = api.report(FIRE)["incident"]["id"]
    without = api.post("call_taker", f"/incidents/{iid}/confirm", {"disposition": "divert"})
    assert without.status_code == 422
    assert "理由" in without.json()["detail"]
    ok = api.post(
        "call_taker",
        f"/incidents/{iid}/confirm",
        {"disposition": "police", "reason": "回拨核实：119 已到场，需维持秩序"},
    )
    body = ok.json()
    assert body["disposition"] == "police" and body["suggestion"]["disposition"] == "joint"
    assert body["override_reason"].startswith("回拨核实")


def test_illegal_transition_is_409_naming_the_allowed_moves(api):
    iid = api.report(FIRE)["incident"]["id"]
    answer = move(api, "dispatcher", iid, "on_scene")
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["allowed"] == ["confirmed", "cancelled"]
    assert "confirmed" in answer.json()["detail"]


def test_cancel_and_reopen_need_a_reason(api):
    iid = api.report(CAR)["incident"]["id"]
    assert move(api, "call_taker", iid, "cancelled").status_code == 422
    cancelled = move(api, "call_taker", iid, "cancelled", reason="报警人来电称车主已挪车")
    assert cancelled.json()["cancel_reason"] == "报警人来电称车主已挪车"
    assert move(api, "supervisor", iid, "reopened", reason="x").status_code == 409


def test_reopen_returns_a_closed_incident_to_confirmed(api):
    iid = api.report("能帮我充一下话费吗，就一百块")["incident"]["id"]
    decided = api.post(
        "call_taker",
        f"/incidents/{iid}/confirm",
        {
            "disposition": "invalid",
            "category": "private_request",
            "destinations": [],
            "priority": 4,
            "reason": "充话费",
        },
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "closed"  # an invalid call is closed by the decision itself
    reopened = move(api, "supervisor", iid, "reopened", reason="回访发现报警人实为被诈骗")
    assert reopened.status_code == 200 and reopened.json()["state"] == "confirmed"


def test_idempotency_key_returns_the_first_answer_and_creates_nothing(api):
    headers = {"Idempotency-Key": "call-7f3a"}
    first = api.post("call_taker", "/reports", {"text": FIRE}, headers=headers)
    second = api.post("call_taker", "/reports", {"text": FIRE}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(api.get("supervisor", "/incidents").json()["items"]) == 1
    other = api.post("call_taker", "/reports", {"text": CAR}, headers=headers)
    assert other.status_code == 422


def test_duplicates_are_offered_then_merged_and_unmerged_keeping_every_report(api):
    first = api.report("幸福小区3栋着火了，楼道里好多烟", caller_number="13911110001")
    second = api.report("幸福小区3栋起火了，浓烟从窗户冒出来", caller_number="13911110002")
    a, b = first["incident"]["id"], second["incident"]["id"]
    offered = [d["incident_id"] for d in second["duplicates"]]
    assert offered == [a]

    merged = api.post("call_taker", f"/incidents/{a}/merge", {"source": b})
    assert merged.status_code == 200, merged.text
    assert len(merged.json()["reports"]) == 2
    source = api.get("call_taker", f"/incidents/{b}").json()
    assert source["state"] == "merged" and source["merged_into_id"] == a and source["reports"] == []

    assert api.post("call_taker", f"/incidents/{a}/merge", {"source": b}).status_code == 409
    restored = api.post("call_taker", f"/incidents/{a}/unmerge", {"source": b})
    assert restored.status_code == 200, restored.text
    assert restored.json()["state"] == "triaged" and len(restored.json()["reports"]) == 1
    assert len(api.get("call_taker", f"/incidents/{a}").json()["reports"]) == 1


def test_unrelated_calls_are_not_offered_as_duplicates(api):
    api.report("幸福小区3栋着火了，楼道里好多烟")
    other = api.report("我在火车站把钱包丢了，里面有身份证")
    assert other["duplicates"] == []


def test_listing_filters_and_pages_with_a_cursor(api):
    for n in range(5):
        api.report(f"车被堵了，麻烦挪车，车牌粤A·1000{n}")
    api.report(FIRE)
    page = api.get("dispatcher", "/incidents", params={"limit": 2, "disposition": "divert"}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    seen = [i["id"] for i in page["items"]]
    while page["next_cursor"]:
        page = api.get(
            "dispatcher", "/incidents", params={"limit": 2, "disposition": "divert", "cursor": page["next_cursor"]}
        ).json()
        seen += [i["id"] for i in page["items"]]
    assert len(seen) == len(set(seen)) == 5 and seen == sorted(seen, reverse=True)
    assert api.get("dispatcher", "/incidents", params={"cursor": "!!"}).status_code == 422


def test_notes_are_events(api):
    iid = api.report(FIRE)["incident"]["id"]
    assert api.post("dispatcher", f"/incidents/{iid}/notes", {"text": "119 已出动两车"}).status_code == 201
    events = api.get("dispatcher", f"/incidents/{iid}/events").json()["items"]
    assert events[-1]["kind"] == "incident.note" and events[-1]["payload"]["text"] == "119 已出动两车"
