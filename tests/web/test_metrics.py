"""GET /metrics: Prometheus text that prometheus_client's own parser reads, values that follow the desk, and a door
closed to anyone but loopback or the holder of the metrics token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from lifeline.settings import Settings
from lifeline.web.app import create_app

KNIFE = "有人拿刀在菜市场门口追着砍人"
TOKEN = "scrape-me-7f3a"


def scrape(client: TestClient, token: str | None = TOKEN) -> dict:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metered(database):
    url, tokens = database
    settings = Settings(database_url=url, metrics_token=SecretStr(TOKEN))
    with TestClient(create_app(settings)) as client:
        yield client, tokens


def test_metrics_parse_and_follow_an_intake(metered):
    client, tokens = metered
    before = scrape(client)
    made = client.post(
        "/api/v1/reports", json={"text": KNIFE}, headers={"Authorization": f"Bearer {tokens['call_taker']}"}
    )
    assert made.status_code == 201, made.text
    after = scrape(client)
    assert (
        value(after, "lifeline_calls_today", channel="voice")
        == value(before, "lifeline_calls_today", channel="voice") + 1
    )
    assert value(after, "lifeline_incidents_today", disposition="police", stage="triaged") >= 1
    assert value(after, "lifeline_incidents_open", state="triaged") >= 1
    route = {"method": "POST", "route": "/api/v1/reports", "status": "201"}
    assert value(after, "lifeline_http_requests_total", **route) == 1
    assert value(after, "lifeline_http_request_seconds_count", method="POST", route="/api/v1/reports") == 1
    assert value(after, "lifeline_orders_overdue") == 0 and ("lifeline_p1_waiting", ()) in after
    client.get(
        f"/api/v1/incidents/{made.json()['incident']['id']}",
        headers={"Authorization": f"Bearer {tokens['call_taker']}"},
    )
    templated = scrape(client)
    assert value(templated, "lifeline_http_requests_total", method="GET", route="/api/v1/incidents/{incident_id}",
                 status="200") == 1  # fmt: skip


def test_metrics_need_the_token_when_one_is_set(metered):
    client, _ = metered
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_without_a_token_only_loopback_is_served(database):
    url, _ = database
    with TestClient(create_app(Settings(database_url=url)), client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 200
    with TestClient(create_app(Settings(database_url=url)), client=("203.0.113.9", 50000)) as remote:
        assert remote.get("/metrics").status_code == 403


def test_metrics_show_the_one_queue_by_channel(metered):
    client, _ = metered
    assert value(scrape(client), "lifeline_queue_waiting", channel="video") == 0
    assert client.post("/alarm/calls", json={"address": "人民路"}).status_code == 200
    after = scrape(client)
    assert value(after, "lifeline_queue_waiting", channel="video") == 1
    assert value(after, "lifeline_queue_oldest_seconds", channel="video") >= 0
    assert value(after, "lifeline_posts_not_alive") == 0
