"""Two deployments, a 110 process and a 12345 process: a catalogue change proposed at 110 travels as a signed
message, is approved at 12345, and both end holding the same version (the same sha256) and routing by it."""

from __future__ import annotations

import copy

from tests.peering.conftest import bridge, desk110, until  # noqa: F401  (the two-process and in-process fixtures)

from lifeline.catalogue import items

CAR = "有辆车挡住我的车了，麻烦帮我挪车，在幸福小区东门"


def _moved_to_urban() -> dict:
    doc = copy.deepcopy(items.shipped().to_data())
    for item in doc["items"]:
        if item["code"] == "car_moving_blocked":
            item["owner"] = ["urban_management"]
    return doc


def _order_via_12345(desk, hotline, number: str) -> tuple[dict, dict]:
    """A car-moving call at 110 sent to 12345 as a tracked order; (110's copy, 12345's copy once received)."""
    ct = desk.client("call_taker")
    incident = ct.post("/reports", json={"text": CAR, "caller_number": number}).json()["incident"]
    decided = ct.post(f"/incidents/{incident['id']}/confirm", json={"via": "order"})
    assert decided.status_code == 200, decided.text
    (order_id,) = decided.json()["follow_up"]["orders"]
    sent = ct.get(f"/orders/{order_id}").json()
    op = hotline.client("hotline_supervisor")
    there = until(lambda: next((o for o in op.get("/orders").json()["items"] if o["uid"] == sent["uid"]), None))
    assert there, "the order never reached 12345"
    return sent, there


def test_a_change_proposed_at_110_and_approved_at_12345_is_held_by_both(bridge):  # noqa: F811
    desk, hotline = bridge
    proposed = desk.client("supervisor").post("/catalogue/proposals", json={"document": _moved_to_urban()})
    assert proposed.status_code == 201, proposed.text
    sha = proposed.json()["sha256"]
    assert proposed.json()["number"] == 2

    at_12345 = hotline.client("hotline_supervisor")
    arrived = until(lambda: [v for v in at_12345.get("/catalogue/versions").json()["items"] if v["number"] == 2])
    assert arrived and arrived[0]["state"] == "proposed" and arrived[0]["sha256"] == sha
    assert arrived[0]["proposed_side"] == "110" and arrived[0]["changes"]["changed"] == {
        "car_moving_blocked": ["owner"]
    }

    sent, there = _order_via_12345(desk, hotline, "13811112222")
    assert there["orgs"][0]["org"] == "C12345" and there["catalogue_version"] == 1
    assert sent["catalogue_item"] == "car_moving_blocked" and sent["catalogue_version"] == 1

    approved = at_12345.post("/catalogue/proposals/2/approve", json={"note": "同意"})
    assert approved.status_code == 200, approved.text
    assert at_12345.get("/catalogue").json()["sha256"] == sha

    at_110 = desk.client("call_taker")
    assert until(lambda: at_110.get("/catalogue").json()["version"] == 2)
    assert at_110.get("/catalogue").json()["sha256"] == sha
    versions = desk.client("supervisor").get("/catalogue/versions").json()["items"]
    assert versions[0]["state"] == "in_force" and versions[0]["approved_org"] == "C12345"

    sent, there = _order_via_12345(desk, hotline, "13833334444")
    assert there["orgs"][0]["org"] == "URBAN"
    assert there["catalogue_version"] == 2 and there["catalogue_item"] == "car_moving_blocked"
    assert sent["catalogue_version"] == 2


def _proposal(**changes) -> dict:
    catalogue = items.from_data(_moved_to_urban())
    body = {"number": 2, "sha256": catalogue.sha256, "document": catalogue.to_data(), "side": "12345",
            "proposed_by": "hotline_supervisor", "proposed_org": "C12345"}  # fmt: skip
    return {**body, **changes}


def test_only_the_other_centre_may_send_a_catalogue_change_and_a_bad_one_is_parked(desk110):  # noqa: F811
    forged = desk110.send("gas", "catalogue.propose", _proposal())
    assert forged.status_code == 403 and forged.json()["parked"] is True
    posing = desk110.send("gz-12345", "catalogue.propose", _proposal(side="110"))
    assert posing.status_code == 403 and "12345" in posing.json()["detail"]
    wrong_sha = desk110.send("gz-12345", "catalogue.propose", _proposal(sha256="0" * 64))
    assert wrong_sha.status_code == 422 and "sha256" in wrong_sha.json()["detail"]
    doc = _moved_to_urban()
    doc["items"][0]["owner"] = ["nobody"]
    bad = desk110.send("gz-12345", "catalogue.propose", _proposal(document=doc))
    assert bad.status_code == 422 and "nobody" in bad.json()["detail"]
    assert desk110.get("supervisor", "/catalogue/versions").json()["items"][0]["number"] == 1

    applied = desk110.send("gz-12345", "catalogue.propose", _proposal())
    assert applied.status_code == 200, applied.text
    proposal = desk110.get("supervisor", "/catalogue/versions").json()["items"][0]
    assert proposal["number"] == 2 and proposal["state"] == "proposed" and proposal["proposed_side"] == "12345"
    # 110's supervisor approves what 12345 proposed (the decision is queued for the 12345 peer).
    assert desk110.post("supervisor", "/catalogue/proposals/2/approve").status_code == 200
    assert desk110.get("call_taker", "/catalogue").json()["version"] == 2
