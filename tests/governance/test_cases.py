"""Repeat trouble through the API, on SQLite and PostgreSQL: the fourth dispute opens a governance case referred to
the governance centre as a work order; mediation and the police return visit close it; scope and bad input."""

import pytest

NEIGHBOUR = "楼上邻居天天半夜跺地板吵得睡不着，说了好几次也不听，想找人调解一下"
HERE = {"lat": 39.9042, "lon": 116.4074}
WANG = {"name": "楼上 402 住户 王某", "phone": "13911112222"}


def dispute(api, caller="13800000001", where=HERE, parties=(WANG,), confirm=True) -> dict:
    """One neighbour dispute called in, its other party recorded, and (by default) confirmed as the desk would."""
    incident = api.report(NEIGHBOUR, caller_number=caller, **where)["incident"]
    if parties:
        answer = api.post("call_taker", f"/incidents/{incident['id']}/parties", {"parties": list(parties)})
        assert answer.status_code == 201, answer.text
    if confirm:
        answer = api.post("call_taker", f"/incidents/{incident['id']}/confirm",
                          {"disposition": "divert", "category": "dispute_neighbor"})  # fmt: skip
        assert answer.status_code == 200, answer.text
    return incident


def apart(i: int) -> dict:
    """Places far apart (a kilometre or more): only the parties repeat."""
    return {"lat": 39.90 + i * 0.01, "lon": 116.40}


def cases(api, user="call_taker", **params) -> list[dict]:
    answer = api.get(user, "/governance", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_the_fourth_dispute_between_the_same_neighbours_in_a_month_goes_to_the_governance_centre(api):
    for i in range(3):
        dispute(api, where=apart(i))
    assert cases(api) == [], "the third dispute opens no case"
    fourth = dispute(api, where=apart(3))
    [case] = cases(api)
    assert case["state"] == "referred" and case["incident_count"] == 4
    assert case["place"] == "" and len(case["parties"]) == 2
    assert "139****2222" in " ".join(case["parties"]) and "13911112222" not in str(case)
    order = api.get("zz_handler", f"/orders/{case['order']['id']}")
    assert order.status_code == 200, "the governance centre's handler has the referral in its inbox"
    assert "case #" in order.json()["text"]
    detail = api.get("call_taker", f"/governance/{case['id']}").json()
    assert [i["id"] for i in detail["incidents"]][-1] == fourth["id"]
    assert all("*" in i["caller_number"] for i in detail["incidents"])
    # A fifth joins the open case: no second case, no second order.
    dispute(api, where=apart(4))
    [again] = cases(api)
    assert again["id"] == case["id"] and again["incident_count"] == 5 and again["order"]["id"] == case["order"]["id"]


def test_four_disputes_at_one_address_with_different_callers_open_a_case(api):
    for n in range(3):
        dispute(api, caller=f"1380000000{n}", parties=())
    assert cases(api) == []
    dispute(api, caller="13800000009", parties=())
    [case] = cases(api)
    assert case["parties"] == [] and case["lat"] == pytest.approx(HERE["lat"]) and case["incident_count"] == 4


def test_recording_the_other_party_after_the_decision_weighs_the_dispute_again(api):
    for i in range(3):
        dispute(api, where=apart(i))
    late = dispute(api, where=apart(3), parties=(), confirm=False)
    api.post(
        "call_taker", f"/incidents/{late['id']}/confirm", {"disposition": "divert", "category": "dispute_neighbor"}
    )
    assert cases(api) == []
    answer = api.post("call_taker", f"/incidents/{late['id']}/parties", {"parties": [WANG]})
    assert answer.status_code == 201 and answer.json()["case_id"] is not None
    assert answer.json()["parties"] == [{"name": WANG["name"], "phone": "139****2222"}]


def test_mediation_then_the_return_visit_close_the_case_and_a_new_dispute_reopens_it(api):
    for i in range(4):
        dispute(api, where=apart(i))
    [case] = cases(api)
    early = api.post("dispatcher", f"/governance/{case['id']}/return-visit", {"officer": "张警官", "found": "已和好"})
    assert early.status_code == 409, "the return visit follows the mediation"
    mediated = api.post("zz_handler", f"/governance/{case['id']}/mediation",
                        {"outcome": "settled", "note": "双方签订调解协议，晚十点后不再走动"})  # fmt: skip
    assert mediated.status_code == 200, mediated.text
    assert mediated.json()["state"] == "mediated" and mediated.json()["mediation"] == "settled"
    assert [c["id"] for c in cases(api, state="mediated")] == [case["id"]]
    visited = api.post("dispatcher", f"/governance/{case['id']}/return-visit",
                       {"officer": "城关派出所 张警官", "found": "回访双方，未再发生纠纷"})  # fmt: skip
    assert visited.status_code == 200, visited.text
    closed = visited.json()
    assert closed["state"] == "closed" and closed["visit_officer"] == "城关派出所 张警官" and closed["closed_at"]
    again = api.post("dispatcher", f"/governance/{case['id']}/return-visit", {"officer": "x", "found": "y"})
    assert again.status_code == 409
    dispute(api, where=apart(5))
    [reopened] = cases(api)
    assert reopened["id"] == case["id"] and reopened["reopened"] == 1 and reopened["state"] == "referred"
    assert reopened["order"]["id"] != case["order"]["id"], "a reopened case is referred again"


def test_an_agency_of_another_kind_sees_no_case_and_cannot_mediate(api):
    for i in range(4):
        dispute(api, where=apart(i))
    [case] = cases(api)
    assert cases(api, "agency_handler") == [] and cases(api, "urban_handler") == []
    assert api.get("agency_handler", f"/governance/{case['id']}").status_code == 404
    refused = api.post("agency_handler", f"/governance/{case['id']}/mediation", {"outcome": "settled", "note": "x"})
    assert refused.status_code == 404
    assert [c["id"] for c in cases(api, "zz_handler")] == [case["id"]]
    assert (
        api.post("call_taker", f"/governance/{case['id']}/mediation", {"outcome": "settled", "note": "x"}).status_code
        == 403
    )
    assert (
        api.post("zz_handler", f"/governance/{case['id']}/return-visit", {"officer": "x", "found": "y"}).status_code
        == 403
    )


def test_bad_input_is_a_clear_4xx(api):
    for i in range(4):
        dispute(api, where=apart(i))
    [case] = cases(api)
    incident = api.report(NEIGHBOUR, caller_number="13800000001")["incident"]
    bad = [
        ("call_taker", f"/incidents/{incident['id']}/parties", {"parties": [{"name": "", "phone": ""}]}, 422),
        ("call_taker", f"/incidents/{incident['id']}/parties", {"parties": []}, 422),
        ("call_taker", "/incidents/999999/parties", {"parties": [WANG]}, 404),
        ("zz_handler", f"/governance/{case['id']}/mediation", {"outcome": "maybe", "note": "x"}, 422),
        ("zz_handler", f"/governance/{case['id']}/mediation", {"outcome": "settled", "note": ""}, 422),
        ("zz_handler", "/governance/999999/mediation", {"outcome": "settled", "note": "x"}, 404),
        ("dispatcher", f"/governance/{case['id']}/return-visit", {"officer": "x", "found": "y",
                                                                  "visited_at": "2026-01-01T00:00:00"}, 422),
    ]  # fmt: skip
    for user, path, body, status in bad:
        answer = api.post(user, path, body)
        assert answer.status_code == status, f"{path} {body}: {answer.status_code} {answer.text}"
        assert answer.json().get("detail"), "a message a person can act on"
    assert api.get("call_taker", "/governance", params={"state": "nope"}).status_code == 422
    api.post("zz_handler", f"/governance/{case['id']}/mediation", {"outcome": "failed", "note": "一方拒不到场"})
    future = api.post("dispatcher", f"/governance/{case['id']}/return-visit",
                      {"officer": "x", "found": "y", "visited_at": "2999-01-01T00:00:00+08:00"})  # fmt: skip
    assert future.status_code == 422 and "现在" in future.json()["detail"]
