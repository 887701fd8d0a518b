"""The desk's flows and the safety rules that hold in every edge: through the API and through the console,
on SQLite and PostgreSQL."""

from __future__ import annotations

import heapq
import random

import pytest
from tests.conftest import Api
from tests.web.test_consoles import login

from lifeline.demo import simulator

SILENT = ""
KNIFE = "两个人拿着刀在小区门口打架"
FIRE = "着火了！幸福小区3栋楼道里全是烟"
CONSUMER = "超市卖过期食品，要求退款不给退"
TOP_UP = "能帮我充一下话费吗，就一百块"


def confirm(api: Api, iid: int, user: str = "call_taker", **decision):
    return api.post(user, f"/incidents/{iid}/confirm", decision)


def call_back(api: Api, iid: int, outcome: str, note: str = "", user: str = "call_taker"):
    return api.post(user, f"/incidents/{iid}/callbacks", {"outcome": outcome, "note": note})


def waiting(api: Api, user: str = "call_taker") -> dict[int, dict]:
    answer = api.get(user, "/callbacks")
    assert answer.status_code == 200, answer.text
    return {item["incident_id"]: item for item in answer.json()["items"]}


# The call-back queue -----------------------------------------------------------------------------------------


def test_a_silent_call_is_not_closed_as_invalid_until_the_caller_is_reached(api):
    got = api.report(SILENT, caller_number="13800138000")
    iid = got["incident"]["id"]
    assert got["incident"]["callback_required"] is True
    assert waiting(api)[iid]["attempts"] == []

    refused = confirm(api, iid, disposition="invalid", reason="无声")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "回拨" in refused.json()["detail"] and "call-back" in refused.json()["detail"]
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "triaged"  # nothing was half done

    assert call_back(api, iid, "no_answer").status_code == 201
    assert confirm(api, iid, disposition="invalid", reason="无声").status_code == 409  # unanswered is not enough
    assert waiting(api)[iid]["unanswered"] == 1

    reached = call_back(api, iid, "reached", "回拨接通：小孩玩手机误拨，家长已致歉")
    assert reached.status_code == 201
    assert iid not in waiting(api)
    closed = confirm(api, iid, disposition="invalid", reason="回拨核实为误拨")
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed"
    kinds = [e["kind"] for e in api.get("call_taker", f"/incidents/{iid}/events").json()["items"]]
    assert kinds.count("incident.callback") == 2 and "incident.retriaged" in kinds


def test_reaching_a_silent_caller_triages_the_call_again_with_what_was_learnt(api):
    iid = api.report(SILENT)["incident"]["id"]
    reached = call_back(api, iid, "reached", "对方小声说男朋友在打她，不敢说话，在幸福小区3栋")
    assert reached.status_code == 201
    incident = api.get("call_taker", f"/incidents/{iid}").json()
    assert incident["disposition"] in ("police", "joint") and incident["priority"] <= 2
    assert incident["suggestion"]["disposition"] in ("police", "joint")
    assert len(incident["reports"]) == 2 and incident["reports"][1]["channel"] == "callback"


def test_three_unanswered_call_backs_leave_the_decision_to_a_supervisor_with_a_reason(api):
    iid = api.report(SILENT)["incident"]["id"]
    for _ in range(3):
        assert call_back(api, iid, "no_answer").status_code == 201
    assert waiting(api)[iid]["needs_supervisor"] is True
    assert confirm(api, iid, disposition="invalid", reason="三次未接通").status_code == 409  # not the call-taker's
    unexplained = confirm(api, iid, "supervisor", disposition="invalid")
    assert unexplained.status_code == 409 and "理由" in unexplained.json()["detail"]  # a reason is needed
    closed = confirm(api, iid, "supervisor", disposition="invalid", reason="三次回拨无人接听，基站定位为空旷地带")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_a_wrong_number_goes_straight_to_a_supervisor_and_bad_outcomes_are_422(api):
    iid = api.report(SILENT)["incident"]["id"]
    assert call_back(api, iid, "hung_up").status_code == 422
    assert call_back(api, iid, "reached").status_code == 422  # reached needs what was learnt
    assert call_back(api, iid, "wrong_number").status_code == 201
    assert waiting(api)[iid]["needs_supervisor"] is True
    other = api.report(KNIFE)["incident"]["id"]
    assert call_back(api, other, "no_answer").status_code == 409  # not waiting for a call-back


def test_the_console_refuses_to_close_a_silent_call_and_records_its_call_backs(api):
    client, headers, _ = login(api, "call_taker")
    answer = client.post("/console/calls", data={"decision": "invalid", "text": "", "reason": "无声"}, headers=headers)
    assert "回拨队列" in answer.text and "toast late" in answer.text  # an error toast: the call was not closed
    (queued,) = api.get("call_taker", "/callbacks").json()["items"]  # but it was kept, waiting for its call-back
    iid = queued["incident_id"]
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "triaged"
    panel = client.get("/console/callbacks", headers=headers)
    assert f'data-incident="{iid}"' in panel.text
    assert client.get("/console/callbacks/count", headers=headers).text == "1"
    attempt = {"incident_id": iid}
    tried = client.post("/console/callbacks", data={**attempt, "outcome": "no_answer"}, headers=headers)
    assert "无人接听" in tried.text and tried.headers["HX-Trigger"] == "callback-recorded"
    unheard = client.post("/console/callbacks", data={**attempt, "outcome": "reached"}, headers=headers)
    assert "toast late" in unheard.text
    reached = client.post(
        "/console/callbacks",
        data={**attempt, "outcome": "reached", "note": "有人持刀闯进家里，我躲在卫生间"},
        headers=headers,
    )
    assert "已接通" in reached.text and "研判建议：警务" in reached.text
    assert f'data-incident="{iid}"' not in client.get("/console/callbacks", headers=headers).text


# Joint keeps the facts; overrides are reasons -------------------------------------------------------------------


def test_a_knife_fight_confirmed_as_joint_keeps_its_crime_and_gains_the_linkage_units(api):
    got = api.report(KNIFE)
    iid, suggested = got["incident"]["id"], got["triage"]
    assert suggested["disposition"] == "police"
    decided = confirm(api, iid, disposition="joint")
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["category"] == suggested["category"] and body["disposition"] == "joint"
    assert body["priority"] == suggested["priority"] == 1
    assert set(suggested["destinations"]) < set(body["destinations"]) and "120" in body["destinations"]
    assert body["suggestion"]["entities"]["weapons"]  # the weapon is still on record beside the decision


def test_diverting_or_closing_what_the_suggestion_sent_to_police_needs_a_reason_kept_in_the_history(api):
    iid = api.report(KNIFE)["incident"]["id"]
    for disposition in ("divert", "invalid"):
        refused = confirm(api, iid, disposition=disposition)
        assert refused.status_code == 422 and "理由" in refused.json()["detail"]
    done = confirm(api, iid, disposition="divert", reason="回拨核实：是电视剧里的情节，来电人咨询")
    assert done.status_code == 200
    events = api.get("call_taker", f"/incidents/{iid}/events").json()["items"]
    confirmed = next(e for e in events if e["kind"] == "incident.confirmed")
    assert confirmed["payload"]["reason"].startswith("回拨核实") and "disposition" in confirmed["payload"]["overridden"]
    assert done.json()["suggestion"]["disposition"] == "police"  # the suggestion is kept beside the decision


# Returned orders come back ------------------------------------------------------------------------------------


def test_a_returned_order_waits_for_its_sender_and_is_re_routed(api):
    iid = api.report(CONSUMER)["incident"]["id"]
    decided = confirm(api, iid).json()
    order_id = decided["follow_up"]["orders"][0]
    order = api.get("agency_handler", f"/orders/{order_id}").json()
    assert order["orgs"][0]["org"] == "MARKET"
    returned = api.post("agency_handler", f"/orders/{order_id}/steps", {"to": "returned", "reason": "不属于本局职责"})
    assert returned.status_code == 200 and returned.json()["allowed_moves"] == ["rerouted", "taken_back", "referred"]

    queue = api.get("call_taker", "/orders", params={"state": "returned"}).json()["items"]
    assert [o["id"] for o in queue] == [order_id] and queue[0]["return_reason"] == "不属于本局职责"

    sneaky = api.post("agency_handler", f"/orders/{order_id}/steps", {"to": "rerouted", "org": "URBAN"})
    assert sneaky.status_code == 403  # the department that returned it does not route it
    rerouted = api.post("call_taker", f"/orders/{order_id}/steps", {"to": "rerouted", "org": "URBAN"})
    assert rerouted.status_code == 200, rerouted.text
    assert rerouted.json()["state"] == "received" and rerouted.json()["orgs"][-1]["org"] == "URBAN"
    assert api.get("agency_handler", f"/orders/{order_id}").status_code == 404  # no longer theirs to see
    signed = api.post("urban_handler", f"/orders/{order_id}/steps", {"to": "signed"})
    assert signed.status_code == 200
    incident = api.get("call_taker", f"/incidents/{iid}").json()
    assert {a["kind"] for a in incident["assignments"]} == {"transfer"} and incident["state"] == "transferred"


def test_a_returned_order_taken_back_returns_the_matter_to_the_desk_for_a_new_decision(api):
    iid = api.report(CONSUMER)["incident"]["id"]
    order_id = confirm(api, iid).json()["follow_up"]["orders"][0]
    api.post("agency_handler", f"/orders/{order_id}/steps", {"to": "returned", "reason": "涉嫌诈骗，应由公安处理"})
    assert api.post("call_taker", f"/orders/{order_id}/steps", {"to": "taken_back"}).status_code == 422
    back = api.post("call_taker", f"/orders/{order_id}/steps", {"to": "taken_back", "reason": "改由警务处置"})
    assert back.status_code == 200 and back.json()["state"] == "taken_back"
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "triaged"
    again = confirm(api, iid, disposition="police", category="fraud")
    assert again.status_code == 200 and again.json()["state"] == "confirmed"


def test_a_matter_returned_twice_goes_to_the_coordinator_not_back_to_the_desk(api):
    """分而不流: the second return of one matter (re-routed in between) lands with the supervisor, who decides."""
    iid = api.report(CONSUMER)["incident"]["id"]
    order_id = confirm(api, iid).json()["follow_up"]["orders"][0]
    first = api.post("agency_handler", f"/orders/{order_id}/steps", {"to": "returned", "reason": "不属于本局职责"})
    assert first.json()["state"] == "returned"  # once: back to the desk that sent it
    api.post("call_taker", f"/orders/{order_id}/steps", {"to": "rerouted", "org": "URBAN"})
    second = api.post("urban_handler", f"/orders/{order_id}/steps", {"to": "returned", "reason": "也不归城管"})
    assert second.status_code == 200, second.text
    assert second.json()["state"] == "referred"  # twice: to the coordinator
    assert api.post("call_taker", f"/orders/{order_id}/steps", {"to": "rerouted", "org": "MARKET"}).status_code == 403
    history = api.get("supervisor", f"/incidents/{iid}/events").json()["items"]
    assert any("提交协调人" in str(e["payload"].get("coordinator", "")) for e in history)
    decided = api.post("supervisor", f"/orders/{order_id}/steps", {"to": "rerouted", "org": "MARKET"})
    assert decided.status_code == 200 and decided.json()["state"] == "received"


def test_a_referred_order_is_decided_by_a_supervisor(api):
    iid = api.report(CONSUMER)["incident"]["id"]
    order_id = confirm(api, iid).json()["follow_up"]["orders"][0]
    api.post("agency_handler", f"/orders/{order_id}/steps", {"to": "returned", "reason": "不属于本局职责"})
    referred = api.post("call_taker", f"/orders/{order_id}/steps", {"to": "referred", "reason": "两家都说不管"})
    assert referred.status_code == 200 and referred.json()["state"] == "referred"
    assert api.post("call_taker", f"/orders/{order_id}/steps", {"to": "rerouted", "org": "URBAN"}).status_code == 403
    done = api.post("supervisor", f"/orders/{order_id}/steps", {"to": "rerouted", "org": "URBAN"})
    assert done.status_code == 200 and done.json()["state"] == "received"


# Peers are peers ------------------------------------------------------------------------------------------------


def test_a_peer_principal_lists_nothing_reads_no_caller_and_manages_nobody(database):
    from lifeline.auth.service import add_user, peer_principal
    from lifeline.errors import Forbidden, Invalid
    from lifeline.incidents import service as incidents
    from lifeline.store.engine import make_engine, session_factory, transaction

    url, _ = database
    peer = peer_principal("gz-12345", 1)
    with transaction(session_factory(make_engine(url))) as session:
        with pytest.raises(Forbidden):
            incidents.listing(session, peer, incidents.Filters(), None, 10)
        with pytest.raises(Forbidden):
            incidents.caller_history(session, peer, "13800138000")
        with pytest.raises(Forbidden):
            add_user(session, peer, "mole", "admin", "CITY", "long-enough-password")
        with pytest.raises(Invalid):  # nobody can be made a peer: it is a platform, not a login
            from lifeline.auth.service import SYSTEM

            add_user(session, SYSTEM, "mole", "peer", "CITY", "long-enough-password")


# One decision, one outcome, whatever the edge -----------------------------------------------------------------


class _TestClientAsSimulatorClient:
    """The simulator's client, over the test app instead of a socket."""

    def __init__(self, api: Api):
        self.api = api

    def request(self, method, path, token=None, body=None):
        answer = self.api.client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
        if answer.status_code >= 400:
            raise simulator.ApiError(f"{method} {path} → {answer.status_code} {answer.text[:200]}")
        return answer.json()


def _outcome(api: Api, iid: int) -> tuple:
    incident = api.get("admin", f"/incidents/{iid}").json()
    orders = api.get("admin", "/orders").json()["items"]
    leads = sorted(o["orgs"][0]["org"] if o["orgs"] else o["peer"] for o in orders if o["incident_id"] == iid)
    return (incident["state"], incident["category"], incident["disposition"], incident["priority"],
            tuple(sorted(incident["destinations"])), tuple(leads))  # fmt: skip


def _by_console(api: Api, text: str, key: str) -> int:
    client, headers, _ = login(api, "call_taker")
    answer = client.post("/console/calls", data={"decision": key, "text": text}, headers=headers)
    assert "error" not in answer.text, answer.text
    return api.get("admin", "/incidents", params={"limit": 1}).json()["items"][0]["id"]


def _by_api(api: Api, text: str, key: str) -> int:
    iid = api.report(text)["incident"]["id"]
    assert confirm(api, iid, disposition=key).status_code == 200
    return iid


def _by_simulator(api: Api, text: str, key: str) -> int:
    tokens = simulator.Tokens(call_taker=api.tokens["call_taker"])
    desk = simulator.Desk(_TestClientAsSimulatorClient(api), tokens, random.Random(1), out=lambda _line: None)
    desk._intake({"text": text, "channel": "voice"})
    _, _, confirm_action = heapq.heappop(desk.queue)  # the call-taker's decision, taken now
    confirm_action()
    assert desk.stats.errors == 0, desk.stats.last_error
    return api.get("admin", "/incidents", params={"limit": 1}).json()["items"][0]["id"]


@pytest.mark.parametrize(
    ("text", "key"), [(KNIFE, "police"), (FIRE, "joint"), (CONSUMER, "divert"), (TOP_UP, "invalid")]
)
def test_the_console_the_api_and_the_simulator_reach_the_same_outcome(api, text, key):
    assert api.report(text)["triage"]["disposition"] == key  # the simulator takes the suggestion as it is
    outcomes = {edge.__name__: _outcome(api, edge(api, text, key)) for edge in (_by_console, _by_api, _by_simulator)}
    assert len(set(outcomes.values())) == 1, outcomes
