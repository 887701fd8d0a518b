"""The closed loop between a 110 process and a 12345 process over signed HTTP."""

from __future__ import annotations

import time

from tests.peering.conftest import until

SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家，我有小票"


def _order_at(side, user, state):
    def check():
        items = side.client(user).get("/orders").json()["items"]
        return next((o for o in items if o["state"] == state), None)

    return check


def _raise_order(desk, text=SHOP, number="13811112222"):
    """A work order from 110 to the 12345 peer, tracked: the decision asks for an order, not a call transfer."""
    ct = desk.client("call_taker")
    incident = ct.post("/reports", json={"text": text, "caller_number": number}).json()["incident"]
    assert incident["disposition"] == "divert", incident
    decided = ct.post(f"/incidents/{incident['id']}/confirm", json={"via": "order"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["follow_up"]["transferred_to"] is None and decided.json()["state"] == "transferred"
    (order_id,) = decided.json()["follow_up"]["orders"]
    order = ct.get(f"/orders/{order_id}").json()
    assert order["state"] == "sent" and order["peer"] == "gz-12345"
    return incident["id"], order


def test_divert_sign_feedback_visit_close_on_both_sides(bridge):
    desk, hotline = bridge
    incident_id, sent = _raise_order(desk)

    received = until(_order_at(hotline, "agency_handler", "received"))
    assert received and received["uid"] == sent["uid"] and received["orgs"][0]["org"] == "MARKET"
    assert received["caller_number"] == "138****2222"
    assert until(_order_at(desk, "call_taker", "received"))

    handler = hotline.client("agency_handler")
    steps = [
        ("agency_handler", {"to": "signed"}),
        ("agency_handler", {"to": "handled", "feedback": "已责令超市退款并下架过期食品", "result": "resolved"}),
        ("hotline_operator", {"to": "visited", "satisfaction": 5, "comment": "满意"}),
        ("hotline_operator", {"to": "closed"}),
    ]
    for user, body in steps:
        answer = hotline.client(user).post(f"/orders/{received['id']}/steps", json=body)
        assert answer.status_code == 200, answer.text
    assert handler.get(f"/orders/{received['id']}").json()["state"] == "closed"

    mirrored = until(_order_at(desk, "call_taker", "closed"))
    assert mirrored["feedback"] == "已责令超市退款并下架过期食品" and mirrored["satisfaction"] == 5
    incident = until(
        lambda: (i := desk.client("call_taker").get(f"/incidents/{incident_id}").json())["state"] == "closed" and i
    )
    assert incident and incident["resolved_at"] and incident["closed_at"]


def test_an_unsatisfied_visit_sends_the_order_back_to_be_redone(bridge):
    desk, hotline = bridge
    _raise_order(desk)
    order = until(_order_at(hotline, "agency_handler", "received"))
    op, handler = hotline.client("hotline_operator"), hotline.client("agency_handler")
    handler.post(f"/orders/{order['id']}/steps", json={"to": "signed"})
    handler.post(f"/orders/{order['id']}/steps", json={"to": "handled", "feedback": "已电话沟通"})
    redo = op.post(f"/orders/{order['id']}/steps", json={"to": "visited", "satisfaction": 2, "comment": "没退款"})
    assert redo.json()["state"] == "in_progress" and redo.json()["redo_count"] == 1
    assert until(_order_at(desk, "call_taker", "in_progress"))


def test_a_returned_order_goes_back_to_the_desk_and_is_re_routed(bridge):
    desk, hotline = bridge
    incident_id, sent = _raise_order(desk)
    order = until(_order_at(hotline, "agency_handler", "received"))
    back = hotline.client("agency_handler").post(
        f"/orders/{order['id']}/steps", json={"to": "returned", "reason": "不属于本局职责，应为城管占道经营"}
    )
    assert back.status_code == 200, back.text
    returned = until(_order_at(desk, "call_taker", "returned"))
    assert returned["return_reason"].startswith("不属于本局")
    events = desk.client("supervisor").get(f"/incidents/{incident_id}/events").json()["items"]
    assert "incident.order_returned" in [e["kind"] for e in events]

    # The returned order is still open: no second order; 110 holds a copy, which it may only take back.
    ct = desk.client("call_taker")
    assert ct.post(f"/incidents/{incident_id}/orders", json={"note": "请按占道经营处理"}).status_code == 409
    copy = ct.post(f"/orders/{returned['id']}/steps", json={"to": "rerouted", "org": "URBAN"})
    assert copy.status_code == 409 and copy.json()["allowed"] == ["taken_back"]
    # The 12345 desk that routed it re-routes it: the same order, a new lead.
    again = hotline.client("hotline_operator").post(
        f"/orders/{order['id']}/steps", json={"to": "rerouted", "org": "URBAN"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["uid"] == sent["uid"] and again.json()["state"] == "received"
    assert until(_order_at(hotline, "urban_handler", "received"))
    assert hotline.client("agency_handler").get(f"/orders/{order['id']}").status_code == 404
    assert until(lambda: (o := _order_at(desk, "call_taker", "received")()) and o["uid"] == sent["uid"])
    assert len(hotline.client("hotline_operator").get("/orders").json()["items"]) == 1


def test_a_12345_emergency_is_a_priority_1_incident_at_110_within_a_second(bridge):
    desk, hotline = bridge
    op = hotline.client("hotline_operator")
    got = op.post("/reports", json={"text": "我不想活了，药都准备好了，在滨江小区5栋", "caller_number": "13900001111"})
    incident_id = got.json()["incident"]["id"]
    started = time.monotonic()
    assert op.post(f"/incidents/{incident_id}/push", json={"reason": "来电人有自杀倾向"}).status_code == 200

    def arrived():
        items = desk.client("call_taker").get("/incidents", params={"priority": 1}).json()["items"]
        return next((i for i in items if i["reports"][0]["channel"] == "hotline_push"), None)

    pushed = until(arrived, timeout=5, every=0.02)
    elapsed = time.monotonic() - started
    assert pushed is not None and pushed["priority"] == 1 and pushed["needs_confirmation"]
    assert elapsed < 1.0, f"push took {elapsed:.2f} s"
    revealed = desk.client("call_taker").get(f"/incidents/{pushed['id']}/caller").json()
    assert revealed["number"] == "13900001111"


def test_one_click_transfer_carries_the_number_and_the_transcript(bridge):
    desk, hotline = bridge
    ct = desk.client("call_taker")
    text = "楼下烧烤摊天天占道经营，油烟大，晚上十二点还在吵"
    incident = ct.post("/reports", json={"text": text, "caller_number": "13722223333"}).json()["incident"]
    moved = ct.post(f"/incidents/{incident['id']}/transfer-call", json={"three_way": True})
    assert moved.status_code == 200, moved.text
    # The call and the matter are 12345's now: 110's part ends, transferred and resolved.
    assert moved.json()["follow_up"]["transferred_to"] == "gz-12345"
    assert moved.json()["state"] == "resolved" and moved.json()["transferred_at"]

    op = hotline.client("hotline_operator")
    arrived = until(lambda: op.get("/incidents").json()["items"])
    assert arrived[0]["reports"][0]["text"] == text
    assert op.get(f"/incidents/{arrived[0]['id']}/caller").json()["number"] == "13722223333"
    notes = [e["payload"].get("text", "") for e in op.get(f"/incidents/{arrived[0]['id']}/events").json()["items"]]
    assert any("三方通话" in n for n in notes)
    # 12345 decides the call it was handed, and raises its own order.
    decided = op.post(f"/incidents/{arrived[0]['id']}/confirm", json={})
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "transferred" and len(decided.json()["follow_up"]["orders"]) == 1


def test_a_forged_message_is_refused_and_logged(bridge):
    import httpx

    desk, _ = bridge
    body = b'{"message_id": "x:1", "from": "gz-12345", "seq": 1, "prev": 0, "kind": "incident.push", "body": {}}'
    headers = {
        "X-Lifeline-Peer": "gz-12345",
        "X-Lifeline-Key-Id": "k1",
        "X-Lifeline-Timestamp": "2026-11-23T08:00:00+00:00",
        "X-Lifeline-Signature": "0" * 64,
    }
    answer = httpx.post(f"{desk.url}/exchange/v1/messages", content=body, headers=headers)
    assert answer.status_code == 401
    audit = desk.client("supervisor").get("/audit/verify").json()
    assert audit["ok"]


def test_peers_check_shows_who_is_reachable_and_with_which_key(bridge, tmp_path):
    import subprocess
    import sys

    _, hotline = bridge
    check = [sys.executable, "-m", "lifeline.cli", "peers", "check", "--peers"]
    ok = subprocess.run([*check, str(tmp_path / "peers-gz-110.yaml")], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "gz-12345" in ok.stdout and "k1" in ok.stdout
    hotline.stop()
    down = subprocess.run([*check, str(tmp_path / "peers-gz-110.yaml")], capture_output=True, text=True, timeout=60)
    assert down.returncode == 1 and "gz-12345" in down.stdout
