"""Bad input gets a clear 4xx problem, never a 500 and never a silent drop."""

from __future__ import annotations

import json

from lifeline.api.limits import MAX_BODY_BYTES

PROBLEM = "application/problem+json"


def test_malformed_json_is_422_naming_the_problem(api):
    answer = api.post("call_taker", "/reports", content=b'{"text": "half', headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM


def test_unknown_fields_and_wrong_types_name_the_field(api):
    answer = api.post("call_taker", "/reports", {"text": "x", "colour": "red"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "colour"
    answer = api.post("call_taker", "/reports", {"text": "x", "lat": 123})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "lat"


def test_a_naive_timestamp_is_refused(api):
    answer = api.post("call_taker", "/reports", {"text": "x", "received_at": "2026-11-23T08:00:00"})
    assert answer.status_code == 422


def test_a_body_over_the_limit_is_413(api):
    body = json.dumps({"text": "火" * (MAX_BODY_BYTES // 2)}).encode()
    answer = api.post("call_taker", "/reports", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM


def test_a_report_with_junk_text_is_kept_not_refused(api):
    for text in ["", "\x00\x01\x02", "🔥🔥🔥", "ＨＥＬＰ １２０", "救命" * 5000]:
        got = api.report(text)
        assert got["incident"]["state"] == "triaged"
    lone_surrogate = b'{"text": "\\ud800 \xe5\x9d\x8f"}'
    answer = api.post("call_taker", "/reports", content=lone_surrogate, headers={"Content-Type": "application/json"})
    # JSON that is not Unicode is refused by the parser, with the field named, so the sender can fix it.
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "text"
    empty = api.report("")
    assert empty["triage"]["callback_required"]


def test_nul_in_a_name_is_a_clear_422(api):
    answer = api.post("call_taker", "/reports", {"text": "x", "caller_name": "张\x00三"})
    assert answer.status_code == 422 and "NUL" in answer.json()["detail"]


def test_ids_out_of_range_are_422_not_500(api):
    assert api.get("call_taker", f"/incidents/{2**63}").status_code == 422
    assert api.get("call_taker", "/incidents/abc").status_code == 422
    assert api.post("call_taker", "/incidents/1/merge", {"source": 2**40}).status_code == 422


def test_unknown_paths_and_methods_are_problems(api):
    assert api.get("call_taker", "/nowhere").headers["content-type"] == PROBLEM
    answer = api.client.put("/api/v1/reports", headers={"Authorization": f"Bearer {api.tokens['call_taker']}"})
    assert answer.status_code == 405 and answer.headers["content-type"] == PROBLEM


def test_health_and_openapi_are_public(api):
    assert api.client.get("/healthz").json()["status"] == "ok"
    spec = api.client.get("/openapi.json").json()
    assert "/api/v1/reports" in spec["paths"]
