"""Peers within their role: who may send what, on which orders, with which fields; what cannot be applied is
parked in the dead-letter list and the stream moves on; a stranger's knock leaves no mark on the audit chain."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from tests.peering.conftest import HOTLINE_KEY

from lifeline.incidents.models import Report
from lifeline.peering.relay import signed_headers
from lifeline.store import events
from lifeline.store.events import Event

SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家，我有小票"
GAS = "楼道里好大的煤气味，好像燃气泄漏了，在幸福小区3栋"
NOW = datetime.now(UTC)


def _order_to_12345(desk) -> tuple[int, dict]:
    """A tracked work order from the 110 desk to its 12345 peer."""
    incident = desk.report(SHOP, caller_number="13811112222")["incident"]
    decided = desk.post("call_taker", f"/incidents/{incident['id']}/confirm", {"via": "order"})
    assert decided.status_code == 200, decided.text
    (order_id,) = decided.json()["follow_up"]["orders"]
    return incident["id"], desk.get("call_taker", f"/orders/{order_id}").json()


def _order(desk, order_id: int) -> dict:
    return desk.get("admin", f"/orders/{order_id}").json()


def _events(desk) -> int:
    with desk.client.app.state.sessions() as session:
        return session.scalar(select(func.count()).select_from(Event))


def _parked(answer, status: int = 422) -> dict:
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["parked"] is True and problem["dead_letter"] >= 1
    return problem


def _letters(desk, **params) -> list[dict]:
    answer = desk.get("admin", "/exchange/dead-letters", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _walk(desk, uid: str, *steps: tuple[str, dict]) -> None:
    """The 12345 peer reports its steps on an order, each applied."""
    for kind, body in steps:
        answer = desk.send("gz-12345", kind, {"uid": uid, **body})
        assert answer.status_code == 200 and answer.json()["status"] == "applied", answer.text


TO_HANDLED = (
    ("order.progress", {"state": "received"}),
    ("order.sign", {"state": "signed"}),
    ("order.feedback", {"state": "handled", "feedback": "已责令退款", "result": "resolved"}),
)


# Who owns the order ---------------------------------------------------------------------------------------------


def test_a_linkage_peer_cannot_move_the_12345_centres_order(desk110):
    incident_id, order = _order_to_12345(desk110)
    forged = {"uid": order["uid"], "state": "handled", "feedback": "燃气公司已处理", "result": "resolved"}
    problem = _parked(desk110.send("gas", "order.feedback", forged))
    assert "gas" in problem["detail"]
    assert _order(desk110, order["id"])["state"] == "sent"
    assert desk110.get("admin", f"/incidents/{incident_id}").json()["state"] == "transferred"


def test_a_linkage_peer_moves_the_order_sent_to_it(desk110):
    incident = desk110.report(GAS)["incident"]
    decided = desk110.post("call_taker", f"/incidents/{incident['id']}/confirm", {})
    assert decided.status_code == 200, decided.text
    orders = [_order(desk110, i) for i in decided.json()["follow_up"]["orders"]]
    (gas,) = [o for o in orders if o["peer"] == "gas"]
    for kind, state in (("order.progress", "received"), ("order.sign", "signed")):
        answer = desk110.send("gas", kind, {"uid": gas["uid"], "state": state})
        assert answer.status_code == 200 and answer.json()["status"] == "applied", answer.text
    assert _order(desk110, gas["id"])["state"] == "signed"


def test_a_peer_step_must_follow_the_state_machine(desk110):
    _, order = _order_to_12345(desk110)
    body = {"uid": order["uid"], "state": "handled", "feedback": "已办结"}
    _parked(desk110.send("gz-12345", "order.feedback", body))
    assert _order(desk110, order["id"])["state"] == "sent"


def test_a_step_kind_carries_only_its_own_state(desk110):
    _, order = _order_to_12345(desk110)
    _walk(desk110, order["uid"], ("order.progress", {"state": "received"}))
    _parked(desk110.send("gz-12345", "order.progress", {"uid": order["uid"], "state": "signed"}))
    assert _order(desk110, order["id"])["state"] == "received"


def test_the_peer_that_sent_an_order_may_only_take_it_back(hotline):
    uid = "a" * 32
    created = hotline.send("gz-110", "order.create", _create_body(uid))
    assert created.status_code == 200 and created.json()["status"] == "applied", created.text
    (order,) = hotline.get("admin", "/orders").json()["items"]
    assert hotline.post("agency_handler", f"/orders/{order['id']}/steps", {"to": "signed"}).status_code == 200
    _parked(hotline.send("gz-110", "order.progress", {"uid": uid, "state": "in_progress"}), 403)
    assert _order(hotline, order["id"])["state"] == "signed"


def _create_body(uid: str, **changes) -> dict:
    return {
        "uid": uid,
        "category": "dispute_consumer",
        "text": SHOP,
        "caller_number": "13811112222",
        "address": "新华路",
        "district": "城关区",
        "sign_by": (NOW + timedelta(hours=1)).isoformat(),
        "handle_by": (NOW + timedelta(days=5)).isoformat(),
        "incident_ref": "7",
        "seq": 1,
        **changes,
    }


# Which kinds each peer role may send --------------------------------------------------------------------------


def _push_body(desk, ref: str) -> dict:
    """An emergency as a 12345 centre pushes it: an EIDO document (here exported by this desk, given a new id)."""
    incident = desk.report("有人持刀伤人，在人民路口", caller_number="13900001111")["incident"]
    document = desk.get("supervisor", f"/incidents/{incident['id']}/eido").json()
    return {"eido": {**document, "$id": ref}, "reason": "来电人称有人持刀"}


def _incidents(desk) -> int:
    return len(desk.get("admin", "/incidents").json()["items"])


def test_a_linkage_peer_cannot_push_a_police_incident(desk110):
    body = _push_body(desk110, "push-1")
    before = _incidents(desk110)
    _parked(desk110.send("gas", "incident.push", body), 403)
    assert _incidents(desk110) == before
    pushed = desk110.send("gz-12345", "incident.push", body)
    assert pushed.status_code == 200 and pushed.json()["status"] == "applied", pushed.text
    assert _incidents(desk110) == before + 1


def test_a_neighbouring_110_pushes_incidents_but_transfers_no_calls(desk110):
    body = _push_body(desk110, "push-2")
    before = _incidents(desk110)
    pushed = desk110.send("nb-110", "incident.push", body)
    assert pushed.status_code == 200 and pushed.json()["status"] == "applied", pushed.text
    _parked(desk110.send("nb-110", "call.transfer", {"text": "占道经营", "ref": "1"}), 403)
    assert _incidents(desk110) == before + 1


def test_only_the_110_centre_creates_orders_and_transfers_calls_at_12345(hotline):
    _parked(hotline.send("gas", "order.create", _create_body("b" * 32)), 403)
    _parked(hotline.send("gas", "call.transfer", {"text": "燃气公司转来", "ref": "9"}), 403)
    assert hotline.get("admin", "/orders").json()["items"] == []
    assert _incidents(hotline) == 0
    moved = hotline.send("gz-110", "call.transfer", {"text": "楼下烧烤摊占道经营", "ref": "9", "three_way": True})
    assert moved.status_code == 200 and moved.json()["status"] == "applied", moved.text
    assert _incidents(hotline) == 1


def test_a_12345_deployment_takes_no_incident_push(hotline):
    body = _push_body(hotline, "push-3")
    before = _incidents(hotline)
    _parked(hotline.send("gas", "incident.push", body), 403)
    _parked(hotline.send("gz-110", "incident.push", body), 403)
    assert _incidents(hotline) == before


# Carried fields are validated ---------------------------------------------------------------------------------


def test_a_carried_field_of_the_wrong_type_is_parked_and_orders_still_list(desk110):
    _, order = _order_to_12345(desk110)
    _walk(desk110, order["uid"], *TO_HANDLED)
    for bad in ("not-a-number", 99, 2**40, True):
        _parked(desk110.send("gz-12345", "order.visit", {"uid": order["uid"], "state": "visited", "satisfaction": bad}))
    _parked(desk110.send("gz-12345", "order.visit", {"uid": order["uid"], "state": "visited", "satisfaction": 5,
                                                     "visit_comment": "满意\x00"}))  # fmt: skip
    listed = desk110.get("call_taker", "/orders")
    assert listed.status_code == 200, listed.text
    assert _order(desk110, order["id"])["state"] == "handled"
    _walk(desk110, order["uid"], ("order.visit", {"state": "visited", "satisfaction": 5}))
    assert _order(desk110, order["id"])["satisfaction"] == 5


def test_feedback_longer_than_the_column_is_parked_on_both_databases(desk110):
    _, order = _order_to_12345(desk110)
    _walk(desk110, order["uid"], *TO_HANDLED[:2])
    body = {"uid": order["uid"], "state": "handled", "feedback": "已办", "result": "x" * 200}
    _parked(desk110.send("gz-12345", "order.feedback", body))
    assert _order(desk110, order["id"])["state"] == "signed"


# A bad message never stalls the partner -----------------------------------------------------------------------


def test_a_malformed_signed_message_is_parked_and_the_next_is_applied(desk110):
    _, order = _order_to_12345(desk110)
    problem = _parked(desk110.send("gz-12345", "order.progress", {"uid": ["x"]}))
    assert desk110.applied_seq("gz-12345") == 1
    (letter,) = _letters(desk110)
    assert letter["id"] == problem["dead_letter"] and letter["peer"] == "gz-12345" and letter["seq"] == 1
    assert letter["kind"] == "order.progress" and letter["body"] == {"uid": ["x"]} and letter["state"] == "parked"
    assert "uid" in letter["reason"]
    _walk(desk110, order["uid"], ("order.progress", {"state": "received"}))
    assert desk110.applied_seq("gz-12345") == 2
    assert _order(desk110, order["id"])["state"] == "received"


def test_an_unknown_kind_and_an_unknown_order_are_parked(desk110):
    _parked(desk110.send("gz-12345", "order.teleport", {}))
    _parked(desk110.send("gz-12345", "order.sign", {"uid": "f" * 32, "state": "signed"}))
    assert [letter["kind"] for letter in _letters(desk110)] == ["order.sign", "order.teleport"]
    assert desk110.applied_seq("gz-12345") == 2


def _message(seq: int, prev: int, kind: str, body: dict) -> dict:
    return {"message_id": f"gz-12345:{seq}", "from": "gz-12345", "seq": seq, "prev": prev, "kind": kind, "body": body}


def _batch(desk, *messages):
    raw = json.dumps({"messages": list(messages)}, ensure_ascii=False).encode()
    headers = signed_headers("gz-12345", desk.peers.peers["gz-12345"], raw)
    return desk.client.post("/exchange/v1/batch", content=raw, headers=headers)


def test_a_batch_that_applies_whole_keeps_every_step_and_its_events_in_order(desk110):
    incident_id, order = _order_to_12345(desk110)
    uid = order["uid"]
    with desk110.client.app.state.sessions() as session:
        before = session.scalar(select(func.max(Event.seq)))
    answer = _batch(
        desk110,
        _message(1, 0, "order.progress", {"uid": uid, "state": "received"}),
        _message(2, 1, "order.sign", {"uid": uid, "state": "signed"}),
        _message(3, 2, "order.feedback", {"uid": uid, "state": "handled", "feedback": "已退款", "result": "resolved"}),
    )
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["applied"] * 3
    assert desk110.applied_seq("gz-12345") == 3 and _order(desk110, order["id"])["state"] == "handled"
    with desk110.client.app.state.sessions() as session:
        written = session.scalars(select(Event).where(Event.seq > before).order_by(Event.seq)).all()
        check = events.verify(session)
    mirrored = [e.data["state"] for e in written if e.kind == "order.mirrored"]
    assert mirrored == ["received", "signed", "handled"] and check.ok
    assert [e.kind for e in written if e.incident_id == incident_id][-1] == "incident.resolved"


def test_a_batch_is_applied_in_order_each_with_its_result_and_stops_where_the_order_breaks(desk110):
    _, order = _order_to_12345(desk110)
    uid = order["uid"]
    message = _message

    def batch(*messages):
        return _batch(desk110, *messages)

    first = batch(
        message(1, 0, "order.progress", {"uid": uid, "state": "received"}),
        message(2, 1, "order.teleport", {}),
        message(3, 2, "order.sign", {"uid": uid, "state": "signed"}),
        message(5, 4, "order.feedback", {"uid": uid, "state": "handled", "feedback": "已退款", "result": "resolved"}),
    )
    assert first.status_code == 200, first.text
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["applied", "parked", "applied"]  # the fourth breaks the order
    assert results[1]["problem"]["dead_letter"] == _letters(desk110)[0]["id"]
    assert first.json()["expected_prev"] == 3 and desk110.applied_seq("gz-12345") == 3
    assert _order(desk110, order["id"])["state"] == "signed"
    again = batch(message(3, 2, "order.sign", {"uid": uid, "state": "signed"}))
    assert again.status_code == 200 and again.json()["results"][0]["status"] == "duplicate"
    broken = batch(message(9, 8, "order.sign", {"uid": uid, "state": "signed"}))
    assert broken.status_code == 409 and broken.json()["expected_prev"] == 3
    assert batch().status_code == 422  # an empty batch says nothing
    forged = desk110.client.post("/exchange/v1/batch", content=b'{"messages": []}', headers={"X-Lifeline-Peer": "x"})
    assert forged.status_code == 401


def test_two_cities_referrals_of_the_same_incident_number_both_arrive_once_each(desk110):
    incident = desk110.report("九江市浔阳区有人打架", caller_number="13811112222")["incident"]
    document = desk110.get("call_taker", f"/incidents/{incident['id']}/eido").json()
    for origin in ("nanchang-110", "jingdezhen-110", "nanchang-110"):  # the third repeats the first
        body = {"eido": document, "reason": "地点在九江", "from_city": origin[:-4], "from_peer": origin,
                "history": [f"{origin} 接警"]}  # fmt: skip
        answer = desk110.send("hub", "incident.refer", body)
        assert answer.status_code == 200 and answer.json()["status"] == "applied", answer.text
    with desk110.client.app.state.sessions() as session:
        refs = session.scalars(select(Report.external_ref).where(Report.external_ref.like("hub:%"))).all()
    assert sorted(refs) == sorted(f"hub:{o}:{document['$id']}" for o in ("nanchang-110", "jingdezhen-110"))


# Stranger's knocks ---------------------------------------------------------------------------------------------


def test_rejected_requests_leave_the_audit_chain_alone_and_are_counted(desk110):
    before = _events(desk110)
    for n in range(50):
        headers = {"X-Lifeline-Peer": f"mallory-{n}" + "x" * (4000 + 80 * n), "X-Lifeline-Key-Id": "k1",
                   "X-Lifeline-Timestamp": NOW.isoformat(), "X-Lifeline-Signature": "0" * 64}  # fmt: skip
        if n % 2:
            headers["X-Lifeline-Peer"] = "gz-12345"  # a known peer, a bad signature
        answer = desk110.client.post("/exchange/v1/messages", content=b"{}", headers=headers)
        assert answer.status_code == 401
    assert _events(desk110) == before
    seen = desk110.get("admin", "/exchange/rejections")
    assert seen.status_code == 200, seen.text
    counts = seen.json()["counts"]
    assert sum(counts.values()) == 50 and counts["unknown_peer"] == 25 and counts["bad_signature"] == 25
    assert all(len(r["peer"]) <= 100 for r in seen.json()["recent"])
    assert desk110.get("supervisor", "/exchange/rejections").status_code == 200
    assert desk110.get("call_taker", "/exchange/rejections").status_code == 403


# The admin's dead-letter list -----------------------------------------------------------------------------------


def test_an_admin_replays_a_letter_once_its_cause_is_gone_and_drops_another(desk110):
    _, order = _order_to_12345(desk110)
    early = _parked(desk110.send("gz-12345", "order.sign", {"uid": order["uid"], "state": "signed"}))
    broken = _parked(desk110.send("gz-12345", "order.progress", {"uid": ["x"]}))
    _walk(desk110, order["uid"], ("order.progress", {"state": "received"}))  # what the sign was waiting for

    assert desk110.post("supervisor", f"/exchange/dead-letters/{early['dead_letter']}/replay").status_code == 403
    replayed = desk110.post("admin", f"/exchange/dead-letters/{early['dead_letter']}/replay")
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["state"] == "replayed" and replayed.json()["resolved_by"] == "admin"
    assert _order(desk110, order["id"])["state"] == "signed"
    assert desk110.post("admin", f"/exchange/dead-letters/{early['dead_letter']}/replay").status_code == 409

    again = desk110.post("admin", f"/exchange/dead-letters/{broken['dead_letter']}/replay")
    assert again.status_code == 200 and again.json()["state"] == "parked" and again.json()["attempts"] == 2
    dropped = desk110.post("admin", f"/exchange/dead-letters/{broken['dead_letter']}/drop")
    assert dropped.status_code == 200 and dropped.json()["state"] == "dropped"
    assert [letter["state"] for letter in _letters(desk110)] == ["dropped", "replayed"]
    assert _letters(desk110, state="parked") == []
    assert desk110.get("supervisor", "/exchange/dead-letters").status_code == 200
    assert desk110.get("call_taker", "/exchange/dead-letters").status_code == 403
    assert desk110.post("admin", "/exchange/dead-letters/999/drop").status_code == 404
    assert desk110.get("supervisor", "/audit/verify").json()["ok"]


PEERS_YAML = f"""name: gz-110
peers:
  gz-12345: {{url: "http://127.0.0.1:9", role: "12345", send_key: k1, keys: {{k1: "{HOTLINE_KEY}"}}}}
"""


def test_the_cli_lists_replays_and_drops_dead_letters(desk110, database, tmp_path):
    from typer.testing import CliRunner

    from lifeline.cli import app

    url, _ = database
    _, order = _order_to_12345(desk110)
    early = _parked(desk110.send("gz-12345", "order.sign", {"uid": order["uid"], "state": "signed"}))
    broken = _parked(desk110.send("gz-12345", "order.progress", {"uid": ["x"]}))
    _walk(desk110, order["uid"], ("order.progress", {"state": "received"}))
    peers = tmp_path / "peers.yaml"
    peers.write_text(PEERS_YAML, encoding="utf-8")
    run = CliRunner().invoke
    listed = run(app, ["peers", "dead-letters", "--db", url])
    assert listed.exit_code == 0 and "order.sign" in listed.output and "order.progress" in listed.output
    replay = ["peers", "replay", str(early["dead_letter"]), "--db", url, "--peers", str(peers), "--role", "110"]
    assert run(app, replay).exit_code == 0
    assert _order(desk110, order["id"])["state"] == "signed"
    still = run(app, ["peers", "replay", str(broken["dead_letter"]), "--db", url, "--peers", str(peers)])
    assert still.exit_code == 1 and "uid" in still.output
    assert run(app, ["peers", "drop", str(broken["dead_letter"]), "--db", url]).exit_code == 0
    assert [letter["state"] for letter in _letters(desk110)] == ["dropped", "replayed"]
