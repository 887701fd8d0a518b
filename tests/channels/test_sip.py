"""The SIP adapter with a real SIP phone (Debian's baresip) calling it over UDP: a call rings with the caller's
number, a seat picks up and the phone is connected, either side hangs up, a call dropped before answer says so, and
the one-click transfer REFERs the caller to 12345, where the call arrives with the caller's number. Then the
whole desk: the call pops in the one queue with the caller's history, and is picked up from there."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.channels.baresip import Phone, need_baresip
from tests.channels.conftest import until
from tests.conftest import Api

from lifeline.auth.models import User
from lifeline.auth.service import SYSTEM, principal_of
from lifeline.channels import service as channels
from lifeline.channels.sip import SipSwitch, parse, response
from lifeline.desk import contacts
from lifeline.incidents import service as incidents
from lifeline.settings import Settings
from lifeline.store.engine import transaction
from lifeline.web.app import create_app
from lifeline.web.telephony import move_call

NUMBER = "13912345678"


@pytest.fixture
def line():
    events = []
    switch = SipSwitch("127.0.0.1", 0, events.append)
    switch.start()
    yield switch, events
    switch.stop()


@pytest.fixture
def phone(tmp_path):
    need_baresip()
    found = Phone(tmp_path / "phone", NUMBER)
    yield found
    found.stop()


def _kinds(events, call_id=None):
    return [e.kind for e in events if call_id is None or e.call_id == call_id]


def test_a_real_call_rings_is_answered_and_hung_up_by_the_caller(line, phone):
    switch, events = line
    host, port = switch.address
    phone.dial(f"sip:110@{host}:{port}")
    ringing = until(lambda: next((e for e in events if e.kind == "ringing"), None))
    assert (ringing.caller, ringing.called) == (NUMBER, "110")
    assert [c["state"] for c in switch.calls()] == ["ringing"]
    switch.answer(ringing.call_id, "call_taker")
    phone.wait_for("CALL_ESTABLISHED")  # the phone heard 200 OK and sent its ACK
    phone.command("hangup")
    ended = until(lambda: next((e for e in events if e.kind == "ended"), None))
    assert (ended.answered, ended.reason, ended.seat) == (True, "caller_hangup", "call_taker")
    assert _kinds(events) == ["ringing", "answered", "ended"] and switch.calls() == []


def test_a_call_dropped_before_anyone_answers_says_so(line, phone):
    switch, events = line
    phone.dial(f"sip:110@{switch.address[0]}:{switch.address[1]}")
    ringing = until(lambda: next((e for e in events if e.kind == "ringing"), None))
    phone.command("hangup")  # the caller gives up while it rings: CANCEL
    ended = until(lambda: next((e for e in events if e.kind == "ended"), None))
    assert (ended.call_id, ended.answered, ended.reason) == (ringing.call_id, False, "cancelled")
    with pytest.raises(KeyError):
        switch.answer(ringing.call_id, "call_taker")


def test_the_desk_hangs_up(line, phone):
    switch, events = line
    phone.dial(f"sip:110@{switch.address[0]}:{switch.address[1]}")
    ringing = until(lambda: next((e for e in events if e.kind == "ringing"), None))
    switch.answer(ringing.call_id, "call_taker")
    phone.wait_for("CALL_ESTABLISHED")
    switch.hangup(ringing.call_id)
    phone.wait_for("CALL_CLOSED")
    assert _kinds(events) == ["ringing", "answered", "ended"] and events[-1].reason == "desk_hangup"


def test_a_transfer_to_12345_reaches_it_with_the_callers_number(line, phone):
    switch, events = line
    hotline_events = []
    hotline = SipSwitch("127.0.0.1", 0, hotline_events.append)  # the 12345 centre's line
    hotline.start()
    try:
        phone.dial(f"sip:110@{switch.address[0]}:{switch.address[1]}")
        ringing = until(lambda: next((e for e in events if e.kind == "ringing"), None))
        switch.answer(ringing.call_id, "call_taker")
        phone.wait_for("CALL_ESTABLISHED")
        switch.transfer(ringing.call_id, f"sip:12345@{hotline.address[0]}:{hotline.address[1]}", caller=NUMBER)
        arrived = until(lambda: next((e for e in hotline_events if e.kind == "ringing"), None))
        assert (arrived.caller, arrived.called) == (NUMBER, "12345")  # the caller's own phone calls 12345
        hotline.answer(arrived.call_id, "hotline_operator")  # 12345 picks up: the phone lets 110's leg go
        ended = until(lambda: next((e for e in events if e.kind == "ended"), None))
        assert ended.reason == "transferred"
    finally:
        hotline.stop()


def test_what_is_not_sip_is_dropped_and_the_line_goes_on(line):
    switch, events = line
    import socket

    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for junk in (b"", b"hello", b"INVITE sip:x SIP/2.0\r\nno-colon-here\r\n\r\n", bytes(range(256)) * 4,
                 b"INVITE sip:110@h SIP/2.0\r\nCall-ID: 1\r\nCSeq: x INVITE\r\n\r\n"):  # fmt: skip
        sender.sendto(junk, switch.address)
    options = (b"OPTIONS sip:110@h SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\nFrom: <sip:a@h>;tag=1\r\n"
               b"To: <sip:110@h>\r\nCall-ID: opt-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")  # fmt: skip
    sender.settimeout(2)
    sender.sendto(options, switch.address)
    answer = parse(sender.recvfrom(65535)[0])
    assert answer.status == 200 and answer.get("call-id") == "opt-1"
    assert events == []
    sender.close()
    assert response(answer, 200, "OK").startswith(b"SIP/2.0 200 OK")


def shown_call_id(client) -> str:
    return client.app.state.telephony.switch.calls()[0]["call_id"]


def test_a_real_call_pops_at_the_seat_with_the_callers_history_and_follows_a_transfer(database, tmp_path):
    need_baresip()
    url, tokens = database
    from lifeline.web.process import free_port

    port = free_port()
    settings = Settings(database_url=url, outbox_dir=tmp_path / "outbox", sip_listen=f"127.0.0.1:{port}")
    phone = Phone(tmp_path / "phone", NUMBER)
    with TestClient(create_app(settings)) as client:
        api = Api(client, tokens)
        with transaction(client.app.state.sessions) as session:
            channels.add_sender(session, SYSTEM, "sip", "phone", "C110")
        earlier = api.report("楼下有人吵架", caller_number=NUMBER)["incident"]["id"]  # the caller's history
        try:
            phone.dial(f"sip:110@127.0.0.1:{port}")
            rows = until(lambda: api.get("call_taker", "/queue").json()["items"])
            assert [(r["channel"], r["state"], r["caller_number"]) for r in rows] == [("voice", "ringing",
                                                                                        "139****5678")]  # fmt: skip
            taken = api.post("call_taker", f"/contacts/{rows[0]['id']}/take")
            assert taken.status_code == 200, taken.text
            phone.wait_for("CALL_ESTABLISHED")  # picking up at the seat picked up the line
            shown = taken.json()
            assert shown["caller_number"] == NUMBER and shown["seat"] == "call_taker"
            assert earlier in [i["id"] for i in shown["history"]["incidents"]]
            # The seat records the call (as the console's F-key does), then transfers it: the line follows.
            with transaction(client.app.state.sessions) as session:
                seat = principal_of(session.scalar(select(User).where(User.username == "call_taker")), "session")
                taken, _ = contacts.record_call(session, seat, client.app.state.desk, rows[0]["id"],
                                                incidents.ReportIn(text="想问一下身份证补办"))  # fmt: skip
            hotline_events = []
            hotline = SipSwitch("127.0.0.1", 0, hotline_events.append)
            hotline.start()
            try:
                moved = move_call(client.app, taken.incident.id, target=f"sip:12345@127.0.0.1:{hotline.address[1]}")
                assert moved == shown_call_id(client)
                arrived = until(lambda: next((e for e in hotline_events if e.kind == "ringing"), None))
                assert arrived.caller == NUMBER
                hotline.answer(arrived.call_id, "hotline_operator")
                ended = until(lambda: api.get("call_taker", f"/contacts/{rows[0]['id']}").json())
                until(lambda: api.get("call_taker", f"/contacts/{rows[0]['id']}").json()["state"] == "ended")
                assert ended["incident_id"] == taken.incident.id
            finally:
                hotline.stop()
        finally:
            phone.stop()
        client.app.state.engine.dispose()


def _invite(call_id: str, number: str) -> bytes:
    return (f"INVITE sip:110@h SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK{call_id}\r\n"
            f"From: <sip:{number}@h>;tag=a{call_id}\r\nTo: <sip:110@h>\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:{number}@127.0.0.1:9>\r\nContent-Length: 0\r\n\r\n").encode()  # fmt: skip


def test_in_a_surge_the_line_redirects_a_call_beyond_the_mark_to_the_overflow_desk(database, tmp_path):
    import socket

    url, tokens = database
    from lifeline.web.process import free_port

    port = free_port()
    settings = Settings(database_url=url, outbox_dir=tmp_path / "outbox", sip_listen=f"127.0.0.1:{port}")
    with TestClient(create_app(settings)) as client:
        api = Api(client, tokens)
        with transaction(client.app.state.sessions) as session:
            channels.add_sender(session, SYSTEM, "sip", "phone", "C110")
        surge = {"reason": "台风", "overflow_to": "sip:110@10.0.0.9:5060", "overflow_at": 1}
        assert api.post("supervisor", "/surge", json=surge).status_code == 201
        caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        caller.settimeout(5)
        try:
            caller.sendto(_invite("ov-1", "13900000001"), ("127.0.0.1", port))
            assert [parse(caller.recvfrom(65535)[0]).status for _ in range(2)] == [100, 180]  # it rings at a seat
            caller.sendto(_invite("ov-2", "13900000002"), ("127.0.0.1", port))  # one waits: the mark is reached
            answers = [parse(caller.recvfrom(65535)[0]) for _ in range(3)]
            assert [a.status for a in answers] == [100, 180, 302]
            assert answers[2].get("contact") == "<sip:110@10.0.0.9:5060>" and answers[2].get("call-id") == "ov-2"
        finally:
            caller.close()
        now = until(lambda: (api.get("supervisor", "/surge").json()["now"] or {}).get("overflowed") == 1)
        assert now
        queue = api.get("call_taker", "/queue").json()["items"]
        assert [r["caller_number"] for r in queue] == ["139****0001"]  # the overflowed call waits nowhere here
        assert api.get("call_taker", "/callbacks").json()["items"] == []  # and is not called back
        client.app.state.engine.dispose()
