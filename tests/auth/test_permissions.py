"""Every role × every endpoint against an expected allow/deny table written here, by hand."""

from __future__ import annotations

ROLES = ["call_taker", "dispatcher", "field_officer", "hotline_operator", "agency_handler", "supervisor", "admin"]
Y, N = True, False

# (method, path, body): the expected answer per role, in ROLES order. N means 403; Y means anything but 403.
TABLE = [
    ("POST", "/reports", {"text": "我车被堵了"}, [Y, N, N, Y, N, Y, Y]),
    ("GET", "/incidents", None, [Y, Y, Y, Y, Y, Y, Y]),
    ("GET", "/incidents/{id}", None, [Y, Y, Y, Y, Y, Y, Y]),
    ("POST", "/incidents/{id}/confirm", {}, [Y, N, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/transitions", {"to": "dispatched", "org": "PS1"}, [N, Y, N, N, N, Y, Y]),
    ("POST", "/incidents/{id}/transitions", {"to": "en_route"}, [N, Y, Y, N, N, Y, Y]),
    ("POST", "/incidents/{id}/transitions", {"to": "closed"}, [Y, Y, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/transitions", {"to": "reopened", "reason": "r"}, [Y, N, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/notes", {"text": "备注"}, [Y, Y, Y, Y, Y, Y, Y]),
    ("GET", "/incidents/{id}/events", None, [Y, Y, Y, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/merge", {"source": 999}, [Y, Y, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/unmerge", {"source": 999}, [Y, Y, N, Y, N, Y, Y]),
    # The officer's station has the incident by now, but no unit of his is on it: not his to read.
    ("GET", "/incidents/{id}/caller", None, [Y, Y, N, Y, N, Y, Y]),
    ("GET", "/callers/13800138000", None, [Y, Y, N, N, N, Y, Y]),
    ("GET", "/callbacks", None, [Y, Y, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/callbacks", {"outcome": "reached", "note": "回拨接通"}, [Y, Y, N, Y, N, Y, Y]),
    ("GET", "/organisations", None, [Y, Y, Y, Y, Y, Y, Y]),
    ("POST", "/organisations", {"code": "NEW", "name": "新机构", "kind": "department"}, [N, N, N, N, N, N, Y]),
    ("GET", "/users", None, [N, N, N, N, N, Y, Y]),
    ("POST", "/users", {"username": "u9", "role": "call_taker", "org": "C110", "password": "long-enough-1"},
     [N, N, N, N, N, N, Y]),
    ("GET", "/audit/verify", None, [N, N, N, N, N, Y, Y]),
    ("GET", "/me", None, [Y, Y, Y, Y, Y, Y, Y]),
    ("POST", "/incidents/{id}/orders", {}, [Y, Y, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/linkage", None, [Y, Y, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/hand-over", None, [Y, Y, N, Y, N, Y, Y]),
    ("GET", "/orders", None, [Y, Y, Y, Y, Y, Y, Y]),
    ("GET", "/orders/999", None, [Y, Y, Y, Y, Y, Y, Y]),
    ("POST", "/orders/999/steps", {"to": "signed"}, [N, N, N, Y, Y, Y, Y]),
    ("POST", "/orders/999/steps", {"to": "visited", "satisfaction": 5}, [N, N, N, Y, N, Y, Y]),
    ("POST", "/orders/999/steps", {"to": "rerouted", "org": "URBAN"}, [Y, N, N, Y, N, Y, Y]),
    ("POST", "/orders/999/countersign", {"orgs": ["URBAN"]}, [N, N, N, Y, Y, Y, Y]),
    ("POST", "/incidents/{id}/push", {"reason": "急"}, [Y, Y, N, Y, N, Y, Y]),
    ("POST", "/incidents/{id}/transfer-call", {}, [Y, Y, N, Y, N, Y, Y]),
    ("GET", "/incidents/{id}/eido", None, [Y, Y, Y, Y, Y, Y, Y]),
    ("GET", "/units", None, [Y, Y, Y, Y, N, Y, Y]),
    ("POST", "/units", {"code": "U1", "name": "巡逻车", "org": "PS1"}, [N, N, N, N, N, Y, Y]),
    ("POST", "/units/999/status", {"status": "busy"}, [N, Y, Y, N, N, Y, Y]),
    ("GET", "/incidents/{id}/units", None, [N, Y, N, N, N, Y, Y]),
    ("POST", "/incidents/{id}/assign", {"unit": 999}, [N, Y, N, N, N, Y, Y]),
    ("GET", "/kpis", None, [N, Y, N, Y, N, Y, Y]),
]  # fmt: skip


def test_every_role_on_every_endpoint_matches_the_table(api):
    iid = api.report("有人拿刀在菜市场门口追着砍人", caller_number="13800138000")["incident"]["id"]
    failures = []
    for method, path, body, expected in TABLE:
        for role, allowed in zip(ROLES, expected, strict=True):
            url = path.replace("{id}", str(iid))
            response = api.get(role, url) if method == "GET" else api.post(role, url, body)
            if (response.status_code != 403) != allowed:
                failures.append(f"{role:17} {method} {path} {body}: {response.status_code} {response.text[:120]}")
    assert not failures, "\n".join(failures)


def test_without_credentials_every_endpoint_is_401(api):
    for method, path, _, _ in TABLE:
        url = "/api/v1" + path.replace("{id}", "1")
        response = api.client.request(method, url, json={} if method == "POST" else None)
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_401(api):
    response = api.client.get("/api/v1/incidents", headers={"Authorization": "Bearer ll_not-a-token"})
    assert response.status_code == 401


# A diverted matter each department serves: confirming it sends the order there (routed by what it serves).
SERVED_BY = {
    "MARKET": "超市卖过期食品，要求退款不给退，在新华路华润万家",
    "URBAN": "人民路人行道上全是占道经营的摊贩，路都走不了",
}


def _transfer_to(api, org: str) -> int:
    iid = api.report(SERVED_BY[org])["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "transferred"
    (order_id,) = decided.json()["follow_up"]["orders"]
    assert api.get("call_taker", f"/orders/{order_id}").json()["orgs"][0]["org"] == org
    return iid


def test_an_agency_handler_sees_only_what_was_sent_to_it(api):
    mine = _transfer_to(api, "MARKET")
    theirs = _transfer_to(api, "URBAN")
    police = api.report("有人拿刀在菜市场门口追着砍人")["incident"]["id"]

    assert api.get("agency_handler", f"/incidents/{mine}").status_code == 200
    listed = [i["id"] for i in api.get("agency_handler", "/incidents").json()["items"]]
    assert listed == [mine]
    # Guessing ids gets the same 404 as a missing incident: nothing tells them apart.
    for guess in (theirs, police, police + 1000):
        answer = api.get("agency_handler", f"/incidents/{guess}")
        assert answer.status_code == 404
        hidden = f"警情 {guess} 不存在或无权查看 / incident {guess} does not exist or is not yours"
        assert answer.json()["detail"] == hidden
        # An agency never reads an incident's event log, its own included (it sees what its order needs).
        assert api.get("agency_handler", f"/incidents/{guess}/events").status_code == 403
        assert api.post("agency_handler", f"/incidents/{guess}/notes", {"text": "x"}).status_code == 404
    assert api.get("urban_handler", f"/incidents/{theirs}").status_code == 200
    assert api.get("urban_handler", f"/incidents/{mine}").status_code == 404


def test_a_field_officer_sees_what_was_dispatched_to_their_station(api):
    iid = api.report("有人拿刀在菜市场门口追着砍人")["incident"]["id"]
    api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert api.get("field_officer", f"/incidents/{iid}").status_code == 404
    api.post("dispatcher", f"/incidents/{iid}/transitions", {"to": "dispatched", "org": "PS1"})
    assert api.get("field_officer", f"/incidents/{iid}").status_code == 200
    assert api.get("officer_ps2", f"/incidents/{iid}").status_code == 404
    assert api.post("officer_ps2", f"/incidents/{iid}/transitions", {"to": "en_route"}).status_code == 404


def test_numbers_are_masked_and_every_unmasked_read_is_an_event(api):
    iid = api.report("有人在小区门口打架", caller_number="+86 139-1234-5678")["incident"]["id"]
    for role in ("call_taker", "dispatcher", "supervisor", "admin"):
        assert api.get(role, f"/incidents/{iid}").json()["caller_number"] == "139****5678"
    revealed = api.get("dispatcher", f"/incidents/{iid}/caller").json()
    assert revealed["number"] == "13912345678"
    events = api.get("supervisor", f"/incidents/{iid}/events").json()["items"]
    reads = [e for e in events if e["kind"] == "caller.number_read"]
    assert [(e["actor"], e["payload"]["role"]) for e in reads] == [("dispatcher", "dispatcher")]


def test_console_sessions_need_the_csrf_token_to_write(api):
    login = api.client.post("/api/v1/session", json={"username": "call_taker", "password": "correct-horse-9"})
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    assert api.client.get("/api/v1/me").json()["via"] == "session"
    refused = api.client.post("/api/v1/reports", json={"text": "我车被堵了"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    accepted = api.client.post("/api/v1/reports", json={"text": "我车被堵了"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201
    api.client.delete("/api/v1/session")
    assert api.client.get("/api/v1/me").status_code == 401


def test_a_wrong_password_is_401_without_saying_which_part_was_wrong(api):
    for username in ("call_taker", "nobody"):
        answer = api.client.post("/api/v1/session", json={"username": username, "password": "wrong-password"})
        assert answer.status_code == 401
        assert answer.json()["detail"] == "用户名或密码错误 / wrong username or password"
