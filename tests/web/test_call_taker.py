"""The call-taker's console: the caller's history stays for the whole call, a repeat call is offered as a
duplicate before the decision key and attached with one key, and call-backs are a tab with a count."""

from __future__ import annotations

from tests.web.test_consoles import login

NUMBER = "13812345678"
FIRST = "我家楼下有人一直在砸车，在幸福小区3栋"


def test_the_callers_history_is_its_own_panel_and_lists_earlier_incidents(api):
    earlier = api.report(FIRST, caller_number=NUMBER)["incident"]["id"]
    client, headers, _ = login(api, "call_taker")
    panel = client.post("/console/caller", data={"caller_number": NUMBER}, headers=headers)
    assert f'href="/console/incidents/{earlier}"' in panel.text and "138****5678" not in panel.text
    # Typing the words re-renders the suggestion only: the history is not part of it any more, so it stays.
    typed = client.post("/console/triage", data={"text": "砸车的人还在", "caller_number": NUMBER}, headers=headers)
    assert "caller-incidents" not in typed.text and f"#{earlier}" not in typed.text
    # Each look-up is recorded as a read of that caller's data.
    reads = api.get("supervisor", "/audit/caller-reads", params={"number": NUMBER}).json()["items"]
    assert [r["kind"] for r in reads] == ["caller.history_read"]


def test_a_12345_operator_cannot_look_up_a_number_and_is_told_why(api):
    api.report(FIRST, caller_number=NUMBER)
    client, headers, _ = login(api, "hotline_operator")
    panel = client.post("/console/caller", data={"caller_number": NUMBER}, headers=headers)
    assert panel.status_code == 200 and "caller-incidents" not in panel.text and "无权" in panel.text


def test_the_same_caller_again_90_seconds_later_is_offered_and_attached_with_one_key(api):
    first = api.report(FIRST, caller_number=NUMBER, location_text="幸福小区3栋")["incident"]["id"]
    api.post("call_taker", f"/incidents/{first}/confirm", {"disposition": "police"})
    client, headers, _ = login(api, "call_taker")
    call = {"text": "警察怎么还没到，砸车的人还在", "caller_number": NUMBER, "location_text": "幸福小区3栋"}
    offer = client.post("/console/duplicates", data=call, headers=headers)
    assert f'name="attach_to" value="{first}"' in offer.text and 'data-key="F6"' in offer.text
    attached = client.post("/console/calls", data={**call, "attach_to": str(first)}, headers=headers)
    assert f"并入警情 #{first}" in attached.text and attached.headers["HX-Trigger"] == "call-recorded"
    incident = api.get("call_taker", f"/incidents/{first}").json()
    assert len(incident["reports"]) == 2 and incident["state"] == "confirmed"
    # Only one incident waits for the dispatcher, with both calls in it.
    pending = api.get("dispatcher", "/incidents", params={"state": "confirmed"}).json()["items"]
    assert [i["id"] for i in pending] == [first]


def test_a_call_that_may_need_police_is_not_buried_in_a_diverted_matter(api):
    lamp = "幸福小区3栋门口的路灯坏了一个月了没人修"
    noise = api.report(lamp, caller_number=NUMBER, location_text="幸福小区3栋")["incident"]
    client, headers, _ = login(api, "call_taker")
    call = {"text": "幸福小区3栋门口有人拿刀砍人了", "caller_number": NUMBER, "location_text": "幸福小区3栋"}
    refused = client.post("/console/calls", data={**call, "attach_to": str(noise["id"])}, headers=headers)
    assert "toast late" in refused.text and "单独" in refused.text
    assert len(api.get("call_taker", f"/incidents/{noise['id']}").json()["reports"]) == 1


def test_unrelated_calls_are_not_offered(api):
    api.report(FIRST, caller_number=NUMBER, location_text="幸福小区3栋")
    client, headers, _ = login(api, "call_taker")
    offer = client.post("/console/duplicates", data={"text": "人民路口两车相撞", "caller_number": "13999990000"},
                        headers=headers)  # fmt: skip
    assert "attach_to" not in offer.text


def test_a_matter_taken_back_from_12345_waits_to_be_decided_and_is_decided_on_its_page(api):
    shop = api.report("超市卖过期食品，要求退款不给退", caller_number=NUMBER)["incident"]["id"]
    api.post("call_taker", f"/incidents/{shop}/confirm", {"disposition": "divert"})
    order = api.get("hotline_operator", "/orders").json()["items"][0]["id"]
    api.post("agency_handler", f"/orders/{order}/steps", {"to": "returned", "reason": "不属于本单位职责"})
    taken = api.post("call_taker", f"/orders/{order}/steps", {"to": "taken_back", "reason": "重新研判"})
    assert taken.status_code == 200, taken.text
    assert api.get("call_taker", f"/incidents/{shop}").json()["state"] == "triaged"
    client, headers, _ = login(api, "call_taker")
    queue = client.get("/console/undecided", headers=headers).text
    assert f'href="/console/incidents/{shop}"' in queue and '<span class="count" id="undecided-count"' in queue
    moves = client.get(f"/console/incidents/{shop}/moves", headers=headers).text
    assert 'id="decide-form"' in moves and 'data-key="F2"' in moves
    decided = client.post(f"/console/incidents/{shop}/decide", data={"decision": "invalid", "reason": "商家已退款"},
                          headers=headers)  # fmt: skip
    assert "已办结" in decided.text and decided.headers["HX-Trigger"] == "incident-moved"
    assert f"#{shop}" not in client.get("/console/undecided", headers=headers).text
