"""The 12345 inbox shows each order's catalogue item and filters by it (API and console)."""

from __future__ import annotations

import re

from tests.web.test_consoles import login

CAR = "有辆车挡住我的车了，麻烦帮我挪车，在幸福小区东门"
FOOD = "超市卖过期食品，要求退款不给退，在新华路华润万家，我有小票"


def _divert(api, text: str) -> int:
    taken = api.report(text)
    decided = api.post("call_taker", f"/incidents/{taken['incident']['id']}/confirm", {})
    assert decided.status_code == 200, decided.text
    return decided.json()["follow_up"]["orders"][0]


def _item_of(api, order_id: int) -> str:
    return api.get("admin", f"/orders/{order_id}").json()["catalogue_item"]


def test_orders_are_listed_by_item(api):
    car, food = _divert(api, CAR), _divert(api, FOOD)
    food_item = _item_of(api, food)
    assert _item_of(api, car) == "car_moving_blocked" and food_item not in (None, "car_moving_blocked")
    listed = api.get("hotline_operator", "/orders", params={"item": "car_moving_blocked"}).json()["items"]
    assert [o["id"] for o in listed] == [car]
    listed = api.get("hotline_operator", "/orders", params={"item": food_item}).json()["items"]
    assert [o["id"] for o in listed] == [food] and listed[0]["catalogue_version"] == 1
    assert api.get("hotline_operator", "/orders", params={"item": "Not An Item"}).status_code == 422


def test_the_inbox_shows_the_item_and_filters_by_it(api):
    car, food = _divert(api, CAR), _divert(api, FOOD)
    food_item = _item_of(api, food)
    name = next(i["name"] for i in api.get("admin", "/catalogue").json()["items"] if i["code"] == food_item)
    client, headers, _ = login(api, "hotline_operator")
    page = client.get("/console/orders", params={"item": food_item})
    assert page.status_code == 200
    assert f'data-order="{food}"' in page.text and f'data-order="{car}"' not in page.text
    assert f'data-item="{food_item}"' in page.text and name in page.text
    assert 'value="car_moving_blocked"' in page.text  # the filter offers every item
    everything = client.get("/console/orders/inbox", headers=headers).text
    assert set(re.findall(r'data-order="(\d+)"', everything)) >= {str(car), str(food)}
    panel = client.get(f"/console/orders/{car}/panel", headers=headers).text
    assert 'id="order-item" data-item="car_moving_blocked"' in panel and "v1" in panel


def test_the_incident_page_shows_the_item_its_owner_and_the_orders_item(api):
    order_id = _divert(api, CAR)
    incident_id = api.get("admin", f"/orders/{order_id}").json()["incident_id"]
    client, _, _ = login(api, "call_taker")
    page = client.get(f"/console/incidents/{incident_id}").text
    assert 'id="incident-item" data-item="car_moving_blocked"' in page and "一键转办" in page
    assert 'class="item" data-item="car_moving_blocked"' in page
