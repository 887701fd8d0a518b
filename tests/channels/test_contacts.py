"""Every channel into one queue, through the real interfaces: signed webhooks in, the desk's API out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.channels.conftest import POST_AT, jpeg, until
from tests.channels.pictures import photo

NUMBER = "13912345678"
MARKET = (23.1291, 113.2644)


def _sms(desk, message_id: str, text: str, number: str = NUMBER, at: datetime | None = None):
    at = at or datetime.now(UTC)
    payload = {"message_id": message_id, "from": number, "to": "12110", "text": text, "received_at": at.isoformat()}
    return desk.senders["gw-sms"].post_json("/channels/sms/inbound", payload)


def _alarm(desk, alarm_id: str, files=(), **fields):
    payload = {"alarm_id": alarm_id, "caller_number": "13700001111", **fields}
    response, _, _ = desk.senders["app-110"].post_form("/channels/app/alarms", "alarm", payload,
                                                       [("media", data, "image/jpeg") for data in files])  # fmt: skip
    return response


def _press(desk, press_id: str, snapshot: bytes | None = None, code: str = "NJ-001"):
    files = [("snapshot", snapshot, "image/jpeg")] if snapshot else []
    response, _, _ = desk.senders["posts"].post_form(f"/channels/posts/{code}/press", "press", {"press_id": press_id},
                                                     files)  # fmt: skip
    return response


def _phone(desk, kind: str, call_id: str, **fields):
    return desk.senders["pbx"].post_json("/channels/phone/events", {"kind": kind, "call_id": call_id, **fields})


def test_an_sms_thread_of_three_is_one_incident_answered_from_the_desk_with_a_receipt(desk):
    first = _sms(desk, "m-1", "我被人跟踪了，不方便打电话")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "accepted"
    contact_id, incident_id = first.json()["contact_id"], first.json()["incident_id"]
    assert incident_id is not None
    for n, text in ((2, "在人民路地铁站B口附近"), (3, "他手里好像有刀")):
        later = _sms(desk, f"m-{n}", text)
        assert later.status_code == 200, later.text
        assert (later.json()["contact_id"], later.json()["incident_id"]) == (contact_id, incident_id)
    again = _sms(desk, "m-2", "在人民路地铁站B口附近")  # the gateway resends: acknowledged, ignored
    assert again.json()["status"] == "duplicate"
    assert desk.count("contact_messages") == 3 and desk.count("incidents") == 1

    incident = desk.get("call_taker", f"/incidents/{incident_id}").json()
    assert incident["disposition"] in ("police", "joint")  # the knife in the third message counts
    assert not incident["callback_required"]  # a text is answered in its conversation, never by a voice call-back

    taken = desk.post("call_taker", f"/contacts/{contact_id}/take")
    assert taken.status_code == 200, taken.text
    assert taken.json()["caller_number"] == NUMBER  # the seat that took it reads the full number (recorded)
    assert [m["text"] for m in taken.json()["messages"]][-1] == "他手里好像有刀"
    reply = desk.post("call_taker", f"/contacts/{contact_id}/messages", {"text": "请保持安全，民警正在赶来"})
    assert reply.status_code == 201, reply.text
    message_id = reply.json()["id"]

    spool = desk.outbox / "sms.jsonl"
    line = until(lambda: spool.exists() and spool.read_text(encoding="utf-8").strip())
    sent = json.loads(line.splitlines()[-1])
    assert (sent["message_id"], sent["to"], sent["text"]) == (str(message_id), NUMBER, "请保持安全，民警正在赶来")
    receipt = desk.senders["gw-sms"].post_json("/channels/sms/receipts", {"message_id": str(message_id),
                                                                           "status": "delivered"})  # fmt: skip
    assert receipt.status_code == 200, receipt.text
    shown = desk.get("call_taker", f"/contacts/{contact_id}").json()
    out = next(m for m in shown["messages"] if m["direction"] == "out")
    assert out["state"] == "delivered" and out["delivered_at"]


def test_a_later_message_past_the_window_opens_a_new_conversation(desk):
    early = datetime.now(UTC) - timedelta(hours=2)
    first = _sms(desk, "old-1", "楼下有人吵架", at=early).json()
    second = _sms(desk, "new-1", "我家门口有人撬锁").json()
    assert first["contact_id"] != second["contact_id"] and first["incident_id"] != second["incident_id"]


def test_a_signed_app_alarm_with_a_photo_lands_at_the_device_location(desk):
    picture = photo(1, at=(23.2, 113.3))  # the photo was taken elsewhere: shown beside, the device wins
    response = _alarm(desk, "a-1", [picture], text="有人在砸车窗", lat=MARKET[0], lon=MARKET[1], accuracy_m=12,
                      address="随便写的地址")  # fmt: skip
    assert response.status_code == 201, response.text
    incident = desk.get("call_taker", f"/incidents/{response.json()['incident_id']}").json()
    assert (incident["lat"], incident["lon"]) == MARKET
    contact = desk.post("call_taker", f"/contacts/{response.json()['contact_id']}/take").json()
    assert contact["accuracy_m"] == 12
    [attachment] = contact["attachments"]
    assert round(attachment["lat"], 3) == 23.2 and round(attachment["lon"], 3) == 113.3
    shown = desk.client.get(attachment["url"], headers={"Authorization": f"Bearer {desk.tokens['call_taker']}"})
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.content[:3] == b"\xff\xd8\xff" and b"Exif" not in shown.content and b"TestPhone" not in shown.content
    # A department that has nothing to do with the incident does not see it.
    refused = desk.client.get(attachment["url"], headers={"Authorization": f"Bearer {desk.tokens['agency_handler']}"})
    assert refused.status_code == 404


def test_a_forged_replayed_stale_or_misaddressed_alarm_is_refused_and_stores_nothing(desk):
    sender = desk.senders["app-110"]
    tables = ("contacts", "incidents", "reports", "attachments", "media_blobs", "channel_signatures")
    before = {t: desk.count(t) for t in tables}
    payload = {"alarm_id": "f-1", "text": "有人打架"}
    forged, _, _ = sender.post_form("/channels/app/alarms", "alarm", payload, secret="not-the-secret")
    assert forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
    assert "签名" in forged.json()["detail"]
    stale = (datetime.now(UTC) - timedelta(minutes=6)).isoformat()
    old, _, _ = sender.post_form("/channels/app/alarms", "alarm", payload, stamp=stale)
    assert old.status_code == 401 and "5" in old.json()["detail"]
    other = desk.senders["gw-sms"]  # a genuine SMS gateway may not send app alarms
    wrong, _, _ = other.post_form("/channels/app/alarms", "alarm", payload)
    assert wrong.status_code == 403
    assert {t: desk.count(t) for t in tables} == before

    good, body, headers = sender.post_form("/channels/app/alarms", "alarm", payload)
    assert good.status_code == 201, good.text
    replayed = desk.client.post("/api/v1/channels/app/alarms", content=body, headers=headers)
    assert replayed.status_code == 401 and "重放" in replayed.json()["detail"]
    assert desk.count("contacts") == before["contacts"] + 1


def test_a_silent_alarm_is_p1_and_never_called_back_by_voice(desk):
    response = _alarm(desk, "s-1", silent=True, lat=MARKET[0], lon=MARKET[1])
    assert response.status_code == 201, response.text
    incident = desk.get("call_taker", f"/incidents/{response.json()['incident_id']}").json()
    assert incident["priority"] == 1 and incident["disposition"] in ("police", "joint")
    assert not incident["callback_required"]
    queued = desk.get("call_taker", "/queue").json()["items"]
    row = next(c for c in queued if c["id"] == response.json()["contact_id"])
    assert row["silent"] and row["text_only"] and row["floor"] == 1
    callbacks = desk.get("call_taker", "/callbacks").json()
    assert all(c["incident_id"] != incident["id"] for c in callbacks["items"])


def test_an_alarm_post_press_opens_a_p1_contact_at_the_post_with_its_snapshot(desk):
    response = _press(desk, "p-1", snapshot=jpeg(3))
    assert response.status_code == 201, response.text
    incident = desk.get("call_taker", f"/incidents/{response.json()['incident_id']}").json()
    assert (incident["lat"], incident["lon"]) == POST_AT
    assert incident["priority"] == 1 and incident["disposition"] == "police"
    row = next(c for c in desk.get("call_taker", "/queue").json()["items"] if c["id"] == response.json()["contact_id"])
    assert row["channel"] == "alarm_post" and row["state"] == "ringing" and row["post"] == "南京站北广场 1 号柱"
    taken = desk.post("call_taker", f"/contacts/{row['id']}/take").json()
    assert [a["kind"] for a in taken["attachments"]] == ["snapshot"]
    talk = desk.post("call_taker", "/posts/NJ-001/commands", {"kind": "talk", "text": "请说明情况，民警马上到"})
    assert talk.status_code == 201, talk.text
    beat = desk.senders["posts"].post_json("/channels/posts/NJ-001/heartbeat", {"status": {"camera": True}})
    assert [c["text"] for c in beat.json()["commands"]] == ["请说明情况，民警马上到"]
    acked = desk.senders["posts"].post_json("/channels/posts/NJ-001/heartbeat", {"acked": [talk.json()["id"]]})
    assert acked.json()["commands"] == []


def test_a_post_that_stops_its_heartbeat_shows_on_the_health_board(desk):
    assert desk.get("call_taker", "/posts").json()["items"][0]["health"] == "never"
    desk.senders["posts"].post_json("/channels/posts/NJ-001/heartbeat", {"status": {"camera": True}})
    assert desk.get("call_taker", "/posts").json()["items"][0]["health"] == "ok"
    app = desk.client.app
    app.state.clock = lambda: datetime.now(UTC) + timedelta(seconds=91)  # three beats of 30 s missed
    try:
        post = desk.get("call_taker", "/posts").json()["items"][0]
    finally:
        app.state.clock = lambda: datetime.now(UTC)
    assert post["health"] == "silent" and post["silent_for_seconds"] > 90


def test_a_post_speaks_only_for_itself(desk):
    desk.register("posts-2", "post")
    response, _, _ = desk.senders["posts-2"].post_form("/channels/posts/NJ-001/press", "press", {"press_id": "x"})
    assert response.status_code == 403
    assert desk.count("contacts") == 0


def test_a_phone_call_rings_is_answered_at_a_seat_and_a_dropped_one_becomes_a_call_back(desk):
    rang = _phone(desk, "ringing", "call-1", caller="+86 139-1234-5678", lat=MARKET[0], lon=MARKET[1])
    assert rang.status_code == 200, rang.text
    row = next(c for c in desk.get("call_taker", "/queue").json()["items"] if c["id"] == rang.json()["contact_id"])
    assert row["state"] == "ringing" and row["caller_number"] == "139****5678"
    answered = _phone(desk, "answered", "call-1", seat="call_taker")
    assert answered.status_code == 200, answered.text
    assert all(c["id"] != row["id"] for c in desk.get("call_taker", "/queue").json()["items"])
    contact = desk.get("call_taker", f"/contacts/{row['id']}").json()
    assert contact["caller_number"] == NUMBER and contact["history"] is not None

    _phone(desk, "ringing", "call-2", caller="13600000000")
    dropped = _phone(desk, "ended", "call-2", reason="caller_hangup")
    assert dropped.status_code == 200 and dropped.json()["incident_id"]
    waiting = desk.get("call_taker", "/callbacks").json()
    assert dropped.json()["incident_id"] in [w["incident_id"] for w in waiting["items"]]
    assert _phone(desk, "answered", "nope", seat="call_taker").status_code == 404
    assert _phone(desk, "answered", "call-1", seat="field_officer").status_code == 422


def test_every_channel_waits_in_one_queue_by_priority_floor_then_waiting_time(desk):
    now = datetime.now(UTC)
    text = _sms(desk, "q-1", "小区门口的路灯坏了好几天", at=now - timedelta(minutes=4)).json()  # floor 3 or 4
    ring = _phone(desk, "ringing", "q-call", caller="13500000000", at=(now - timedelta(minutes=3)).isoformat()).json()
    press = _press(desk, "q-p").json()  # floor 1, newest
    silent = _alarm(desk, "q-s", silent=True, sent_at=(now - timedelta(minutes=2)).isoformat()).json()  # floor 1
    items = desk.get("call_taker", "/queue").json()["items"]
    assert [c["id"] for c in items] == [silent["contact_id"], press["contact_id"], ring["contact_id"],
                                        text["contact_id"]]  # fmt: skip
    assert [c["floor"] for c in items] == sorted(c["floor"] for c in items)
    assert {c["channel"] for c in items} == {"sms", "voice", "alarm_post", "app"}
    assert desk.get("hotline_operator", "/queue").json()["items"] == []  # the 110 desk's queue, not 12345's


def test_the_figures_show_answer_rate_and_time_to_answer_per_channel(desk):
    texts = [_sms(desk, f"k-{n}", "我要报警，有人偷东西", number=f"1380000000{n}").json() for n in range(2)]
    desk.post("call_taker", f"/contacts/{texts[0]['contact_id']}/take")
    _phone(desk, "ringing", "k-call", caller="13500000001")
    _phone(desk, "ended", "k-call")  # dropped: unanswered
    figures = desk.get("supervisor", "/kpis").json()["channels"]
    by = {c["channel"]: c for c in figures}
    sms = {f["key"]: f for f in by["sms"]["figures"]}
    assert (by["sms"]["reports"], by["sms"]["answered"]) == (2, 1)
    assert sms["channel_answer_rate"]["value"] == 0.5 and sms["time_to_answer"]["value"] >= 0
    voice = {f["key"]: f for f in by["voice"]["figures"]}
    assert voice["channel_answer_rate"]["value"] == 0.0 and voice["time_to_answer"]["value"] is None
    assert "answered_at" in sms["time_to_answer"]["formula"]
    supervisor = {"Authorization": f"Bearer {desk.tokens['supervisor']}"}
    page = desk.client.get("/console/figures?period=day", headers=supervisor)
    row = page.text.split('data-channel="sms"')[1].split("</tr>")[0]
    assert "<td>2</td><td>1</td>" in row and "50.0%" in row


def test_bad_input_on_every_webhook_gets_a_4xx_and_stores_nothing(desk):
    tables = ("contacts", "contact_messages", "incidents", "reports", "media_blobs", "channel_signatures",
              "post_commands")  # fmt: skip
    before = {t: desk.count(t) for t in tables}
    sms, app, pbx, post = (desk.senders[n] for n in ("gw-sms", "app-110", "pbx", "posts"))
    client = desk.client
    answers = [
        client.post("/api/v1/channels/sms/inbound", json={"message_id": "u", "from": NUMBER, "text": "x"}).status_code,
        sms.post_json(
            "/channels/sms/inbound",
            {"message_id": "m", "from": "abc", "to": "12110", "text": "x", "received_at": "2026-12-05T10:00:00+08:00"},
        ).status_code,
        sms.post_json(
            "/channels/sms/inbound",
            {"message_id": "m", "from": NUMBER, "to": "12110", "text": "x", "received_at": "2026-12-05T10:00:00"},
        ).status_code,  # no zone
        sms.post_json(
            "/channels/sms/inbound",
            {
                "message_id": "m",
                "from": NUMBER,
                "to": "12110",
                "text": "x" * 3000,
                "received_at": "2026-12-05T10:00:00+08:00",
            },
        ).status_code,
        sms.post_json("/channels/sms/receipts", {"message_id": "999", "status": "delivered"}).status_code,
        pbx.post_json("/channels/phone/events", {"kind": "exploded", "call_id": "c"}).status_code,
        pbx.post_json("/channels/phone/events", {"kind": "ringing", "call_id": "c c"}).status_code,
        _alarm(desk, "bad-1", [b"<html><script>alert(1)</script></html>"]).status_code,
        _alarm(desk, "bad-2", [b""]).status_code,
        _alarm(desk, "bad-3", [jpeg(1)] * 4).status_code,
        _alarm(desk, "bad-4", lat=91, lon=0).status_code,
        _alarm(desk, "bad-5", lat=23.1).status_code,
        post.post_json("/channels/posts/NJ-001/heartbeat", {"acked": "all"}).status_code,
        post.post_form("/channels/posts/NOPE/press", "press", {"press_id": "1"})[0].status_code,
        app.post_json("/channels/app/alarms", {"alarm_id": "json-not-multipart"}).status_code,
    ]
    big_sms = {
        "message_id": "big",
        "from": NUMBER,
        "to": "12110",
        "text": "长" * 200_000,
        "received_at": "2026-12-05T10:00:00+08:00",
    }  # over the 256 KB any JSON webhook takes
    answers.append(sms.post_json("/channels/sms/inbound", big_sms).status_code)
    body = b"x" * (65 * 1024 * 1024)
    answers.append(client.post("/api/v1/channels/app/alarms", content=body, headers={
        **app.headers(body), "Content-Type": "multipart/form-data; boundary=b"}).status_code)  # fmt: skip
    raw = b"--b\r\nContent-Disposition: form-data; name=alarm\r\n\r\n{not json\r\n--b--\r\n"
    answers.append(client.post("/api/v1/channels/app/alarms", content=raw, headers={
        **app.headers(raw), "Content-Type": "multipart/form-data; boundary=b"}).status_code)  # fmt: skip
    broken = b"--b\r\nthis is not a part"
    answers.append(client.post("/api/v1/channels/app/alarms", content=broken, headers={
        **app.headers(broken), "Content-Type": "multipart/form-data; boundary=b"}).status_code)  # fmt: skip
    assert all(400 <= status < 500 for status in answers), str(answers)
    assert answers[-4] == 413 and answers[-3] == 413
    assert {t: desk.count(t) for t in tables} == before


def test_a_registered_deaf_callers_silent_voice_call_is_never_closed_as_invalid(desk):
    silent = desk.report("（无声）", caller_number=NUMBER, channel="voice")["incident"]["id"]
    registered = desk.client.put(f"/api/v1/callers/{NUMBER}/needs", json={"need": "deaf", "name": "王某"},
                                 headers={"Authorization": f"Bearer {desk.tokens['supervisor']}"})  # fmt: skip
    assert registered.status_code == 200, registered.text
    for _ in range(3):  # three call-backs unanswered: the call goes to the supervisor, who may not close it either
        tried = desk.post("call_taker", f"/incidents/{silent}/callbacks", {"outcome": "no_answer", "note": "无人接听"})
        assert tried.status_code == 201, tried.text
    refused = desk.post("supervisor", f"/incidents/{silent}/confirm",
                        {"disposition": "invalid", "reason": "三次回拨未接通"})  # fmt: skip
    assert refused.status_code == 409 and "听障" in refused.json()["detail"]
    assert desk.get("call_taker", f"/incidents/{silent}").json()["state"] != "closed"
    assert (
        desk.client.put(
            f"/api/v1/callers/{NUMBER}/needs",
            json={"need": "deaf"},
            headers={"Authorization": f"Bearer {desk.tokens['call_taker']}"},
        ).status_code
        == 403
    )
    sms = _sms(desk, "d-1", "我是聋人，家里进了小偷", number=NUMBER).json()
    row = next(c for c in desk.get("call_taker", "/queue").json()["items"] if c["id"] == sms["contact_id"])
    assert row["need"] == "deaf" and row["text_only"]


def test_the_posts_are_on_the_map_with_their_health(desk):
    desk.senders["posts"].post_json("/channels/posts/NJ-001/heartbeat", {})
    shown = desk.client.get("/console/map.json", headers={"Authorization": f"Bearer {desk.tokens['dispatcher']}"})
    assert [(p["code"], p["lat"], p["lon"], p["health"]) for p in shown.json()["posts"]] == [("NJ-001", *POST_AT, "ok")]
    assert "报警柱" in shown.json()["legend"]["posts"]["ok"]
