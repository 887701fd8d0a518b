"""Input edges: ids out of range and text a database cannot keep, on the API and the consoles (both databases)."""

from __future__ import annotations

import pytest
from tests.web.test_consoles import login

HUGE = 2**63  # past every integer column of SQLite and PostgreSQL


@pytest.mark.parametrize(
    "method, path, form",
    [
        ("get", f"/console/dispatch/{HUGE}/units", None),
        ("post", f"/console/dispatch/{HUGE}/assign", {"unit": "1"}),
        ("post", "/console/dispatch/1/assign", {"unit": str(HUGE)}),
        ("post", f"/console/orders/{HUGE}/step", {"to": "signed"}),
        ("post", "/console/orders/1/step", {"to": "visited", "satisfaction": str(HUGE)}),
        ("post", "/console/callbacks", {"incident_id": str(HUGE), "outcome": "no_answer"}),
        ("post", "/console/calls", {"attach_to": str(HUGE), "text": "x"}),
        ("get", "/console/dispatch/0/units", None),
    ],
)
def test_console_ids_out_of_range_are_422_not_500(api, method, path, form):
    client, headers, _ = login(api, "supervisor")
    answer = client.request(method, path, data=form, headers=headers)
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize("bad", ["张\x00三", "警情\x07", "\x1b[31m", "末尾\x7f"])
def test_control_characters_in_api_text_are_422(api, bad):
    assert api.post("call_taker", "/reports", {"text": "x", "caller_name": bad}).status_code == 422
    answer = api.post("supervisor", "/units", {"code": "PS1-09", "name": bad, "org": "PS1"})
    assert answer.status_code == 422, answer.text


def test_line_breaks_and_tabs_in_text_are_kept(api):
    incident = api.report("x")["incident"]
    answer = api.post("call_taker", f"/incidents/{incident['id']}/notes", {"text": "第一行\r\n第二行\t完"})
    assert answer.status_code in (200, 201), answer.text


@pytest.mark.parametrize(
    "path, form",
    [
        ("/console/calls", {"decision": "police", "text": "有人拿刀", "location_text": "人民路\x00"}),
        ("/console/calls", {"decision": "invalid", "text": "x", "reason": "误拨\x00"}),
        ("/console/orders/1/step", {"to": "handled", "feedback": "已处理\x01"}),
        ("/console/callbacks", {"incident_id": "1", "outcome": "no_answer", "note": "无人\x00接听"}),
        ("/console/caller", {"caller_number": "138\x00"}),
        ("/console/duplicates", {"text": "x", "location_text": "人民路\x00"}),
        ("/login", {"username": "call_taker\x00", "password": "x"}),
    ],
)
def test_control_characters_in_console_forms_are_422(api, path, form):
    client, headers, _ = login(api, "supervisor")
    answer = client.post(path, data=form, headers=headers)
    assert answer.status_code == 422, answer.text


def test_a_console_call_with_nul_in_its_words_is_kept(api):
    client, headers, _ = login(api, "call_taker")
    answer = client.post("/console/calls", data={"decision": "police", "text": "有人\x00拿刀砍人"}, headers=headers)
    assert answer.status_code == 200 and "警情 #" in answer.text, answer.text
