"""工单台: the limit an order is held to, 延期申请 and its decision, 催办 and 督办 through the console's forms."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from tests.web.test_consoles import login
from tests.web.test_orders_console import divert

from lifeline.diversion.models import WorkOrder
from lifeline.store.base import utcnow


def panel(client, headers, order: int) -> str:
    return client.get(f"/console/orders/{order}/panel", headers=headers).text


def test_the_handler_asks_for_more_time_and_the_desk_decides_in_the_panel(api):
    _, order = divert(api)
    client, headers, _ = login(api, "agency_handler")
    shown = panel(client, headers, order)
    assert 'data-action="extend"' in shown and 'data-action="urge"' not in shown  # a department does not urge
    assert "个工作日" in shown or "按小时计" in shown  # the limit it is held to
    before = api.get("agency_handler", f"/orders/{order}").json()["handle_by"]
    empty = client.post(
        f"/console/orders/{order}/extension", data={"grounds": " ", "working_days": "3"}, headers=headers
    )
    assert "toast late" in empty.text
    asked = client.post(
        f"/console/orders/{order}/extension", data={"grounds": "需送检", "working_days": "3"}, headers=headers
    )
    assert "toast late" not in asked.text and asked.headers["HX-Trigger"] == "order-moved"
    shown = panel(client, headers, order)
    assert "需送检" in shown and "待审批" in shown and 'data-action="extend"' not in shown  # one at a time

    client, headers, _ = login(api, "hotline_operator")
    inbox = client.get("/console/orders").text
    assert 'data-mark="extension"' in inbox
    shown = panel(client, headers, order)
    assert 'data-action="decide"' in shown and 'data-action="urge"' in shown
    (follow_up,) = api.get("hotline_operator", f"/orders/{order}/follow-ups").json()["items"]
    path = f"/console/orders/{order}/extension/{follow_up['id']}"
    assert "toast late" in client.post(path, data={"decision": "approve", "reason": ""}, headers=headers).text
    assert "toast late" in client.post(path, data={"decision": "maybe", "reason": "x"}, headers=headers).text
    done = client.post(path, data={"decision": "approve", "reason": "同意延期"}, headers=headers)
    assert "toast late" not in done.text and "批准" in done.text
    assert api.get("agency_handler", f"/orders/{order}").json()["handle_by"] > before
    assert 'data-mark="extension"' not in client.get("/console/orders").text


def test_the_desk_urges_and_a_supervisor_supervises_an_overdue_order(api):
    _, order = divert(api)
    client, headers, _ = login(api, "hotline_operator")
    urged = client.post(f"/console/orders/{order}/urge", data={"text": "市民再次来电"}, headers=headers)
    assert "toast late" not in urged.text, urged.text
    assert 'data-mark="urged"' in client.get("/console/orders").text
    assert "市民再次来电" in panel(client, headers, order)

    client, headers, _ = login(api, "supervisor")
    assert 'data-action="supervise"' not in panel(client, headers, order)  # not overdue yet
    with api.client.app.state.engine.begin() as connection:
        connection.execute(update(WorkOrder).where(WorkOrder.id == order).values(sign_by=utcnow() - timedelta(hours=1)))
    assert 'data-action="supervise"' in panel(client, headers, order)
    data = {"demand": "今日内签收并联系市民", "working_days": "1"}
    made = client.post(f"/console/orders/{order}/supervision", data=data, headers=headers)
    assert "toast late" not in made.text, made.text
    assert "今日内签收并联系市民" in panel(client, headers, order)

    client, headers, _ = login(api, "agency_handler")  # the department sees both in its inbox
    inbox = client.get("/console/orders").text
    assert 'data-mark="supervised"' in inbox and 'data-mark="urged"' in inbox
