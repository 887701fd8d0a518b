"""NENA EIDO: what we export follows the schema, what we import becomes a report, and numbers stay masked."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import pytest

from lifeline.eido import document as eido
from lifeline.errors import Invalid

SAMPLE = Path(__file__).resolve().parents[3] / "shared/standards/eido/Samples/Sample call transfer EIDO.json"
NUMBER = "13800138000"


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def events(api, incident_id: int) -> list[dict]:
    response = api.get("supervisor", f"/incidents/{incident_id}/events")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def export(api, incident_id: int, user: str = "supervisor") -> dict:
    response = api.get(user, f"/incidents/{incident_id}/eido")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert eido.validate(document) == []
    return document


def notes(document: dict) -> list[str]:
    return [n["notesActionComments"] for n in document.get("notesComponent", [])]


# Pure ------------------------------------------------------------------------------------------


def test_the_nena_sample_validates_and_reads():
    document = sample()
    assert eido.validate(document) == []
    got = eido.from_eido(document)
    assert got.external_ref == "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"
    assert got.caller_number == "8195551212"  # tel: before sip:
    assert "Wilmington" in got.location_text  # from the PIDF-LO civic address
    assert got.received_at == datetime.fromisoformat("2021-04-30T14:40:00-04:00")
    assert got.channel == "hotline_push"


def test_validate_names_each_problem():
    document = sample()
    del document["eidoVersion"]
    document["lastUpdateTimeStamp"] = "yesterday"
    document["callComponent"][0]["direction"] = "sideways"
    errors = eido.validate(document)
    assert any("eidoVersion" in e and e.startswith("(root)") for e in errors), errors
    assert any(e.startswith("lastUpdateTimeStamp:") and "date-time" in e for e in errors), errors
    assert any(e.startswith("callComponent/0/direction:") for e in errors), errors
    assert eido.validate([]) and eido.validate("x")


def test_the_upstream_min_items_slip_is_an_integer_rule():
    document = sample()
    document["agentComponent"][0]["agentRoleRegistryText"] = []
    assert any("agentComponent/0/agentRoleRegistryText" in e for e in eido.validate(document))


def test_from_eido_raises_invalid_listing_errors():
    document = sample()
    document["agencyComponent"] = [{"$id": "x"}]
    with pytest.raises(Invalid) as caught:
        eido.from_eido(document)
    assert "agencyType" in caught.value.detail
    assert caught.value.detail.startswith("EIDO 文档不符合")
    assert any("agencyComponent/0" in e for e in caught.value.extra["errors"])


# Export ----------------------------------------------------------------------------------------


def test_every_exported_document_validates(api):
    police = api.report("楼下有人拿着菜刀追着砍人，快来", caller_number=NUMBER, location_text="城关镇人民路12号")
    fire = api.report(
        "着火了，三楼冒黑烟，有人被困",
        caller_number="13900139000",
        location_text="东城区幸福小区3栋",
        lat=23.1291,
        lon=113.2644,
    )
    divert = api.report("小区路灯坏了一个星期了，晚上很黑，希望有关部门修一下", caller_number="13700137000")
    first = api.report("人民广场东门有两辆车相撞，有人受伤", location_text="人民广场东门")
    second = api.report("人民广场东门车祸，一个人躺在地上", location_text="人民广场东门", channel="sms")
    target, source = first["incident"]["id"], second["incident"]["id"]
    merged = api.post("call_taker", f"/incidents/{target}/merge", {"source": source})
    assert merged.status_code == 200, merged.text

    doc = export(api, police["incident"]["id"])
    component = doc["incidentComponent"]
    assert component["incidentTypeInternalCode"] == police["incident"]["category"]
    assert police["incident"]["category_zh"] in component["incidentTypeInternalText"]
    assert component["incidentTypeCommonRegistryText"] == "Police"
    assert component["incidentStatusInternalText"][0] == "triaged"
    assert component["incidentCommonPriorityNumber"] == police["incident"]["priority"]
    assert doc["lastUpdateTimeStamp"].endswith("+08:00")
    assert doc["callComponent"][0]["callStartTimestamp"].endswith("+08:00")
    assert doc["locationComponent"][0]["locationDescriptionText"] == "城关镇人民路12号"
    assert "locationByValue" not in doc["locationComponent"][0]  # no coordinates known
    assert any("菜刀" in n for n in notes(doc))
    assert any(n.startswith("研判建议 triage suggestion") for n in notes(doc))
    assert doc["agencyComponent"][0]["agencyType"] == ["police"]
    assert "市公安局 110 指挥中心" in doc["agencyComponent"][0]["agencyJcard"]

    doc = export(api, fire["incident"]["id"])
    assert fire["incident"]["disposition"] == "joint"
    assert doc["incidentComponent"]["incidentTypeCommonRegistryText"] == "Fire"
    pidf = doc["locationComponent"][0]["locationByValue"]
    assert "<gml:pos>23.129100 113.264400</gml:pos>" in pidf

    doc = export(api, divert["incident"]["id"])
    assert divert["incident"]["disposition"] == "divert"
    assert doc["incidentComponent"]["incidentTypeCommonRegistryText"] == "Other"

    doc = export(api, target)
    assert len(doc["callComponent"]) == 2
    assert {c["localCallType"] for c in doc["callComponent"]} == {"voice", "sms"}
    assert doc["mergeComponent"][0]["incidentMergeDirectionCode"] == "REPLACING"
    assert doc["mergeComponent"][0]["incidentTrackingIdentifier"].startswith(f"urn:emergency:uid:incidentid:{source}:")
    doc = export(api, source)
    assert doc["mergeComponent"][0]["incidentMergeDirectionCode"] == "REPLACED"
    assert doc["incidentComponent"]["incidentStatusInternalText"][0] == "merged"
    assert "callComponent" not in doc


def test_the_same_incident_exports_the_same_ids(api):
    incident_id = api.report("有人在超市偷东西被抓住了")["incident"]["id"]
    assert export(api, incident_id) == export(api, incident_id)


def test_export_is_scoped_like_reading_the_incident(api):
    incident_id = api.report("有人在超市偷东西被抓住了")["incident"]["id"]
    assert api.get("urban_handler", f"/incidents/{incident_id}/eido").status_code == 404
    assert api.get(None, f"/incidents/{incident_id}/eido").status_code == 401
    assert api.get("supervisor", "/incidents/999999/eido").status_code == 404


def test_number_unmasked_only_for_those_who_may_read_it(api):
    got = api.report("小区里的路灯坏了好几天了，请派人来修", caller_number=NUMBER)
    incident_id = got["incident"]["id"]
    confirmed = api.post("call_taker", f"/incidents/{incident_id}/confirm", {"disposition": "divert", "reason": "测试"})
    assert confirmed.status_code == 200, confirmed.text
    # The decision hands the matter over: a work order to the urban management office, the incident transferred.
    assert confirmed.json()["state"] == "transferred"
    (order_id,) = confirmed.json()["follow_up"]["orders"]
    assert api.get("call_taker", f"/orders/{order_id}").json()["orgs"][0]["org"] == "URBAN"

    full = export(api, incident_id, "call_taker")
    text = json.dumps(full, ensure_ascii=False)
    assert full["callbackComponent"][0]["callBackInformationUri"] == [f"tel:+86{NUMBER}"]
    assert "138****8000" not in text
    reads = [e for e in events(api, incident_id) if e["kind"] == "caller.number_read"]
    assert reads and reads[-1]["actor"] == "call_taker" and reads[-1]["payload"]["via"] == "eido"

    before = len(events(api, incident_id))
    masked = export(api, incident_id, "urban_handler")  # handed the incident, may not read numbers
    text = json.dumps(masked, ensure_ascii=False)
    assert NUMBER not in text and "8613800138000" not in text
    assert "138****8000" in text
    assert "callbackComponent" not in masked
    assert eido.from_eido(masked).caller_number is None  # a masked number is never imported as one
    assert len(events(api, incident_id)) == before


# Import ----------------------------------------------------------------------------------------


def test_round_trip_keeps_words_number_and_place(api):
    original = api.report(
        "有人在我家门口砸车，拿着铁棍\n还在骂人 <b>快来</b> & 快",
        caller_number=NUMBER,
        location_text="天河区体育西路100号",
        lat=23.135,
        lon=113.321,
        received_at="2026-11-23T08:00:00+08:00",
        answered_at="2026-11-23T08:00:05+08:00",
    )
    document = export(api, original["incident"]["id"])
    response = api.post("call_taker", "/eido", document)
    assert response.status_code == 201, response.text
    body = response.json()
    incident = body["incident"]
    assert incident["id"] != original["incident"]["id"]
    assert incident["reports"][0]["text"] == "有人在我家门口砸车，拿着铁棍\n还在骂人 <b>快来</b> & 快"
    assert incident["reports"][0]["channel"] == "voice"
    assert incident["address"] == "天河区体育西路100号"
    assert (incident["lat"], incident["lon"]) == (23.135, 113.321)
    assert datetime.fromisoformat(incident["received_at"]) == datetime.fromisoformat("2026-11-23T08:00:00+08:00")
    assert incident["caller_number"] == "138****8000"
    revealed = api.get("supervisor", f"/incidents/{incident['id']}/caller").json()
    assert revealed["number"] == NUMBER
    assert body["triage"]["disposition"] == original["triage"]["disposition"]
    assert "eido.imported" in [e["kind"] for e in events(api, incident["id"])]


def test_reimport_returns_the_first_incident(api):
    document = sample()
    first = api.post("call_taker", "/eido", document)
    assert first.status_code == 201, first.text
    again = api.post("call_taker", "/eido", document)
    assert again.status_code == 200, again.text
    assert again.json()["incident"]["id"] == first.json()["incident"]["id"]
    assert again.json()["report_id"] == first.json()["report_id"]
    # Another desk of the same tree sees the same incident; an organisation that cannot is told, not shown.
    assert api.post("supervisor", "/eido", document).json()["incident"]["id"] == first.json()["incident"]["id"]
    refused = api.post("hotline_operator", "/eido", document)
    assert refused.status_code == 409, refused.text
    listed = api.get("supervisor", "/incidents").json()["items"]
    assert len(listed) == 1


def test_idempotency_key_replays_the_first_answer(api):
    document = sample()
    document["$id"] = "urn:emergency:uid:incidentid:k1:peer.example"
    headers = {"Idempotency-Key": "eido-import-1"}
    first = api.post("call_taker", "/eido", document, headers=headers)
    assert first.status_code == 201, first.text
    again = api.post("call_taker", "/eido", document, headers=headers)
    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    other = copy.deepcopy(document)
    other["$id"] = "urn:emergency:uid:incidentid:k2:peer.example"
    assert api.post("call_taker", "/eido", other, headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.pop("eidoVersion"), "eidoVersion"),
        (lambda d: d.update(eidoVersion="9.9"), "eidoVersion"),
        (lambda d: d.update(lastUpdateTimeStamp="2021-04-30 下午"), "lastUpdateTimeStamp"),
        (lambda d: d["callComponent"][0].pop("callStartTimestamp"), "callStartTimestamp"),
        (lambda d: d.update(agencyComponent="state.pa.us"), "agencyComponent"),
        (lambda d: d.update({"$id": "x" * 101}), "$id"),
        (
            lambda d: d["locationComponent"][0].update(locationByValue='<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'),
            "PIDF-LO",
        ),
        (
            lambda d: d["locationComponent"][0].update(
                locationByValue='<p xmlns:gml="http://www.opengis.net/gml"><gml:pos>123 456</gml:pos></p>'
            ),
            "out of range",
        ),
    ],
)
def test_invalid_documents_are_422_naming_the_problem(api, change, named):
    document = sample()
    change(document)
    response = api.post("call_taker", "/eido", document)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert named in problem["detail"] + json.dumps(problem.get("errors", []), ensure_ascii=False)
    assert api.get("supervisor", "/incidents").json()["items"] == []


def test_a_document_that_is_not_an_object_is_422(api):
    response = api.post("call_taker", "/eido", [1, 2])
    assert response.status_code == 422, response.text


def test_importing_needs_report_create(api):
    assert api.post("agency_handler", "/eido", sample()).status_code == 403
    assert api.post(None, "/eido", sample()).status_code == 401
