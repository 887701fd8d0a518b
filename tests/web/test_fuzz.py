"""Fuzz every route, bounded: the API and Open311 from /openapi.json with schemathesis (no 5xx, no answer off its
schema), and the consoles' form routes (not in the schema) with hypothesis, logged in with a cookie and CSRF token.
Each test prints how many requests it sent."""

from __future__ import annotations

import re
from urllib.parse import quote

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from tests.open311.test_open311 import key_for
from tests.web.test_consoles import login

from lifeline.auth import policy

EXAMPLES = 20  # per operation and backend: ~50 operations
FORMS = 60  # per console route and backend
BOUNDED = settings(
    deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck), max_examples=EXAMPLES
)


def test_no_operation_answers_5xx_or_off_schema(api, database):
    # Fuzz as an admin (widest reach), after one real report so that ids point at something; Open311 posts carry a
    # real api_key so that they reach the desk, not only the key check.
    api.report("有人拿刀在菜市场门口追着砍人", caller_number="13800138000")
    key = key_for(database[0])
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    headers = {"Authorization": f"Bearer {api.tokens['admin']}"}
    failures: list[str] = []
    sent = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 45 and any(o.path.startswith("/open311/") for o in operations)

    for operation in operations:
        if operation.method.upper() == "DELETE":
            continue  # logging out would end the fuzzer's own session

        @BOUNDED
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal sent
            if case.path.startswith("/open311/") and isinstance(case.body, dict):
                case.body["api_key"] = key
            response = case.call(headers=headers)
            sent += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except Exception as exc:  # collect every failing operation, not only the first
                failures.append(f"{case.method} {case.path}: {str(exc)[:300]}")

        run()
    print(f"schemathesis: {sent} requests over {len(operations)} operations")
    assert not failures, "\n".join(dict.fromkeys(failures))


# The consoles' form routes ---------------------------------------------------------------------------------

ids = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=12))
words = st.text(max_size=60)  # every code point but surrogates: NUL, controls, emoji, RTL marks…
CONSOLE = [
    ("/console/triage", {"text": words, "channel": words}),
    ("/console/caller", {"caller_number": words}),
    ("/console/duplicates", {"text": words, "channel": words, "caller_number": words, "location_text": words}),
    ("/console/calls", {"decision": st.sampled_from(["police", "joint", "divert", "invalid", "x"]), "text": words,
                        "channel": words, "caller_number": words, "location_text": words, "reason": words,
                        "attach_to": ids}),
    ("/console/callbacks", {"incident_id": ids, "outcome": st.sampled_from(["reached", "no_answer", "busy", "x"]),
                            "note": words}),
    ("/console/dispatch/{id}/assign", {"unit": ids}),
    ("/console/dispatch/{id}/close", {"csrf": words}),
    ("/console/dispatch/units/{id}/step", {"to": st.sampled_from(["accepted", "en_route", "on_scene", "x"])}),
    ("/console/dispatch/feedback", {"unit": ids, "result": words, "outcome": words}),
    ("/console/field/step", {"to": st.sampled_from(["accepted", "en_route", "on_scene", "x"])}),
    ("/console/field/feedback", {"result": words, "outcome": words}),
    ("/console/field/reveal", {"csrf": words}),
    ("/console/incidents/{id}/move", {"to": st.sampled_from(["resolved", "closed", "cancelled", "reopened", "x"]),
                                      "reason": words}),
    ("/console/incidents/{id}/note", {"text": words}),
    ("/console/incidents/{id}/answer", {"article_id": ids, "note": words}),
    ("/console/incidents/{id}/locate", {"lat": st.one_of(words, st.floats().map(str)),
                                        "lon": st.one_of(words, st.floats().map(str))}),
    ("/console/incidents/{id}/decide", {"decision": st.sampled_from(["police", "joint", "divert", "invalid", "x"]),
                                        "reason": words}),
    ("/console/incidents/{id}/merge", {"source": ids}),
    ("/console/incidents/{id}/unmerge", {"source": ids}),
    ("/console/incidents/{id}/caller", {"csrf": words}),
    ("/console/orders/{id}/step", {"to": st.sampled_from(["signed", "handled", "returned", "visited", "rerouted", "x"]),
                                   "feedback": words, "reason": words, "satisfaction": ids, "comment": words,
                                   "org": words}),
    ("/console/orders/{id}/extension", {"grounds": words, "working_days": ids}),
    ("/console/orders/{id}/extension/{id}", {"decision": st.sampled_from(["approve", "refuse", "x"]), "reason": words}),
    ("/console/orders/{id}/urge", {"text": words}),
    ("/console/orders/{id}/supervision", {"demand": words, "working_days": ids}),
    ("/console/missing", {"name": words, "age": words, "description": words, "last_seen_place": words}),
    ("/console/incidents/{id}/missing", {"csrf": words}),
    ("/console/incidents/{id}/consultation", {"owner": st.sampled_from(["police", "divert", "x"]), "record": words,
                                              "other_party": words, "three_way": words, "propose": words}),
    ("/console/missing/{id}/step", {"what": st.sampled_from(["grade", "review", "sighting", "outcome", "task_done",
                                                             "appeal", "withdraw", "x"]),
                                    "note": words, "grade": words, "lat": words, "lon": words, "seen_at": words,
                                    "outcome": words, "task": ids, "partner": words, "days": ids, "appeal": ids}),
    ("/console/missing/{id}/photo", {"file": words}),
    ("/console/knowledge", {"q": words, "text": words}),
    ("/console/calls/answer", {"article_id": ids, "text": words, "channel": words, "caller_number": words,
                               "location_text": words, "note": words}),
    ("/console/governance/near", {"caller_number": words, "location_text": words}),
    ("/console/governance/{id}/mediation", {"outcome": st.sampled_from(["settled", "partly", "failed", "x"]),
                                            "note": words}),
    ("/console/governance/{id}/return-visit", {"officer": words, "found": words}),
    ("/console/incidents/{id}/parties", {"name": words, "phone": words}),
    ("/console/nuisance/case", {"number": words}),
    ("/console/nuisance/step", {"number": st.one_of(words, st.just("13912345678")),
                                "step": st.sampled_from(["review", "warning", "referral", "flag", "lift", "x"]),
                                "means": st.sampled_from(["", "call", "letter", "health", "social", "x"]),
                                "note": words, "review_on": words, "exit_days": words}),
    ("/console/contacts/{id}/take", {"csrf": words}),
    ("/console/contacts/{id}/reply", {"text": words}),
    ("/console/contacts/{id}/close", {"csrf": words}),
    ("/console/posts/{code}/say", {"kind": st.sampled_from(["talk", "broadcast", "x"]), "text": words}),
    ("/console/speech", {"csrf": words}),
    ("/console/contacts/{id}/signals", {"kind": words}),
    ("/alarm/calls", {"number": words, "address": words}),
    ("/console/incidents/{id}/accident", {"responsibility": st.sampled_from(["a_full", "equal", "x"]), "note": words,
                                          "insurer": words}),
    ("/alarm/calls/{id}/signals", {"kind": words}),
    ("/console/contacts/{id}/snapshot", {"label": words}),
    ("/console/speech/{key}", {"csrf": words}),
    ("/console/dispatch/{id}/units", None),
    ("/console/surge", {"reason": words, "event": words, "announcement": words, "triage_first": words,
                        "overflow_to": words, "overflow_at": words, "overflow_city": words}),
    ("/console/surge/end", {"csrf": words}),
    ("/login", {"username": words, "password": words}),  # last: a successful login would change the session
]  # fmt: skip


def _fuzz(client, headers, path: str, fields: dict | None, failures: list[str]) -> int:
    """Random forms (or a GET) to one console route, with random ids in its path: how many were sent."""
    sent = 0
    form = st.fixed_dictionaries({}, optional=fields) if fields else st.none()

    @settings(BOUNDED, max_examples=FORMS)
    @given(target=ids.map(lambda i: quote(i, safe="")), data=form)
    def run(target, data):
        nonlocal sent
        url = path.replace("{id}", target or "1")
        answer = client.get(url, headers=headers) if data is None else client.post(url, data=data, headers=headers)
        sent += 1
        if answer.status_code >= 500:
            failures.append(f"{url} {data!r} → {answer.status_code}")

    run()
    return sent


def test_every_console_form_is_fuzzed():
    """A console route that takes a form is in CONSOLE (every route has a rule in auth.policy), so a new one
    cannot skip the fuzzing."""
    fuzzed = {path for path, fields in CONSOLE if fields is not None}
    unfuzzed = {"/logout", "/account/sessions", "/account/password"}  # a csrf field, or passwords (test_accounts)
    forms = {
        re.sub(r"\{\w+_id\}", "{id}", key.split(" ", 1)[1])
        for key in policy.RULES
        if key.startswith("POST /") and not key.startswith(("POST /api/", "POST /exchange", "POST /open311"))
    }
    assert forms - unfuzzed <= fuzzed, f"console forms not fuzzed: {sorted(forms - unfuzzed - fuzzed)}"


def test_no_console_form_answers_5xx(api):
    client, headers, _ = login(api, "supervisor")
    api.report("有人拿刀在菜市场门口追着砍人", caller_number="13800138000")
    failures: list[str] = []
    sent = sum(_fuzz(client, headers, path, fields, failures) for path, fields in CONSOLE)
    print(f"console forms: {sent} requests over {len(CONSOLE)} routes")
    assert not failures, "\n".join(failures[:10])
