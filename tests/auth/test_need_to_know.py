"""Need to know, right to act: the findings of issue 13 about orders, units and callers, replayed."""

from __future__ import annotations

SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家"
FIRE = "着火了！幸福小区3栋2单元楼道里全是烟，有人被困在五楼，有人被烧伤了"
BEATEN = "我老公又打我了，现在躲在卫生间，他在外面砸门"


def _diverted(api, text=SHOP, **fields) -> tuple[int, int]:
    iid = api.report(text, **fields)["incident"]["id"]
    decided = api.post("call_taker", f"/incidents/{iid}/confirm", {})
    assert decided.status_code == 200, decided.text
    return iid, decided.json()["follow_up"]["orders"][0]


def step(api, user, order_id, **body):
    return api.post(user, f"/orders/{order_id}/steps", body)


def test_an_agency_cannot_act_on_another_agencys_order(api):
    """Finding: on a joint incident one agency returned another's order, and 119 countersigned the gas order."""
    joint = api.report(FIRE)["incident"]["id"]
    orders = api.post("call_taker", f"/incidents/{joint}/confirm", {}).json()["follow_up"]["orders"]
    fire_order = next(o for o in orders if api.get("fire_handler", f"/orders/{o}").status_code == 200)
    _, market_order = _diverted(api)
    assert step(api, "agency_handler", fire_order, to="returned", reason="不归我们").status_code == 404
    assert step(api, "agency_handler", fire_order, to="signed").status_code == 404
    assert step(api, "fire_handler", market_order, to="signed").status_code == 404
    assert api.post("fire_handler", f"/orders/{market_order}/countersign", {"orgs": ["FIRE"]}).status_code == 404
    assert api.get("fire_handler", f"/orders/{fire_order}").json()["state"] == "received"


def test_only_the_lead_asks_for_a_countersign(api):
    """Finding: a countersigning department could pull further organisations into an order it does not lead."""
    _, order = _diverted(api)
    assert api.post("agency_handler", f"/orders/{order}/countersign", {"orgs": ["URBAN"]}).status_code == 200
    refused = api.post("urban_handler", f"/orders/{order}/countersign", {"orgs": ["POWER"]})
    assert refused.status_code == 403 and "主办单位" in refused.json()["detail"]
    assert step(api, "urban_handler", order, to="signed").status_code == 200  # it signs for its own part
    # The 12345 desk above the lead may ask too.
    assert api.post("hotline_operator", f"/orders/{order}/countersign", {"orgs": ["POWER"]}).status_code == 200


def test_the_department_that_returned_an_order_cannot_handle_it_after_re_route(api):
    """Finding: after a re-route, the department that returned the order signed and handled the new owner's."""
    iid, order = _diverted(api)
    assert step(api, "agency_handler", order, to="returned", reason="应由城管处理").status_code == 200
    assert step(api, "call_taker", order, to="rerouted", org="URBAN").status_code == 200
    assert step(api, "agency_handler", order, to="signed").status_code == 404
    assert step(api, "agency_handler", order, to="handled", feedback="已处理").status_code == 404
    assert api.get("call_taker", f"/incidents/{iid}").json()["state"] == "transferred"


def test_caller_lookup_by_number_is_for_the_110_desk_only(api):
    """Finding: GET /callers/{number} answered the 12345 operator and another station's officer, unmasked."""
    api.report(BEATEN, caller_number="13911112222")
    for outsider in ("hotline_operator", "field_officer", "officer_ps2", "agency_handler", "urban_handler"):
        assert api.get(outsider, "/callers/13911112222").status_code == 403, outsider
    for desk in ("call_taker", "dispatcher", "supervisor", "admin"):
        answer = api.get(desk, "/callers/13911112222")
        assert answer.status_code == 200 and answer.json()["incidents"], desk


def test_a_12345_operator_sees_only_what_12345_received(api):
    """Finding: the caller list rode in the 12345 operator's report answer, with the number's 110 calls."""
    police = api.report(BEATEN, caller_number="13911113333")["incident"]["id"]
    got = api.report("小区路灯坏了一个月了没人修", user="hotline_operator", caller_number="13911113333")
    mine = got["incident"]["id"]
    seen = [i["id"] for i in got["caller"]["incidents"]]
    assert police not in seen and mine in seen
    assert got["caller"]["calls_30d"] == 1  # the call to 110 is not counted for 12345 either
    assert api.get("hotline_operator", f"/incidents/{police}/caller").status_code == 404
    revealed = api.get("hotline_operator", f"/incidents/{mine}/caller").json()
    assert [i["id"] for i in revealed["history"]["incidents"]] == [mine]
    # The 110 desk still sees the whole history.
    assert {police, mine} <= {i["id"] for i in api.get("call_taker", "/callers/13911113333").json()["incidents"]}


def test_an_officer_reads_the_caller_only_while_his_unit_is_on_the_incident(api):
    iid = api.report(BEATEN, caller_number="13911114444")["incident"]["id"]
    api.post("call_taker", f"/incidents/{iid}/confirm", {})
    unit = api.post("admin", "/units", {"code": "PS1-09", "name": "巡逻车", "org": "PS1"}).json()
    assert api.post("supervisor", f"/units/{unit['id']}/crew", {"officers": ["field_officer"]}).status_code == 200
    dispatched = api.post("dispatcher", f"/incidents/{iid}/transitions", {"to": "dispatched", "org": "PS1"})
    assert dispatched.status_code == 200
    assert api.get("field_officer", f"/incidents/{iid}/caller").status_code == 403  # his station, not his unit
    assert api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": unit["id"]}).status_code == 200
    assert api.get("field_officer", f"/incidents/{iid}/caller").json()["number"] == "13911114444"
    assert api.get("officer_ps2", f"/incidents/{iid}/caller").status_code == 404
    assert api.post("field_officer", f"/units/{unit['id']}/status", {"status": "available"}).status_code == 200
    assert api.get("field_officer", f"/incidents/{iid}/caller").status_code == 403  # off the incident


def test_every_read_of_a_callers_data_is_audited_and_a_supervisor_exports_them(api):
    iid = api.report(BEATEN, caller_number="13911115555")["incident"]["id"]
    api.report("隔壁装修太吵", caller_number="13800000000")
    assert api.get("dispatcher", f"/incidents/{iid}/caller").status_code == 200
    assert api.get("call_taker", "/callers/139-1111-5555").status_code == 200
    assert api.get("call_taker", "/callers/13800000000").status_code == 200
    reads = api.get("supervisor", "/audit/caller-reads", params={"number": "13911115555"}).json()["items"]
    assert [(r["actor"], r["kind"], r["number"], r["incident_id"]) for r in reads] == [
        ("call_taker", "caller.history_read", "139****5555", None),
        ("dispatcher", "caller.number_read", "139****5555", iid),
    ]
    assert "13911115555" not in str(reads)  # the list itself shows masked numbers
    exported = api.get("supervisor", "/audit/caller-reads", params={"format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert lines[0] == "seq,at,actor,role,kind,number,incident_id" and len(lines) == 4
    assert api.get("call_taker", "/audit/caller-reads").status_code == 403


def test_an_agency_does_not_read_the_incidents_event_log(api):
    """Finding: linkage agencies read a joint incident's whole event log."""
    joint = api.report(FIRE)["incident"]["id"]
    api.post("call_taker", f"/incidents/{joint}/confirm", {})
    assert api.get("fire_handler", f"/incidents/{joint}").status_code == 200  # what its order needs
    assert api.get("fire_handler", f"/incidents/{joint}/events").status_code == 403


def test_the_map_shows_each_desk_the_areas_below_it(api):
    """Finding: /console/map.json gave every role every station's area."""
    from tests.web.test_consoles import login

    client, _, _ = login(api, "field_officer")  # PS1
    assert [s["code"] for s in client.get("/console/map.json").json()["stations"]] == ["PS1"]
    client, _, _ = login(api, "dispatcher")  # the 110 centre above both stations
    assert [s["code"] for s in client.get("/console/map.json").json()["stations"]] == ["PS1", "PS2"]


def test_the_cli_exports_the_same_caller_reads(api, database):
    from typer.testing import CliRunner

    from lifeline.cli import app

    iid = api.report(BEATEN, caller_number="13911116666")["incident"]["id"]
    assert api.get("dispatcher", f"/incidents/{iid}/caller").status_code == 200
    result = CliRunner().invoke(app, ["audit", "caller-reads", "--number", "13911116666", "--db", database[0]])
    assert result.exit_code == 0, result.output
    exported = api.get("supervisor", "/audit/caller-reads", params={"number": "13911116666", "format": "csv"}).text
    assert result.output.splitlines() == exported.splitlines()
    assert len(result.output.splitlines()) == 2 and "139****6666" in result.output
