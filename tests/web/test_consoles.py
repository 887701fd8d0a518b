"""The consoles through HTTP, as a browser without JavaScript sees them (the browser tests add the rest)."""

from __future__ import annotations

import re
import time

from tests.conftest import PASSWORD


def login(api, username):
    client = api.client
    client.cookies.clear()
    answer = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    return client, {"X-CSRF-Token": csrf, "HX-Request": "true"}, page


def test_login_lands_each_role_on_its_console(api):
    for username, path in [("call_taker", "/console/calls"), ("dispatcher", "/console/dispatch"),
                           ("field_officer", "/console/field"), ("hotline_operator", "/console/orders"),
                           ("agency_handler", "/console/orders"),
                           ("supervisor", "/console/dashboard"), ("admin", "/console/dashboard")]:  # fmt: skip
        client = api.client
        client.cookies.clear()
        answer = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
        assert answer.headers["location"] == path
    client.cookies.clear()
    wrong = client.post("/login", data={"username": "call_taker", "password": "nope"})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert client.get("/console/calls", follow_redirects=False).headers["location"] == "/login"


def test_live_triage_answers_while_typing_and_marks_the_cues(api):
    client, headers, page = login(api, "call_taker")
    assert "接警台" in page.text and 'data-key="F2"' in page.text
    started = time.perf_counter()
    answer = client.post(
        "/console/triage", data={"text": "楼下有人拿刀砍人，已经有人流血了", "channel": "voice"}, headers=headers
    )
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200 and 'data-disposition="' in answer.text
    assert 'class="cue-active"' in answer.text
    assert elapsed < 0.5
    assert client.post("/console/triage", data={"text": "x"}).status_code == 403  # no CSRF token


def test_one_key_records_and_routes_the_call(api):
    client, headers, _ = login(api, "call_taker")
    police = client.post(
        "/console/calls", data={"decision": "police", "text": "有人拿刀在菜市场门口追着砍人"}, headers=headers
    )
    assert "已派警" in police.text and police.headers["HX-Trigger"] == "call-recorded"
    divert = client.post(
        "/console/calls", data={"decision": "divert", "text": "超市卖过期食品，要求退款不给退"}, headers=headers
    )
    assert "工单" in divert.text
    override = client.post("/console/calls", data={"decision": "invalid", "text": "有人拿刀在砍人"}, headers=headers)
    assert "理由" in override.text  # overriding the suggestion needs a reason

    client, headers, _ = login(api, "dispatcher")
    pending = client.get("/console/dispatch/pending", headers=headers)
    assert "data-since" in pending.text and "data-incident" in pending.text

    client, headers, _ = login(api, "agency_handler")
    inbox = client.get("/console/orders/inbox", headers=headers)
    order_id = re.search(r'data-order="(\d+)"', inbox.text).group(1)
    assert ">签收</button>" in client.get(f"/console/orders/{order_id}/panel", headers=headers).text
    signed = client.post(f"/console/orders/{order_id}/step", data={"to": "signed"}, headers=headers)
    assert "已签收" in signed.text


def test_large_mode_and_english_are_remembered(api):
    client, _, _ = login(api, "call_taker")
    page = client.get("/console/calls?large=1&lang=en")
    assert '<body class="large"' in page.text and "Call-taker" in page.text
    assert '<body class="large"' in client.get("/console/calls").text


def test_a_deployment_tile_server_reaches_the_maps(database, monkeypatch):
    from fastapi.testclient import TestClient

    from lifeline.settings import Settings
    from lifeline.web.app import create_app

    monkeypatch.setenv("LIFELINE_TILE_URL", "http://tiles.city.local/{z}/{x}/{y}.png")  # Settings reads it
    url, _ = database
    with TestClient(create_app(Settings(database_url=url))) as client:
        client.post("/login", data={"username": "dispatcher", "password": PASSWORD})
        assert 'data-tiles="http://tiles.city.local/{z}/{x}/{y}.png"' in client.get("/console/dispatch").text
