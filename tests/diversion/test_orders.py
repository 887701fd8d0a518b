"""Work orders in one process (a small city runs both roles), on SQLite and PostgreSQL."""

from __future__ import annotations

SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家"


def _order(api, text=SHOP):
    """Confirming a diverted matter raises its work order (the decision's follow-up)."""
    iid = api.report(text)["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert decided.status_code == 200, decided.text
    (order_id,) = decided.json()["follow_up"]["orders"]
    order = api.get("call_taker", f"/orders/{order_id}")
    assert order.status_code == 200, order.text
    return iid, order.json()


def step(api, user, order_id, **body):
    return api.post(user, f"/orders/{order_id}/steps", body)


def test_an_order_is_routed_by_what_the_organisation_serves_and_closes_the_loop(api):
    iid, order = _order(api)
    assert order["state"] == "received" and order["peer"] is None
    assert order["orgs"] == [{"org": "MARKET", "kind": "lead", "signed_at": None}]
    assert order["sign_by"] < order["handle_by"]
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "transferred"
    # The market regulator sees it; the urban management office does not.
    assert api.get("agency_handler", f"/orders/{order['id']}").status_code == 200
    assert api.get("urban_handler", f"/orders/{order['id']}").status_code == 404
    assert api.get("agency_handler", f"/incidents/{iid}").status_code == 200

    assert step(api, "agency_handler", order["id"], to="handled").status_code == 409  # sign first
    assert step(api, "agency_handler", order["id"], to="signed").json()["orgs"][0]["signed_at"]
    assert step(api, "agency_handler", order["id"], to="handled").status_code == 422  # feedback needed
    handled = step(api, "agency_handler", order["id"], to="handled", feedback="已责令退款")
    assert handled.json()["state"] == "handled"
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "resolved"
    assert step(api, "agency_handler", order["id"], to="visited", satisfaction=5).status_code == 403
    visited = step(api, "hotline_operator", order["id"], to="visited", satisfaction=4, comment="基本解决")
    assert visited.json()["satisfaction_zh"] == "满意"
    assert step(api, "hotline_operator", order["id"], to="closed").json()["state"] == "closed"
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "closed"
    assert step(api, "hotline_operator", order["id"], to="archived").json()["state"] == "archived"

    history = api.get("supervisor", f"/incidents/{iid}/events").json()["items"]
    kinds = [e["kind"] for e in history]
    signed = next(e for e in history if e["kind"] == "order.signed")
    assert signed["payload"]["took_seconds"] >= 0  # every step records how long it took since the one before
    for kind in ("order.created", "order.signed", "order.handled", "order.visited", "order.closed"):
        assert kind in kinds


def test_a_police_matter_gets_no_work_order(api):
    iid = api.report("有人拿刀在菜市场门口追着砍人")["incident"]["id"]
    api.post("call_taker", f"/incidents/{iid}/confirm", {})
    refused = api.post("call_taker", f"/incidents/{iid}/orders", {})
    assert refused.status_code == 409


def test_countersign_lets_another_department_see_and_sign(api):
    _, order = _order(api)
    joined = api.post("agency_handler", f"/orders/{order['id']}/countersign", {"orgs": ["URBAN"]})
    assert joined.status_code == 200, joined.text
    assert [o["org"] for o in joined.json()["orgs"]] == ["MARKET", "URBAN"]
    assert api.get("urban_handler", f"/orders/{order['id']}").status_code == 200


def test_return_needs_a_reason_and_the_desk_can_send_the_order_elsewhere(api):
    iid, order = _order(api)
    assert step(api, "agency_handler", order["id"], to="returned").status_code == 422
    back = step(api, "agency_handler", order["id"], to="returned", reason="应由城管处理")
    assert back.json()["state"] == "returned"
    # The returned order is still open: the desk re-routes it rather than raising a second one.
    assert api.post("call_taker", f"/incidents/{iid}/orders", {"org": "URBAN"}).status_code == 409
    again = step(api, "call_taker", order["id"], to="rerouted", org="URBAN")
    assert again.status_code == 200, again.text
    assert again.json()["state"] == "received"
    assert {"org": "URBAN", "kind": "lead", "signed_at": None} in again.json()["orgs"]
    assert api.get("urban_handler", f"/orders/{order['id']}").status_code == 200


def test_order_steps_are_idempotent_with_a_key(api):
    _, order = _order(api)
    headers = {"Idempotency-Key": "sign-1"}
    first = api.post("agency_handler", f"/orders/{order['id']}/steps", {"to": "signed"}, headers=headers)
    second = api.post("agency_handler", f"/orders/{order['id']}/steps", {"to": "signed"}, headers=headers)
    assert first.status_code == second.status_code == 200 and first.json() == second.json()


def test_a_joint_incident_sends_orders_to_its_linkage_units_inboxes(api):
    iid = api.report("着火了！幸福小区3栋2单元楼道里全是烟，有人被困在五楼，有人被烧伤了")["incident"]["id"]
    assert api.get("fire_handler", f"/incidents/{iid}").status_code == 404  # not theirs yet

    # Confirming a joint matter sends its linkage orders.
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert decided.status_code == 200, decided.text
    confirmed = decided.json()
    assert confirmed["disposition"] == "joint" and "119" in confirmed["destinations"]
    assert confirmed["follow_up"]["unserved"] == []
    made = [api.get("call_taker", f"/orders/{o}").json() for o in confirmed["follow_up"]["orders"]]
    leads = {o["orgs"][0]["org"] for o in made}
    assert "FIRE" in leads
    assert all(o["state"] == "received" for o in made)
    fire_order = next(o for o in made if o["orgs"][0]["org"] == "FIRE")
    assert api.get("fire_handler", f"/incidents/{iid}").status_code == 200
    assert step(api, "fire_handler", fire_order["id"], to="signed").status_code == 200
    # A second press sends nothing twice; the incident itself stays with the police.
    assert api.post("call_taker", f"/incidents/{iid}/linkage").json()["items"] == []
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "confirmed"


def test_overdue_orders_are_escalated_once(api, database):
    from datetime import datetime, timedelta

    from lifeline.diversion.service import escalate_overdue
    from lifeline.store.base import utcnow
    from lifeline.store.engine import make_engine, session_factory, transaction

    _, order = _order(api)
    factory = session_factory(make_engine(database[0]))
    sign_by = datetime.fromisoformat(order["sign_by"])  # working minutes: it depends on the day and the hour
    with transaction(factory) as session:
        assert escalate_overdue(session, utcnow()) == []
        assert escalate_overdue(session, sign_by + timedelta(minutes=1)) == [order["id"]]
        assert escalate_overdue(session, sign_by + timedelta(minutes=2)) == []
    assert api.get("supervisor", f"/orders/{order['id']}").json()["escalated_at"]
