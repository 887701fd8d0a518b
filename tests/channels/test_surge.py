"""应急状态 (a surge): a supervisor starts it with the recorded announcement and an overflow route; the switch is
told to play the announcement and, once the calls waiting reach the mark, to send the next call to the overflow
desk, which the desk counts and never calls back; the call console turns triage-first; the command screen shows
the surge and what overflowed."""

from __future__ import annotations

from tests.web.test_consoles import login

SURGE = {"reason": "台风“海葵”登陆，来电激增", "event": "台风海葵", "announcement": "台风期间如非紧急请拨打12345",
         "overflow_to": "nanchang-110", "overflow_at": 2}  # fmt: skip


def _ring(desk, call_id: str):
    answer = desk.senders["pbx"].post_json("/channels/phone/events", {"kind": "ringing", "call_id": call_id,
                                           "caller": "13900001111"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_surge_tells_the_switch_its_announcement_and_overflows_calls_beyond_the_mark(desk):
    assert desk.post("call_taker", "/surge", json=SURGE).status_code == 403  # a supervisor starts it
    assert desk.post("supervisor", "/surge", json={**SURGE, "overflow_at": None}).status_code == 422  # both or neither
    started = desk.post("supervisor", "/surge", json=SURGE)
    assert started.status_code == 201, started.text
    assert started.json()["now"]["event"] == "台风海葵"
    assert desk.post("supervisor", "/surge", json=SURGE).status_code == 409  # one at a time

    first, second = _ring(desk, "s-1"), _ring(desk, "s-2")
    assert first["announcement"] == SURGE["announcement"] and first["overflow_to"] is None
    assert second["overflow_to"] is None  # one call was waiting: under the mark of 2
    third = _ring(desk, "s-3")  # two wait now: this one overflows
    assert third["overflow_to"] == "nanchang-110"
    queued = {c["id"] for c in desk.get("call_taker", "/queue").json()["items"]}
    assert {first["contact_id"], second["contact_id"]} <= queued and third["contact_id"] not in queued
    ended = desk.senders["pbx"].post_json("/channels/phone/events", {"kind": "ended", "call_id": "s-3"})
    assert ended.status_code == 200 and ended.json()["incident_id"] is None  # overflowed: not a call-back
    answered = desk.senders["pbx"].post_json("/channels/phone/events", {"kind": "answered", "call_id": "s-1",
                                             "seat": "call_taker"})  # fmt: skip
    assert answered.status_code == 200, answered.text

    figures = desk.get("call_taker", "/surge").json()
    now = figures["now"]
    assert (now["calls"], now["answered"], now["overflowed"], now["abandoned"]) == (3, 1, 1, 0)
    assert figures["waiting"] == 1
    assert desk.post("call_taker", "/surge/end").status_code == 403
    ended = desk.post("supervisor", "/surge/end")
    assert ended.status_code == 200 and ended.json()["now"] is None and ended.json()["items"][0]["ended_at"]
    assert desk.post("supervisor", "/surge/end").status_code == 409
    after = _ring(desk, "s-4")  # no surge: no announcement, no overflow
    assert after["announcement"] is None and after["overflow_to"] is None


def test_the_call_console_turns_triage_first_and_the_command_screen_starts_and_ends_the_surge(desk):
    client, headers, page = login(desk, "supervisor")
    assert 'id="surge-start"' in page.text and 'id="surge-on"' not in page.text
    refused = client.post("/console/surge", data={"reason": "", "event": "x"}, headers=headers)
    assert "原因" in refused.text
    started = client.post("/console/surge", data={"reason": "国庆灯光节", "event": "灯光节", "triage_first": "1",
                          "overflow_to": "province", "overflow_at": "5"}, headers=headers)  # fmt: skip
    assert started.headers.get("HX-Redirect") == "/console/dashboard", started.text
    board = client.get("/console/dashboard").text
    assert (
        'id="surge-on"' in board and "灯光节" in board and 'id="surge-figures"' in board and 'id="surge-end"' in board
    )

    _, _, calls = login(desk, "call_taker")
    assert 'id="surge-banner"' in calls.text and 'id="more-fields"' in calls.text
    form = calls.text.split('id="call"', 1)[1]
    assert form.index('name="decision"') < form.index('id="location_text"')  # the keys before the rest

    client, headers, _ = login(desk, "supervisor")
    assert client.post("/console/surge/end", headers=headers).headers.get("HX-Redirect") == "/console/dashboard"
    _, _, calls = login(desk, "call_taker")
    assert 'id="surge-banner"' not in calls.text and 'id="more-fields"' not in calls.text
