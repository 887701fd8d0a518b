"""Re-raising an order to the organisation that returned it: a clear answer each way, never a 500 (issue 13)."""

from __future__ import annotations

SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家，我有小票"


def _returned(api, decision: dict | None = None) -> tuple[int, int]:
    """A matter whose order the market regulator returned: (incident id, order id)."""
    incident = api.report(SHOP, caller_number="13912345678")["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{incident}/confirm", decision or {})
    assert decided.status_code == 200, decided.text
    if decision:  # a joint matter: its order is raised by hand
        raised = api.post("call_taker", f"/incidents/{incident}/orders", {"org": "MARKET"})
        assert raised.status_code == 201, raised.text
        order = raised.json()["id"]
    else:
        (order,) = decided.json()["follow_up"]["orders"]
    returned = api.post("agency_handler", f"/orders/{order}/steps", {"to": "returned", "reason": "非本局职责"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned", returned.text
    return incident, order


def test_a_returned_order_rerouted_to_the_same_organisation_is_received_again(api):
    _, order = _returned(api)
    again = api.post("call_taker", f"/orders/{order}/steps", {"to": "rerouted", "org": "MARKET"})
    assert again.status_code == 200 and again.json()["state"] == "received", again.text
    assert [o["org"] for o in again.json()["orgs"] if o["kind"] == "lead"] == ["MARKET"]
    assert api.post("agency_handler", f"/orders/{order}/steps", {"to": "signed"}).status_code == 200


def test_a_matter_taken_back_and_decided_again_goes_to_the_same_organisation(api):
    incident, order = _returned(api)
    assert api.post("call_taker", f"/orders/{order}/steps", {"to": "taken_back", "reason": "重新研判"}).is_success
    decided = api.post("call_taker", f"/incidents/{incident}/confirm", {})
    assert decided.status_code == 200, decided.text
    (new,) = decided.json()["follow_up"]["orders"]
    assert new != order and api.post("agency_handler", f"/orders/{new}/steps", {"to": "signed"}).status_code == 200


def test_a_divert_matter_with_its_order_returned_is_told_to_reroute_not_raise(api):
    incident, order = _returned(api)
    again = api.post("call_taker", f"/incidents/{incident}/orders", {"org": "MARKET"})
    assert again.status_code == 409 and str(order) in again.json()["detail"], again.text


def test_a_joint_matter_raises_a_new_order_to_the_organisation_that_returned_one(api):
    joint = {"disposition": "joint", "destinations": ["market_regulation"], "reason": "食品安全，需现场联动"}
    incident, order = _returned(api, joint)
    again = api.post("call_taker", f"/incidents/{incident}/orders", {"org": "MARKET"})
    assert again.status_code == 201 and again.json()["id"] != order, again.text
    assert api.post("agency_handler", f"/orders/{again.json()['id']}/steps", {"to": "signed"}).status_code == 200
