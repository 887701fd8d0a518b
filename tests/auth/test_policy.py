"""Every route of the application × every principal, against the one access table (lifeline.auth.policy).

A route without a rule stops the application from starting; a rule without a route, or an answer that disagrees
with the table (a person let in where the table says no, or kept out where it says yes), fails here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from lifeline.auth import policy
from lifeline.auth.policy import MissingRule, rule_for
from lifeline.peering.peers import Peer, Peers, sign
from lifeline.settings import Settings
from lifeline.web.app import API_ROUTERS, ROOT_ROUTERS, create_app

# One seeded person per role (tests/conftest.py USERS), no one, and a peer platform (signed, but no person).
PEOPLE = ["call_taker", "dispatcher", "field_officer", "hotline_operator", "agency_handler", "supervisor", "admin"]
PRINCIPALS = [*PEOPLE, None, "peer"]


def routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route the application answers, its own documentation routes included."""
    found = []
    for prefix, router in [(policy.API, r) for r in API_ROUTERS] + [("", r) for r in ROOT_ROUTERS]:
        found += [(m, prefix + r.path) for r in router.routes if isinstance(r, APIRoute) for m in r.methods]
    if app.state.role in ("12345", "both"):
        from lifeline.open311.views import api_router, router

        found += [(m, r.path) for r in router.routes for m in r.methods]
        found += [(m, policy.API + r.path) for r in api_router.routes for m in r.methods]
    found += [(m, r.path) for r in app.routes if type(r) is Route for m in r.methods]  # /openapi.json, /docs…
    return sorted({(m, p) for m, p in found if m != "HEAD"})


def test_every_route_has_a_rule_and_every_rule_a_route(api):
    answered = {f"{m} {p}" for m, p in routes(api.client.app)}
    published = {f"{m.upper()} {p}" for p, ops in api.client.get("/openapi.json").json()["paths"].items() for m in ops}
    assert published <= answered, f"OpenAPI operations the walk misses: {sorted(published - answered)}"
    assert answered == set(policy.RULES), (
        f"routes without a rule: {sorted(answered - set(policy.RULES))}; "
        f"rules without a route: {sorted(set(policy.RULES) - answered)}"
    )


def test_a_route_without_a_rule_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setattr(policy, "RULES", {k: v for k, v in policy.RULES.items() if k != "GET /api/v1/kpis"})
    with pytest.raises(MissingRule, match="GET /api/v1/kpis"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db"))
    with pytest.raises(MissingRule):
        rule_for("GET", "/api/v1/kpis")


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def _expected(rule: policy.Rule, principal: str | None) -> str:
    if principal == "peer":
        return "allow" if rule.action == policy.SIGNED else ("login" if rule.action not in policy.NOT_PEOPLE else "any")
    if rule.action in (policy.SIGNED, policy.CHANNEL):
        return "login"  # no signature
    if rule.action == policy.CLIENT:
        return "deny"  # no api_key
    if rule.action == policy.SCRAPER:
        return "deny"  # the test client is not loopback and brings no metrics token
    return policy.verdict(rule, principal)


PEER = Peer("gz-12345", "http://127.0.0.1:9", "12345", "k1", {"k1": "a-key-of-sixteen-chars"})


def _call(api, method: str, url: str, principal: str | None, console: bool):
    headers = {"Authorization": f"Bearer {api.tokens[principal]}"} if principal in api.tokens else {}
    if principal == "peer":  # a genuine signature over an empty message, and no person's credentials
        stamp = datetime.now(UTC).isoformat()
        signature = sign(PEER.keys["k1"], stamp, b"{}")
        headers = {"X-Lifeline-Peer": PEER.name, "X-Lifeline-Key-Id": "k1", "X-Lifeline-Timestamp": stamp,
                   "X-Lifeline-Signature": signature, "Content-Type": "application/json"}  # fmt: skip
        return api.client.request(method, url, content=b"{}", headers=headers, follow_redirects=False)
    if url == "/console/stream":
        with api.client.stream(method, url, headers=headers) as response:
            return response
    if method == "GET":
        return api.client.get(url, headers=headers, follow_redirects=False)
    if console:
        return api.client.request(method, url, data={}, headers=headers, follow_redirects=False)
    return api.client.request(method, url, json={}, headers=headers, follow_redirects=False)


def _agrees(rule: policy.Rule, expected: str, response, console_page: bool) -> bool:
    status, location = response.status_code, response.headers.get("location", "")
    if expected == "any":
        return True
    if expected == "allow":
        if rule.action == policy.PUBLIC:  # "/", the login page and logging out send people on: not a refusal
            return status not in (401, 403)
        return status not in (401, 403) and not (status == 303 and location in ("/", "/login"))
    if expected == "login":
        return status == 401 or (console_page and status == 303 and location == "/login")
    return status == 403 or (console_page and status == 303 and location == "/")


def test_every_route_with_every_principal_answers_as_the_table_says(api):
    iid = api.report("有人拿刀在菜市场门口追着砍人", caller_number="13800138000")["incident"]["id"]
    ids = {"incident_id": str(iid), "order_id": "1", "unit_id": "1", "number": "13800138000", "fmt": "json",
           "service_code": "noise", "service_request_id": "1", "token": "t", "letter_id": "1",
           "token_id": "999", "note_id": "1", "case_id": "1", "task_id": "1", "appeal_id": "1", "day": "3",
           "digest": "0" * 64, "article_id": "1", "version": "1",
           "consultation_id": "1", "kind": "daily", "follow_up_id": "1", "contact_id": "1", "code": "P1",
           "key": "abcdefgh12"}  # fmt: skip
    api.client.app.state.peers = Peers("gz-110", {PEER.name: PEER})
    checked, mismatches = 0, []
    for method, path in routes(api.client.app):
        rule = policy.RULES[f"{method} {path}"]
        console = not path.startswith(policy.API)
        for principal in PRINCIPALS:
            if path == "/api/v1/session" and method == "DELETE" and principal in api.tokens:
                continue  # a token has no session to end; covered below with no one
            # One's own account for the routes of one's own; a bystander for the administrators' routes.
            ids["username"] = principal if rule.action == policy.SIGNED_IN and principal in PEOPLE else "urban_handler"
            response = _call(api, method, _fill(path, ids), principal, console)
            expected = _expected(rule, principal)
            if path == "/exchange/v1/figures" and principal == "peer":
                expected = "deny"  # a city's figures go to its hub only; this peer is a 12345 centre
            checked += 1
            if not _agrees(rule, expected, response, console and rule.rows == policy.NONE):
                mismatches.append(f"{method} {path} as {principal}: expected {expected}, got {response.status_code}")
    print(f"policy walk: {checked} route × principal answers checked, {len(mismatches)} mismatches")
    assert checked >= 70 * len(PRINCIPALS) - 10
    assert not mismatches, "\n".join(mismatches)


def test_security_md_is_drawn_from_the_table():
    text = (Path(__file__).parents[2] / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    assert policy.markdown() in text, "docs/SECURITY.md is stale: run `lifeline policy` and paste its table"
