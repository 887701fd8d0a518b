"""Units through HTTP: recommend, send, report; the incident follows the unit."""

from __future__ import annotations


def _unit(api, code, org, lat, lon):
    made = api.post("admin", "/units", {"code": code, "name": f"巡逻车{code}", "org": org, "lat": lat, "lon": lon})
    assert made.status_code == 201, made.text
    return made.json()


def test_send_the_recommended_unit_and_follow_it_to_the_scene(api):
    near = _unit(api, "PS1-01", "PS1", 23.1300, 113.2650)
    _unit(api, "PS2-01", "PS2", 23.1295, 113.2646)
    got = api.report("有人拿刀在菜市场门口追着砍人", lat=23.1291, lon=113.2644)
    iid = got["incident"]["id"]
    api.post("call_taker", f"/incidents/{iid}/confirm", {})

    offered = api.get("dispatcher", f"/incidents/{iid}/units").json()["items"]
    assert [o["unit"]["code"] for o in offered] == ["PS2-01", "PS1-01"]  # nearest first (no jurisdictions set)
    sent = api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": near["id"]})
    assert sent.status_code == 200 and sent.json()["status"] == "dispatched"
    incident = api.get("dispatcher", f"/incidents/{iid}").json()
    assert incident["state"] == "dispatched" and incident["assignments"][0]["kind"] == "dispatch"

    assert api.post("dispatcher", f"/incidents/{iid}/assign", {"unit": near["id"]}).status_code == 409
    crewed = api.post("supervisor", f"/units/{near['id']}/crew", {"officers": ["field_officer"]})
    assert crewed.status_code == 200, crewed.text
    assert api.post("field_officer", f"/units/{near['id']}/status", {"status": "en_route"}).status_code == 200
    arrived = api.post(
        "field_officer", f"/units/{near['id']}/status", {"status": "on_scene", "lat": 23.1291, "lon": 113.2644}
    )
    assert arrived.status_code == 200
    assert api.get("dispatcher", f"/incidents/{iid}").json()["state"] == "on_scene"
    free = api.post("field_officer", f"/units/{near['id']}/status", {"status": "available"}).json()
    assert free["incident_id"] is None


def test_units_are_scoped_to_their_station(api):
    _unit(api, "PS1-02", "PS1", None, None)
    other = _unit(api, "PS2-02", "PS2", None, None)
    mine = [u["code"] for u in api.get("field_officer", "/units").json()["items"]]
    assert mine == ["PS1-02"]
    assert api.post("field_officer", f"/units/{other['id']}/status", {"status": "busy"}).status_code == 404
    assert api.post("call_taker", "/units", {"code": "X", "name": "x", "org": "PS1"}).status_code == 403


def test_a_field_officer_changes_only_his_own_unit(api):
    """Finding: a field officer could change the status of any unit of his station."""
    mine = _unit(api, "PS1-03", "PS1", None, None)
    colleague = _unit(api, "PS1-04", "PS1", None, None)
    assert api.post("supervisor", f"/units/{mine['id']}/crew", {"officers": ["field_officer"]}).status_code == 200
    assert api.post("field_officer", f"/units/{mine['id']}/status", {"status": "busy"}).status_code == 200
    refused = api.post("field_officer", f"/units/{colleague['id']}/status", {"status": "busy"})
    assert refused.status_code == 403 and "不是本人所在车组" in refused.json()["detail"]
    # Moving to another unit leaves the first one; only officers of the unit's station may crew it.
    assert api.post("supervisor", f"/units/{colleague['id']}/crew", {"officers": ["field_officer"]}).status_code == 200
    assert api.post("field_officer", f"/units/{mine['id']}/status", {"status": "available"}).status_code == 403
    assert api.post("supervisor", f"/units/{mine['id']}/crew", {"officers": ["officer_ps2"]}).status_code == 422
    assert api.post("field_officer", f"/units/{mine['id']}/crew", {"officers": ["field_officer"]}).status_code == 403


def test_a_supervisor_versions_run_cards_and_the_recommendation_fills_the_one_in_force(api):
    first = api.post("supervisor", "/runcards", {"card": "knives", "category": "violent_crime",
                                                 "units": {"patrol_car": 1}})  # fmt: skip
    assert first.status_code == 201 and first.json()["version"] == 1
    stronger = {"card": "knives", "category": "violent_crime", "units": {"patrol_car": 2, "motorbike": 1}}
    second = api.post("supervisor", "/runcards", stronger)
    assert second.status_code == 201 and second.json()["version"] == 2
    assert api.post("dispatcher", "/runcards", {"card": "x", "units": {"patrol_car": 1}}).status_code == 403
    for bad in ({"card": "x", "units": {"tank": 1}}, {"card": "x", "units": {"patrol_car": 0}},
                {"card": "x", "units": {"patrol_car": 1}, "category": "nonsense"},
                {"card": "x", "units": {"patrol_car": 1}, "area": "MARKET"}):  # fmt: skip
        assert api.post("supervisor", "/runcards", bad).status_code == 422, bad
    versions = api.get("dispatcher", "/runcards").json()["items"]
    assert [(v["card"], v["version"]) for v in versions] == [("knives", 1), ("knives", 2)]

    a = _unit(api, "PS1-01", "PS1", 23.1300, 113.2650)
    b = _unit(api, "PS2-01", "PS2", 23.1295, 113.2646)
    iid = api.report("有人拿刀在菜市场门口追着砍人", lat=23.1291, lon=113.2644)["incident"]["id"]
    api.post("call_taker", f"/incidents/{iid}/confirm", {})
    offer = api.get("dispatcher", f"/incidents/{iid}/units").json()
    assert offer["card"]["card"] == "knives" and offer["card"]["version"] == 2
    assert offer["proposed"] == [b["id"], a["id"]] and offer["missing"] == {"motorbike": 1}
