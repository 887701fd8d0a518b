"""A catalogue change proposed by one centre routes nothing until the other centre approves it; then orders are
routed by the new version and carry it. Bad proposals are clear 4xx answers."""

from __future__ import annotations

import copy

import pytest

from lifeline.auth.service import SYSTEM, add_user, create_token
from lifeline.catalogue import excel, items
from lifeline.store.engine import transaction

CAR = "有辆车挡住我的车了，麻烦帮我挪车，在幸福小区东门"


@pytest.fixture
def centres(api):
    """The `api` client with a supervisor of each centre: `supervisor` (110) and `hotline_supervisor` (12345)."""
    with transaction(api.client.app.state.sessions) as session:
        add_user(session, SYSTEM, "hotline_supervisor", "supervisor", "C12345", "correct-horse-9")
        api.tokens = {**api.tokens, "hotline_supervisor": create_token(session, SYSTEM, "hotline_supervisor")}
    return api


def _moved_to_urban() -> dict:
    """The shipped catalogue with car moving owned by urban management."""
    doc = copy.deepcopy(items.shipped().to_data())
    for item in doc["items"]:
        if item["code"] == "car_moving_blocked":
            item["owner"] = ["urban_management"]
    return doc


def _divert(api, text: str = CAR) -> dict:
    """A diverted call, decided as suggested; its work order."""
    taken = api.report(text, caller_number="13811112222")
    assert taken["incident"]["disposition"] == "divert", taken["triage"]
    decided = api.post("call_taker", f"/incidents/{taken['incident']['id']}/confirm", {})
    assert decided.status_code == 200, decided.text
    (order_id,) = decided.json()["follow_up"]["orders"]
    return api.get("admin", f"/orders/{order_id}").json()


def test_everyone_reads_the_shipped_catalogue_as_version_1(api):
    answer = api.get("agency_handler", "/catalogue")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["version"] == 1 and body["sha256"] == items.shipped().sha256
    car = next(i for i in body["items"] if i["code"] == "car_moving_blocked")
    assert car["owners"][0]["code"] == "12345" and car["rule_zh"] == "一键转办" and car["say"]


def test_the_call_taker_sees_the_item_its_owner_and_the_words_beside_the_category(api):
    taken = api.report(CAR)
    item = taken["item"]
    assert taken["triage"]["category"] == "car_moving"
    assert item["code"] == "car_moving_blocked" and item["matched"] in [item["name"], *item["synonyms"]]
    assert item["owners"][0]["zh"] and item["rule"] == "transfer" and item["limit_zh"] and item["say"]
    assert taken["incident"]["catalogue_item"] == "car_moving_blocked"


def test_a_change_proposed_by_110_routes_nothing_until_12345_approves_it(centres):
    api = centres
    proposed = api.post("supervisor", "/catalogue/proposals", {"document": _moved_to_urban(), "note": "城管负责挪车"})
    assert proposed.status_code == 201, proposed.text
    version = proposed.json()
    assert version["number"] == 2 and version["state"] == "proposed" and version["proposed_side"] == "110"
    assert version["changes"]["changed"] == {"car_moving_blocked": ["owner"]}

    before = _divert(api)
    assert before["orgs"][0]["org"] == "C12345"
    assert before["catalogue_version"] == 1 and before["catalogue_item"] == "car_moving_blocked"

    own = api.post("supervisor", "/catalogue/proposals/2/approve")
    assert own.status_code == 403 and "另一方" in own.json()["detail"]
    assert api.get("call_taker", "/catalogue").json()["version"] == 1

    approved = api.post("hotline_supervisor", "/catalogue/proposals/2/approve", {"note": "同意"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "in_force" and approved.json()["approved_org"] == "C12345"
    now = api.get("call_taker", "/catalogue").json()
    assert now["version"] == 2 and now["sha256"] == version["sha256"]

    after = _divert(api)
    assert after["orgs"][0]["org"] == "URBAN"
    assert after["catalogue_version"] == 2 and after["catalogue_item"] == "car_moving_blocked"

    listed = api.get("call_taker", "/catalogue/versions").json()
    assert [(v["number"], v["state"]) for v in listed["items"]] == [(2, "in_force"), (1, "superseded")]
    assert listed["items"][0]["approved_by"] == "hotline_supervisor"


def test_a_rejected_proposal_never_comes_into_force(centres):
    api = centres
    assert api.post("hotline_supervisor", "/catalogue/proposals", {"document": _moved_to_urban()}).status_code == 201
    no_reason = api.post("supervisor", "/catalogue/proposals/2/reject", {"reason": ""})
    assert no_reason.status_code == 422
    rejected = api.post("supervisor", "/catalogue/proposals/2/reject", {"reason": "挪车仍由 12345 负责"})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert api.post("supervisor", "/catalogue/proposals/2/approve").status_code == 409
    assert api.get("call_taker", "/catalogue").json()["version"] == 1
    assert _divert(api)["orgs"][0]["org"] == "C12345"


def test_only_supervisors_propose_and_the_same_document_twice_is_refused(centres):
    api = centres
    assert api.post("call_taker", "/catalogue/proposals", {"document": _moved_to_urban()}).status_code == 403
    same = api.post("supervisor", "/catalogue/proposals", {"document": items.shipped().to_data()})
    assert same.status_code == 409
    assert api.post("supervisor", "/catalogue/proposals", {"document": _moved_to_urban()}).status_code == 201
    again = api.post("supervisor", "/catalogue/proposals", {"document": _moved_to_urban()})
    assert again.status_code == 409 and "2" in again.json()["detail"]


def test_a_bad_document_is_a_422_naming_the_item_and_the_field(centres):
    doc = _moved_to_urban()
    doc["items"][0]["owner"] = ["nobody"]
    answer = centres.post("supervisor", "/catalogue/proposals", {"document": doc})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    code = doc["items"][0]["code"]
    assert problem["field"] == "owner" and code in problem["where"] and "nobody" in problem["detail"]
    assert centres.post("supervisor", "/catalogue/proposals", {"document": "x"}).status_code == 422
    assert centres.post("supervisor", "/catalogue/proposals/99/approve").status_code == 404


def test_the_workbook_goes_out_and_comes_back_as_a_proposal(centres):
    api = centres
    answer = api.get("agency_handler", "/catalogue.xlsx")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.openxml")
    assert excel.read(answer.content).sha256 == items.shipped().sha256
    unchanged = api.post("supervisor", "/catalogue/import", content=answer.content)
    assert unchanged.status_code == 409
    workbook = excel.export(items.from_data(_moved_to_urban()))
    imported = api.post("hotline_supervisor", "/catalogue/import", content=workbook, params={"note": "表格导入"})
    assert imported.status_code == 201, imported.text
    assert imported.json()["source"] == "xlsx" and imported.json()["proposed_side"] == "12345"
    junk = api.post("supervisor", "/catalogue/import", content=b"not a workbook")
    assert junk.status_code == 422 and "xlsx" in junk.json()["detail"]


def test_the_call_taker_may_pick_another_item_of_the_category_and_the_order_carries_it(api):
    catalogue = api.get("call_taker", "/catalogue").json()["items"]
    other = next(i["code"] for i in catalogue if i["category"] == "car_moving" and i["code"] != "car_moving_blocked")
    elsewhere = next(i["code"] for i in catalogue if i["category"] != "car_moving")
    taken = api.report(CAR)["incident"]
    wrong = api.post("call_taker", f"/incidents/{taken['id']}/confirm", {"item": elsewhere})
    assert wrong.status_code == 422 and elsewhere in wrong.json()["detail"]
    assert api.post("call_taker", f"/incidents/{taken['id']}/confirm", {"item": "No Such"}).status_code == 422
    decided = api.post("call_taker", f"/incidents/{taken['id']}/confirm", {"item": other})
    assert decided.status_code == 200, decided.text
    assert api.get("call_taker", f"/incidents/{taken['id']}").json()["catalogue_item"] == other
    (order_id,) = decided.json()["follow_up"]["orders"]
    assert api.get("admin", f"/orders/{order_id}").json()["catalogue_item"] == other
