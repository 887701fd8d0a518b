"""The supervisor's command screen in Chromium (tests/browser/command.mjs): a P1 left waiting seven minutes shows in
the waiting tiles and lowers 1分钟派警率; a call dispatched within the minute moves the tiles live; English mode."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta

from tests.browser.conftest import Server, run_node

KNIFE = "有人拿刀在菜市场门口追着砍人，已经有人受伤了"


def call(server: Server, user: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {server.tokens[user]}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def waiting_p1(server: Server) -> int:
    """A knife attack the switch logged seven minutes ago, confirmed and still waiting for a unit."""
    received = datetime.now(UTC) - timedelta(minutes=7)
    report = call(server, "call_taker", "/reports", {"text": KNIFE, "received_at": received.isoformat()})
    iid = report["incident"]["id"]
    confirmed = call(server, "call_taker", f"/incidents/{iid}/confirm", {})
    assert confirmed["disposition"] in ("police", "joint") and confirmed["priority"] == 1, confirmed
    return iid


def test_the_command_screen_shows_what_waits_and_follows_it_live(browser, server):
    iid = waiting_p1(server)
    done = run_node("command.mjs", server, LIFELINE_WAITING=str(iid))
    assert done.returncode == 0, f"command.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
    assert "all steps passed" in done.stdout
