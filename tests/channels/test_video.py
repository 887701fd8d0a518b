"""Video alarms through their real routes: the caller's page starts a call that rings in the one queue; offer,
answer and candidates pass through lifeline, each side reading the other's; the seat that took the call keeps
snapshots, which go onto the incident when the call is recorded. Each caller reaches only their own call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from tests.channels.pictures import photo
from tests.web.test_consoles import login

from lifeline.auth.models import Organisation
from lifeline.auth.service import SYSTEM, add_org
from lifeline.diversion.models import WorkOrder
from lifeline.store.engine import transaction
from lifeline.web.video import QUIET_SECONDS, hang_up_quiet_callers

MARKET = (23.1291, 113.2644)


def _start(client, **fields):
    return client.post("/alarm/calls", json={"number": "13912345678", "address": "人民路口", "lat": MARKET[0],
                                             "lon": MARKET[1], "accuracy_m": 8, **fields})  # fmt: skip


def test_a_video_alarm_rings_signals_pass_both_ways_and_snapshots_land_on_the_incident(api):
    client = api.client
    with transaction(client.app.state.sessions) as session:
        add_org(session, SYSTEM, "INS", "示范财产保险", "insurer", "CITY", serves="insurer")
    assert "视频报警" in client.get("/alarm").text
    started = _start(client)
    assert started.status_code == 200, started.text
    call, secret = started.json()["contact_id"], started.json()["secret"]
    caller = {"X-Alarm-Secret": secret}
    queued = api.get("call_taker", "/queue").json()["items"]
    assert [(c["id"], c["channel"], c["state"], c["floor"]) for c in queued] == [(call, "video", "ringing", 2)]
    assert (queued[0]["lat"], queued[0]["accuracy_m"]) == (MARKET[0], 8)

    offer = {"kind": "offer", "body": {"type": "offer", "sdp": "v=0 (the caller's offer)"}}
    assert client.post(f"/alarm/calls/{call}/signals", json=offer, headers=caller).status_code == 200
    guessed = client.post(f"/alarm/calls/{call}/signals", json=offer, headers={"X-Alarm-Secret": "guess"})
    assert guessed.status_code == 404
    assert client.post(f"/alarm/calls/{call}/signals", json={"kind": "answer"}, headers=caller).status_code == 422

    seat, headers, _ = login(api, "call_taker")
    taken = seat.post(f"/console/contacts/{call}/take", headers=headers)
    assert taken.status_code == 200 and 'id="video-desk"' in taken.text
    read = seat.get(f"/console/contacts/{call}/signals?after=0").json()
    assert [s["kind"] for s in read["signals"]] == ["offer"] and read["signals"][0]["body"]["sdp"].startswith("v=0")
    answer = seat.post(f"/console/contacts/{call}/signals", json={"kind": "answer", "body": {"type": "answer",
                       "sdp": "v=0 (the desk's answer)"}}, headers=headers)  # fmt: skip
    assert answer.status_code == 200, answer.text
    film = seat.post(f"/console/contacts/{call}/signals", json={"kind": "request", "body": {"text": "请拍摄现场"}},
                     headers=headers)  # fmt: skip
    assert film.status_code == 200
    heard = client.get(f"/alarm/calls/{call}/signals?after=0", headers=caller).json()
    assert [s["kind"] for s in heard["signals"]] == ["answer", "request"]

    shot = seat.post(f"/console/contacts/{call}/snapshot?label=甲方车牌", content=photo(4, at=MARKET),
                     headers={**headers, "Content-Type": "image/jpeg"})  # fmt: skip
    assert shot.status_code == 200, shot.text
    assert seat.post(f"/console/contacts/{call}/snapshot", content=b"<svg/>", headers=headers).status_code == 422
    recorded = seat.post("/console/calls", data={"decision": "police", "text": "两车刮擦，没人受伤，对方不肯挪车",
                                                 "contact_id": str(call)}, headers=headers)  # fmt: skip
    assert "警情 #" in recorded.text, recorded.text
    contact = api.get("call_taker", f"/contacts/{call}").json()
    assert contact["incident_id"] and [(a["kind"], a["label"]) for a in contact["attachments"]] == [
        ("snapshot", "甲方车牌")
    ]
    page = seat.get(f"/console/incidents/{contact['incident_id']}").text
    assert 'data-kind="snapshot"' in page and "甲方车牌" in page and 'id="accident-form"' in page

    # 快处快赔: the responsibility recorded, the claim to the insurer as a linkage organisation.
    settled = seat.post(f"/console/incidents/{contact['incident_id']}/accident", headers=headers,
                        data={"responsibility": "a_full", "insurer": "INS", "note": "甲方追尾，双方认可"})  # fmt: skip
    assert "工单 #" in settled.text, settled.text
    with transaction(api.client.app.state.sessions) as session:
        order = session.scalar(select(WorkOrder).where(WorkOrder.incident_id == contact["incident_id"]))
        assert session.get(Organisation, order.org_id).code == "INS" and "甲方全责" in order.text
    log = api.get("supervisor", f"/incidents/{contact['incident_id']}/events").json()
    assert any(e["kind"] == "incident.accident_settled" for e in log["items"])
    refused = seat.post(f"/console/incidents/{contact['incident_id']}/accident", headers=headers,
                        data={"responsibility": "a_full", "insurer": "MARKET"})  # fmt: skip
    assert "保险公司" in refused.text  # a department is not an insurer

    bye = client.post(f"/alarm/calls/{call}/signals", json={"kind": "bye"}, headers=caller)
    assert bye.status_code == 200
    assert client.get(f"/alarm/calls/{call}/signals", headers=caller).json()["state"] == "ended"


def test_only_the_seat_that_took_the_video_call_works_it(api):
    call = _start(api.client).json()["contact_id"]
    seat, headers, _ = login(api, "call_taker")
    seat.post(f"/console/contacts/{call}/take", headers=headers)
    other, other_headers, _ = login(api, "supervisor")
    assert other.get(f"/console/contacts/{call}/signals").status_code == 409
    assert other.post(f"/console/contacts/{call}/snapshot", content=photo(1), headers=other_headers).status_code == 409


def test_video_alarms_are_bounded_per_address_and_checked(api):
    client = api.client
    assert _start(client, lat=91).status_code == 422
    assert _start(client, lon=None).status_code == 422  # a latitude without a longitude
    assert _start(client, number="call me").status_code == 422
    answers = [_start(client).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_a_video_alarm_nobody_answered_becomes_a_call_back_and_a_closed_page_hangs_up(api):
    client = api.client
    first = _start(client).json()
    assert client.post(f"/alarm/calls/{first['contact_id']}/signals", json={"kind": "bye"},
                       headers={"X-Alarm-Secret": first["secret"]}).status_code == 200  # fmt: skip
    waiting = api.get("call_taker", "/callbacks").json()["items"]
    dropped = api.get("call_taker", f"/contacts/{first['contact_id']}").json()
    assert dropped["state"] == "abandoned" and dropped["incident_id"] in [w["incident_id"] for w in waiting]

    second = _start(client).json()  # the caller's page asks for news, then the phone is put away
    live = _start(client, number="13700000000").json()  # another caller's page keeps asking
    later = datetime.now(UTC) + timedelta(seconds=QUIET_SECONDS - 5)
    client.app.state.clock = lambda: later
    client.get(f"/alarm/calls/{live['contact_id']}/signals", headers={"X-Alarm-Secret": live["secret"]})
    client.app.state.clock = lambda: later + timedelta(seconds=10)
    hang_up_quiet_callers(client.app)
    gone = api.get("call_taker", f"/contacts/{second['contact_id']}").json()
    assert gone["state"] == "abandoned" and gone["incident_id"]
    assert [c["id"] for c in api.get("call_taker", "/queue").json()["items"]] == [live["contact_id"]]
