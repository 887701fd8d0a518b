"""The one queue in Chromium (tests/browser/queue.mjs): a call rung by the switch and a 12110 text, both signed
by their gateways, are taken at a seat; the call is recorded and sent to police, the text answered, and the
answer goes out through the file gateway and comes back delivered."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from tests.browser.conftest import run_node
from tests.browser.test_roads import get

from lifeline.auth.service import SYSTEM
from lifeline.channels import service as channels
from lifeline.peering.peers import sign
from lifeline.store.engine import make_engine, session_factory, transaction

NUMBER = "13912345678"


def signed(server, name: str, secret: str, path: str, payload: dict) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode()
    stamp = datetime.now(UTC).isoformat()
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}", data=body, method="POST",
        headers={"Content-Type": "application/json", "X-Lifeline-Sender": name, "X-Lifeline-Timestamp": stamp,
                 "X-Lifeline-Signature": sign(secret, stamp, body)},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_a_call_taker_takes_a_call_and_a_text_from_the_one_queue(browser, server):
    engine = make_engine(server.db)
    with transaction(session_factory(engine)) as session:
        _, sms = channels.add_sender(session, SYSTEM, "gw-sms", "sms", "C110")
        _, pbx = channels.add_sender(session, SYSTEM, "pbx", "phone", "C110")
    engine.dispose()
    call = signed(server, "pbx", pbx, "/channels/phone/events", {"kind": "ringing", "call_id": "c-1",
                                                                   "caller": NUMBER})  # fmt: skip
    text = signed(server, "gw-sms", sms, "/channels/sms/inbound", {
        "message_id": "m-1", "from": "13700001111", "to": "12110", "text": "我是聋人，想问身份证丢了怎么补办",
        "received_at": datetime.now(UTC).isoformat()})  # fmt: skip
    done = run_node("queue.mjs", server, LIFELINE_CALL_CONTACT=str(call["contact_id"]),
                    LIFELINE_TEXT_CONTACT=str(text["contact_id"]), LIFELINE_NUMBER=NUMBER)  # fmt: skip
    assert done.returncode == 0, f"queue.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout

    recorded = get(server, "call_taker", f"/contacts/{call['contact_id']}")
    incident = get(server, "call_taker", f"/incidents/{recorded['incident_id']}")
    assert (incident["disposition"], incident["priority"]) == ("police", 1)
    assert incident["caller_number"] == "139****5678" and incident["reports"][0]["channel"] == "voice"
    spool = Path(server.db.removeprefix("sqlite:///")).parent / "outbox" / "sms.jsonl"
    deadline = time.monotonic() + 10
    while not spool.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    sent = json.loads(spool.read_text(encoding="utf-8").splitlines()[-1])
    assert sent["to"] == "13700001111" and "户籍窗口" in sent["text"]
    signed(server, "gw-sms", sms, "/channels/sms/receipts", {"message_id": sent["message_id"], "status": "delivered"})
    thread = get(server, "call_taker", f"/contacts/{text['contact_id']}")["messages"]
    assert [m["state"] for m in thread if m["direction"] == "out"] == ["delivered"]
