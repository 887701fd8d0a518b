"""A linkage unit that runs its own software gets its order as a signed webhook."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fastapi.testclient import TestClient
from tests.peering.conftest import until

from lifeline.peering.peers import parse, verify
from lifeline.settings import Settings
from lifeline.web.app import create_app

SECRET = "gas-company-secret-0123456789"


class Inbox:
    """The gas company's webhook endpoint: it checks our signature the way lifeline's receiver does."""

    def __init__(self):
        self.messages: list[dict] = []
        self.refused = 0
        ours = parse(
            f"name: gas\npeers:\n  city:\n    url: x\n    role: '110'\n    send_key: k\n    keys: {{k: '{SECRET}'}}\n"
        )
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                problem = verify(
                    ours.peers["city"], self.headers["X-Lifeline-Key-Id"], self.headers["X-Lifeline-Timestamp"],
                    body, self.headers["X-Lifeline-Signature"],
                )  # fmt: skip
                if problem:
                    inbox.refused += 1
                    self.send_response(401)
                else:
                    inbox.messages.append(json.loads(body))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_gas_leak_order_reaches_the_gas_company_webhook_signed(database):
    url, tokens = database
    inbox = Inbox()
    peers = parse(
        f"name: city\npeers:\n  gas:\n    url: {inbox.url}\n    role: linkage\n    serves: [gas]\n"
        f"    send_key: k\n    keys: {{k: '{SECRET}'}}\n"
    )
    headers = {"Authorization": f"Bearer {tokens['call_taker']}"}
    with TestClient(create_app(Settings(database_url=url), peers=peers)) as client:
        got = client.post(
            "/api/v1/reports", json={"text": "楼道里好大的煤气味，好像燃气泄漏了，在幸福小区3栋"}, headers=headers
        )
        incident = got.json()["incident"]
        assert "gas" in incident["destinations"], incident
        # Confirming the joint matter sends its linkage orders, the gas company's among them.
        decided = client.post(f"/api/v1/incidents/{incident['id']}/confirm", json={}, headers=headers)
        assert decided.status_code == 200, decided.text
        made = [
            client.get(f"/api/v1/orders/{order_id}", headers=headers).json()
            for order_id in decided.json()["follow_up"]["orders"]
        ]
        gas = [o for o in made if o["peer"] == "gas"]
        assert len(gas) == 1 and gas[0]["state"] == "sent"
        assert "gas" not in decided.json()["follow_up"]["unserved"]
        assert until(lambda: inbox.messages, timeout=10)
    message = inbox.messages[0]
    assert message["kind"] == "order.create" and message["body"]["uid"] == gas[0]["uid"]
    assert "煤气味" in message["body"]["text"] and inbox.refused == 0
    inbox.server.shutdown()
