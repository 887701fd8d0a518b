"""Open311 GeoReport v2 on the 12345 side: the spec's shapes in JSON and XML, keys, errors, and a real client."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest
from fastapi.testclient import TestClient
from georeport import GeoReport
from jsonschema import Draft7Validator
from sqlalchemy import select
from tests.peering.conftest import _launch, free_port, seed

from lifeline.auth.service import SYSTEM
from lifeline.diversion.models import WorkOrder
from lifeline.incidents.models import Incident, Report
from lifeline.open311.service import create_key
from lifeline.settings import Settings
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.web.app import create_app

SPEC = json.loads(
    (Path(__file__).resolve().parents[3] / "shared/standards/open311/open311.json").read_text(encoding="utf-8")
)
V2 = "/open311/v2"
PHONE = "13800138000"
DESK_PHONE = "13912345678"
LAMP = "人民路路灯坏了好几天了，晚上很黑"
SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家，我有小票"
ANSWER = "已转城管局处理，预计三日内修复 / passed to urban management, to be fixed within three days"
PUBLIC_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "agency_responsible",
                 "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "lat", "long",
                 "media_url"}  # fmt: skip
W3 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
# The spec's error form (GeoReport v2, "Errors"); open311.json leaves it undescribed.
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
    },
}


def schema_of(path: str, method: str = "get") -> dict:
    """The JSON schema of a 200 answer in mySociety's OpenAPI of v2, with its components to resolve $refs."""
    answer = SPEC["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**answer, "components": SPEC["components"]}


def valid(document, schema: dict) -> None:
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in Draft7Validator(schema).iter_errors(document)]
    assert problems == [], problems


def json_of(response: httpx.Response, status: int = 200):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


def xml_of(response: httpx.Response, root: str, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.content)  # well-formed, or this raises
    assert element.tag == root
    return element


def key_for(url: str, username: str | None = None) -> str:
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        secret = create_key(session, SYSTEM, "test partner", username)
    engine.dispose()
    return secret


def submit(client: TestClient, key: str, fmt: str = "json", **fields) -> httpx.Response:
    form = {"api_key": key, "service_code": "municipal_facility", "lat": "23.1291", "long": "113.2644"}
    form |= {"description": LAMP, "phone": PHONE, "first_name": "三", "last_name": "张", "account_id": "acct-7"}
    return client.post(f"{V2}/requests.{fmt}", data={**form, **fields})


def _desk_order(api, incident_id: int, decision: dict | None = None) -> int:
    """The call-taker's decision on a diverted call at the 110 desk raises its work order."""
    decided = api.post("call_taker", f"/incidents/{incident_id}/confirm", decision or {})
    assert decided.status_code == 200, decided.text
    (order_id,) = decided.json()["follow_up"]["orders"]
    return order_id


def publish(api, order_id, answer: str = ANSWER, user: str = "hotline_operator") -> httpx.Response:
    """The 12345 centre puts an order on the public list with its answer to the public."""
    return api.client.put(
        f"/api/v1/orders/{order_id}/public-answer",
        json={"answer": answer},
        headers={"Authorization": f"Bearer {api.tokens[user]}"},
    )


@pytest.fixture
def open311(api, database):
    """(test client, database URL, an api_key acting as a dedicated 12345 service user)."""
    url, _ = database
    return api.client, url, key_for(url)


# Discovery and services ------------------------------------------------------------------------------


def test_discovery_names_the_v2_endpoint_in_both_formats(open311):
    client, _, _ = open311
    document = json_of(client.get(f"{V2}/discovery.json"))
    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]

    root = xml_of(client.get(f"{V2}/discovery.xml"), "discovery")
    assert root.findtext("changeset") == document["changeset"]
    endpoint_xml = root.find("endpoints/endpoint")
    assert endpoint_xml.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint_xml.findall("formats/format")] == ["text/xml", "application/json"]


def test_the_services_are_the_diverted_categories_in_both_formats(open311):
    client, _, _ = open311
    services = json_of(client.get(f"{V2}/services.json"))
    valid(services, schema_of("/services.{response_format}"))
    codes = [s["service_code"] for s in services]
    assert "noise" in codes and "municipal_facility" in codes
    assert "violent_crime" not in codes and "fire" not in codes and "nuisance" not in codes
    for service in services:
        assert service["metadata"] is False and service["type"] == "realtime"
        assert re.search(r"[\u4e00-\u9fff]", service["service_name"]) and re.search(
            r"[A-Za-z]", service["service_name"]
        )
        assert service["group"]
    noise = next(s for s in services if s["service_code"] == "noise")
    assert noise["group"] == "城市管理 Urban management"

    root = xml_of(client.get(f"{V2}/services.xml"), "services")
    items = root.findall("service")
    assert [s.findtext("service_code") for s in items] == codes
    assert {s.findtext("metadata") for s in items} == {"false"}
    assert {s.findtext("type") for s in items} == {"realtime"}


def test_a_service_definition_and_an_unknown_service(open311):
    client, _, _ = open311
    definition = json_of(client.get(f"{V2}/services/noise.json"))
    valid(definition, schema_of("/services/{service_code}.{response_format}"))
    assert definition == {"service_code": "noise", "attributes": []}
    root = xml_of(client.get(f"{V2}/services/noise.xml"), "service_definition")
    assert root.findtext("service_code") == "noise" and root.find("attributes") is not None

    missing = json_of(client.get(f"{V2}/services/violent_crime.json"), 404)
    valid(missing, ERRORS)
    assert missing[0]["code"] == 404
    error = xml_of(client.get(f"{V2}/services/nope.xml"), "errors", 404)
    assert error.findtext("error/code") == "404" and error.findtext("error/description")


def test_an_unknown_format_is_a_404_error_list(open311):
    client, _, _ = open311
    valid(json_of(client.get(f"{V2}/services.yaml"), 404), ERRORS)


def test_open311_is_served_by_the_12345_side_only(database):
    url, _ = database
    with TestClient(create_app(Settings(database_url=url, role="110"))) as client:
        assert client.get(f"{V2}/services.json").status_code == 404
        client.app.state.engine.dispose()
    with TestClient(create_app(Settings(database_url=url, role="12345"))) as client:
        assert client.get(f"{V2}/services.json").status_code == 200
        client.app.state.engine.dispose()


# Requests ------------------------------------------------------------------------------------------------


def test_a_posted_request_becomes_a_work_order_the_public_reads_once_published(open311, api):
    client, url, key = open311
    created = json_of(submit(client, key))
    valid(created, schema_of("/requests.{response_format}", "post"))
    (answer,) = created
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] == "acct-7" and "内办结" in answer["service_notice"]
    rid = answer["service_request_id"]

    engine = make_engine(url)
    with session_factory(engine)() as session:
        order = session.get(WorkOrder, int(rid))
        incident = session.get(Incident, order.incident_id)
        report = session.scalar(select(Report).where(Report.incident_id == incident.id))
        assert order.category == "municipal_facility" and order.state == "received"
        assert incident.disposition == "divert" and incident.state == "transferred"
        assert incident.override_reason == "Open311 提交" and incident.caller_number == PHONE
        assert report.channel == "app" and report.caller_name == "张三"
        uid = order.uid
    engine.dispose()

    # Not public until the 12345 centre publishes it; the client that filed it follows its status.
    assert json_of(client.get(f"{V2}/requests.json")) == []
    valid(json_of(client.get(f"{V2}/requests/{rid}.json"), 404), ERRORS)
    (own,) = json_of(client.get(f"{V2}/requests/{rid}.json", params={"api_key": key}))
    assert own["status"] == "open" and set(own) == PUBLIC_FIELDS and ANSWER not in own["status_notes"]

    assert publish(api, int(rid)).status_code == 200
    listed = json_of(client.get(f"{V2}/requests.json"))
    valid(listed, schema_of("/requests.{response_format}"))
    (item,) = [r for r in listed if r["service_request_id"] == rid]
    assert set(item) == PUBLIC_FIELDS  # no description, no address
    assert item["status"] == "open" and item["service_code"] == "municipal_facility"
    assert item["status_notes"].endswith(ANSWER) and item["agency_responsible"] == "城管局"
    assert (item["lat"], item["long"]) == (23.13, 113.26)  # about a kilometre, not the door
    assert item["media_url"] == ""
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3.match(item[field]), item[field]

    one = json_of(client.get(f"{V2}/requests/{rid}.json"))
    valid(one, schema_of("/requests/{service_request_id}.{response_format}"))
    assert one == [item]  # a list of one

    root = xml_of(client.get(f"{V2}/requests/{rid}.xml"), "service_requests")
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == rid and request.findtext("status") == "open"
    assert float(request.findtext("lat")) == pytest.approx(23.13)
    assert W3.match(request.findtext("requested_datetime"))
    assert [child.tag for child in request] == list(item)

    token = json_of(client.get(f"{V2}/tokens/{uid}.json"))
    valid(token, schema_of("/tokens/{token_id}.{response_format}"))
    assert token == [{"service_request_id": rid, "token": uid}]
    assert (
        xml_of(client.get(f"{V2}/tokens/{uid}.xml"), "service_requests").findtext("request/service_request_id") == rid
    )


def test_a_request_may_be_posted_as_json_and_answered_in_xml(open311):
    client, _, key = open311
    body = {"api_key": key, "service_code": "noise", "address_string": "幸福小区3栋", "phone": PHONE}
    body["description"] = "小区楼下广场舞音乐太吵了，每天晚上十点还不停"
    root = xml_of(client.post(f"{V2}/requests.xml", json=body), "service_requests")
    rid = root.findtext("request/service_request_id")
    assert rid and rid.isdigit() and root.find("request/account_id") is not None
    (item,) = json_of(client.get(f"{V2}/requests/{rid}.json", params={"api_key": key}))
    assert "address" not in item and "lat" not in item  # no door number; unknown numbers are left out


def test_filters_status_and_closed_orders(open311, api):
    client, _, key = open311
    lamp = json_of(submit(client, key))[0]["service_request_id"]
    # An order raised at the 110 desk, handled by the market regulator: closed, with its feedback.
    incident = api.report(SHOP, caller_number=DESK_PHONE)["incident"]
    order_id = _desk_order(api, incident["id"])
    for step in ({"to": "signed"}, {"to": "handled", "feedback": "已责令超市退款并下架过期食品"}):
        assert api.post("agency_handler", f"/orders/{order_id}/steps", step).status_code == 200
    shop = str(order_id)
    for published in (lamp, shop):
        assert publish(api, int(published), "已办理 / handled").status_code == 200

    closed = json_of(client.get(f"{V2}/requests.json", params={"status": "closed"}))
    assert [r["service_request_id"] for r in closed] == [shop]
    assert closed[0]["status_notes"].endswith("已办理 / handled")  # the public answer, not the feedback
    assert closed[0]["agency_responsible"] == "市场监管局"
    opened = json_of(client.get(f"{V2}/requests.json", params={"status": "open"}))
    assert [r["service_request_id"] for r in opened] == [lamp]
    both = json_of(client.get(f"{V2}/requests.json", params={"service_request_id": f"{lamp},{shop}"}))
    assert sorted(r["service_request_id"] for r in both) == sorted([lamp, shop])
    by_code = json_of(client.get(f"{V2}/requests.json", params={"service_code": "dispute_consumer"}))
    assert [r["service_request_id"] for r in by_code] == [shop]
    future = json_of(client.get(f"{V2}/requests.json", params={"start_date": "2099-01-01T00:00:00Z"}))
    assert future == []
    window = {"start_date": "2020-01-01T00:00:00+08:00", "end_date": "2020-12-31T00:00:00Z"}
    valid(json_of(client.get(f"{V2}/requests.json", params=window), 400), ERRORS)  # more than 90 days
    naive = json_of(client.get(f"{V2}/requests.json", params={"start_date": "2026-01-01T00:00:00"}), 400)
    assert "时区" in naive[0]["description"]


def test_the_public_list_carries_no_callers_words_names_numbers_or_notes(open311, api):
    client, _, key = open311
    rid = json_of(submit(client, key))[0]["service_request_id"]
    words = "超市卖过期食品，店主王建国骂人，要求退款不给退"
    incident = api.report(words, caller_number=DESK_PHONE, caller_name="李四")["incident"]
    shop = _desk_order(api, incident["id"])
    note = {"to": "returned", "reason": "内部备注：非本局职责"}
    assert api.post("agency_handler", f"/orders/{shop}/steps", note).status_code == 200
    secrets = [PHONE, DESK_PHONE, LAMP, words, "王建国", "李四", "张三", "内部备注", "人民路"]
    paths = [f"/requests.{f}" for f in ("json", "xml")]
    paths += [f"/requests/{i}.{f}" for i in (rid, shop) for f in ("json", "xml")]
    for published in (False, True):
        for path in paths:
            response = client.get(V2 + path)
            assert response.status_code == (200 if published or path.startswith("/requests.") else 404), path
            assert not [s for s in secrets if s in response.text], (path, response.text)
        for order_id in (rid, shop):
            assert publish(api, int(order_id)).status_code == 200


def test_phone_numbers_written_in_a_public_answer_are_masked(open311, api):
    client, _, _ = open311
    incident = api.report(SHOP, caller_number=DESK_PHONE)["incident"]
    order_id = _desk_order(api, incident["id"])
    assert publish(api, order_id, "请联系市场监管局 13700001111 / call the regulator").status_code == 200
    (item,) = json_of(client.get(f"{V2}/requests/{order_id}.json"))
    assert "13700001111" not in item["status_notes"] and "***********" in item["status_notes"]


def test_only_the_12345_centre_publishes_and_each_publication_is_audited(open311, api):
    client, _, _ = open311
    incident = api.report(SHOP, caller_number=DESK_PHONE)["incident"]
    order_id = _desk_order(api, incident["id"])
    for user in ("agency_handler", "call_taker", "dispatcher", "field_officer"):
        assert publish(api, order_id, user=user).status_code in (403, 404), user
    assert json_of(client.get(f"{V2}/requests.json")) == []
    assert publish(api, order_id, "  ").status_code == 422  # an answer is required
    done = publish(api, order_id)
    assert done.status_code == 200 and done.json()["public"] and done.json()["published_by"] == "hotline_operator"
    assert len(json_of(client.get(f"{V2}/requests.json"))) == 1
    withdrawn = api.client.put(
        f"/api/v1/orders/{order_id}/public-answer",
        json={"public": False},
        headers={"Authorization": f"Bearer {api.tokens['supervisor']}"},
    )
    assert withdrawn.status_code == 200 and not withdrawn.json()["public"]
    assert json_of(client.get(f"{V2}/requests.json")) == []
    kinds = [e["kind"] for e in api.get("admin", f"/incidents/{incident['id']}/events").json()["items"]]
    assert kinds.count("open311.published") == 1 and kinds.count("open311.withdrawn") == 1


def test_a_client_follows_only_its_own_unpublished_requests(open311, api):
    client, url, key = open311
    rid = json_of(submit(client, key))[0]["service_request_id"]
    other = key_for(url, "hotline_operator")
    incident = api.report(SHOP, caller_number=DESK_PHONE)["incident"]
    desk = _desk_order(api, incident["id"])
    own = json_of(client.get(f"{V2}/requests.json", params={"api_key": key}))
    assert [r["service_request_id"] for r in own] == [rid]
    valid(json_of(client.get(f"{V2}/requests/{desk}.json", params={"api_key": key}), 404), ERRORS)
    assert json_of(client.get(f"{V2}/requests.json", params={"api_key": other})) == []
    valid(json_of(client.get(f"{V2}/requests.json", params={"api_key": "o311_wrong"}), 403), ERRORS)


def test_a_request_that_may_concern_safety_waits_for_a_person(open311):
    client, url, key = open311
    held = json_of(submit(client, key, description="有人拿刀在小区门口砍人"))
    valid(held, schema_of("/requests.{response_format}", "post"))
    (answer,) = held
    assert "service_request_id" not in answer and answer["token"] and "110" in answer["service_notice"]
    assert json_of(client.get(f"{V2}/requests.json")) == []
    valid(json_of(client.get(f"{V2}/tokens/{answer['token']}.json"), 404), ERRORS)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        incident = session.scalar(select(Incident))
        assert incident.state == "triaged" and incident.disposition == "police"
        assert session.scalar(select(WorkOrder)) is None
    engine.dispose()


# Errors ----------------------------------------------------------------------------------------------------


def test_bad_input_is_a_400_error_list(open311):
    client, _, key = open311
    missing = json_of(client.post(f"{V2}/requests.json", data={"api_key": key, "lat": "23.1", "long": "113.2"}), 400)
    valid(missing, ERRORS)
    assert missing[0]["code"] == 400 and "service_code" in missing[0]["description"]
    root = xml_of(client.post(f"{V2}/requests.xml", data={"api_key": key, "service_code": "noise"}), "errors", 400)
    assert root.findtext("error/code") == "400" and "address_string" in root.findtext("error/description")
    several = json_of(client.post(f"{V2}/requests.json", data={"api_key": key, "lat": "north"}), 400)
    assert len(several) == 2  # every problem at once
    far = json_of(submit(client, key, lat="123", long="500"), 400)
    assert "±90" in far[0]["description"]
    unknown = json_of(submit(client, key, service_code="violent_crime"), 404)
    valid(unknown, ERRORS)
    multipart = client.post(f"{V2}/requests.json", files={"api_key": (None, key)})
    valid(json_of(multipart, 400), ERRORS)


def test_a_missing_or_wrong_api_key_is_a_403_error_list(open311):
    client, _, _ = open311
    wrong = json_of(submit(client, "o311_not-a-key"), 403)
    valid(wrong, ERRORS)
    assert wrong[0]["code"] == 403 and "api_key" in wrong[0]["description"]
    form = {"service_code": "noise", "address_string": "幸福小区"}
    root = xml_of(client.post(f"{V2}/requests.xml", data=form), "errors", 403)
    assert root.findtext("error/code") == "403"
    assert json_of(client.get(f"{V2}/requests.json")) == []  # nothing was written


def test_a_key_acting_as_a_user_who_may_not_take_reports_is_refused(database):
    url, _ = database
    engine = make_engine(url)
    with (
        pytest.raises(Exception, match="may not take Open311 requests"),
        transaction(session_factory(engine)) as session,
    ):
        create_key(session, SYSTEM, "handler", "agency_handler")
    engine.dispose()


def test_unknown_ids_and_tokens_are_404_error_lists(open311):
    client, _, _ = open311
    valid(json_of(client.get(f"{V2}/requests/999999.json"), 404), ERRORS)
    assert xml_of(client.get(f"{V2}/requests/999999.xml"), "errors", 404).findtext("error/code") == "404"
    valid(json_of(client.get(f"{V2}/requests/abc.json"), 404), ERRORS)
    for odd in ("²", "٣", str(2**40), "0"):  # digits to str.isdigit, not to int() or the database
        valid(json_of(client.get(f"{V2}/requests/{odd}.json"), 404), ERRORS)
        valid(json_of(client.get(f"{V2}/requests.json", params={"service_request_id": odd}), 400), ERRORS)
    valid(json_of(client.get(f"{V2}/tokens/nope.json"), 404), ERRORS)


# A real client against a real server -----------------------------------------------------------------------


def test_the_georeport_client_reads_a_real_12345_server(tmp_path):
    db = f"sqlite:///{tmp_path}/12345.db"
    tokens = seed(db, "12345")
    created = subprocess.run(
        [sys.executable, "-m", "lifeline.cli", "open311", "key", "create", "georeport", "--db", db],
        capture_output=True,
        text=True,
        check=True,
    )
    key = created.stdout
    assert re.fullmatch(r"o311_[\w-]{40,}\n", key), key  # the key and nothing else
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _launch([sys.executable, "-m", "lifeline.cli", "serve", "--role", "12345", "--db", db,
                      "--port", str(port)], url)  # fmt: skip
    try:
        form = {"api_key": key.strip(), "service_code": "municipal_facility", "address_string": "人民路 88 号"}
        form |= {"description": LAMP, "phone": PHONE}
        posted = httpx.post(f"{url}{V2}/requests.xml", data=form, timeout=10)
        rid = ET.fromstring(posted.content).findtext("request/service_request_id")
        assert posted.status_code == 200 and rid, posted.text
        operator = {"Authorization": f"Bearer {tokens['hotline_operator']}"}
        published = httpx.put(f"{url}/api/v1/orders/{rid}/public-answer", json={"answer": ANSWER}, headers=operator)
        assert published.status_code == 200, published.text

        for fmt in ("json", "xml"):
            client = GeoReport(f"{url}{V2}", output_format=fmt)
            services = client.get_service_list()
            assert "municipal_facility" in [s["service_code"] for s in services]
            assert client.get_service_definition("noise")["service_code"] == "noise"
            requests_ = client.get_service_requests(status="open", service_code="municipal_facility")
            requests_ = requests_ if isinstance(requests_, list) else [requests_]  # xmltodict: one is not a list
            assert [r["service_request_id"] for r in requests_] == [rid]
            one = client.get_service_request(rid)
            assert one["service_request_id"] == rid and one["status"] == "open"
            assert one["status_notes"].endswith(ANSWER) and "address" not in one
            assert PHONE not in json.dumps(one, ensure_ascii=False)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize(
    "params",
    [
        {"end_date": "9999-12-31T23:59:59-14:00"},
        {"start_date": "0001-01-01T00:00:00+14:00"},
        {"start_date": "9999-12-31"},
        {"end_date": "9999-12-31"},
    ],
)
def test_dates_out_of_range_are_a_400_error_list(open311, params):
    client, _, _ = open311
    valid(json_of(client.get(f"{V2}/requests.json", params=params), 400), ERRORS)


def test_text_the_database_cannot_compare_is_a_400_or_404_not_500(open311):
    client, _, key = open311
    valid(json_of(client.get(f"{V2}/tokens/a%00b.json"), 404), ERRORS)
    for name in ("service_code", "status", "start_date", "api_key", "jurisdiction_id"):
        valid(json_of(client.get(f"{V2}/requests.json", params={name: "a\x00b"}), 400), ERRORS)
    valid(json_of(submit(client, key, description="路灯\x00坏了"), 400), ERRORS)
