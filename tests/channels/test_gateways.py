"""Outbound messages through a gateway: stored first, handed to an HTTP gateway (a real local server that checks
the signature) or the file gateway, retried on failure on the documented schedule, then marked failed."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from tests.channels.test_contacts import _sms

from lifeline.channels import gateways
from lifeline.channels import service as channels
from lifeline.channels.models import ContactMessage
from lifeline.peering.peers import sign
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction


class Gateway(BaseHTTPRequestHandler):
    """An SMS gateway: checks lifeline's signature, answers with its own reference or with an error."""

    secret = ""
    failing = False
    got: ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        good = sign(self.secret, self.headers["X-Lifeline-Timestamp"], body) == self.headers["X-Lifeline-Signature"]
        status = 500 if self.failing else (200 if good else 401)
        Gateway.got.append((json.loads(body), good))
        answer = json.dumps({"ref": f"GW-{len(Gateway.got)}"}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def _queued(desk, n: int = 1) -> int:
    """A reply waiting to be sent, in conversation `n` (its own number)."""
    contact = _sms(desk, f"g-{n}", "我要报警，有人偷车", number=f"1391234567{n}").json()["contact_id"]
    desk.post("call_taker", f"/contacts/{contact}/take")
    return desk.post("call_taker", f"/contacts/{contact}/messages", {"text": "民警马上到"}).json()["id"]


def test_an_http_gateway_gets_the_signed_message_and_a_failing_one_is_retried_then_given_up(desk):
    desk.client.app.state.courier.stop()  # this test moves the clock itself
    Gateway.got = []
    with desk.session() as session:
        Gateway.secret = next(s.secret for s in channels.senders(session) if s.name == "gw-sms")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        http = {"sms": gateways.HttpGateway(f"http://127.0.0.1:{server.server_port}/send")}
        message_id = _queued(desk)
        with transaction(desk.client.app.state.sessions) as session:
            assert gateways.deliver(session, http, utcnow()) == 1
        sent, good = Gateway.got[-1]
        assert good and (sent["message_id"], sent["to"], sent["text"]) == (str(message_id), "13912345671", "民警马上到")
        with desk.session() as session:
            row = session.get(ContactMessage, message_id)
            assert (row.state, row.gateway_ref, row.attempts) == ("sent", "GW-1", 1)

        Gateway.failing = True
        failing = _queued(desk, 2)
        at = utcnow()
        for pause in (*channels.RETRY_AFTER, None):
            with transaction(desk.client.app.state.sessions) as session:
                assert gateways.deliver(session, http, at) == 1
                assert gateways.deliver(session, http, at) == 0  # not due again before its pause
            with desk.session() as session:
                row = session.get(ContactMessage, failing)
                if pause is None:
                    assert row.state == "failed" and "500" in row.error
                else:
                    assert row.state == "queued" and row.next_at == at + timedelta(seconds=pause)
                    at = row.next_at
        assert row.attempts == len(channels.RETRY_AFTER) + 1
    finally:
        Gateway.failing = False
        server.shutdown()


def test_a_gateway_nobody_configured_is_a_failed_try_not_a_lost_message(desk):
    desk.client.app.state.courier.stop()
    message_id = _queued(desk)
    with transaction(desk.client.app.state.sessions) as session:
        gateways.deliver(session, {}, utcnow())
    with desk.session() as session:
        row = session.get(ContactMessage, message_id)
        assert row.state == "queued" and row.attempts == 1 and "网关" in row.error  # kept, to try again
