"""12345 time limits on orders, 延期申请, 催办 and 督办, through the API on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from lifeline.diversion import routing, service
from lifeline.diversion.models import WorkOrder
from lifeline.store.base import utcnow
from lifeline.store.engine import session_factory, transaction

SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家"


def _order(api, text=SHOP) -> dict:
    iid = api.report(text)["incident"]["id"]
    (order_id,) = api.post("call_taker", f"/incidents/{iid}/confirm", {}).json()["follow_up"]["orders"]
    return api.get("call_taker", f"/orders/{order_id}").json()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def put(api, order_id, **values):
    """Set deadlines the API does not let anyone set (the test plays the clock)."""
    with api.client.app.state.engine.begin() as connection:
        connection.execute(update(WorkOrder).where(WorkOrder.id == order_id).values(**values))


def session_of(api):
    return transaction(session_factory(api.client.app.state.engine))


def kinds(api, order) -> list[str]:
    return [e["kind"] for e in api.get("supervisor", f"/incidents/{order['incident_id']}/events").json()["items"]]


def test_an_order_is_held_to_its_kinds_limit_in_working_days(api):
    order = _order(api)
    assert order["limit_kind"] in routing.KINDS and order["calendar_estimated"] in (True, False)
    due = routing.Table().due(order["category"], order["limit_kind"], at(order["sent_at"]))
    assert at(order["handle_by"]) == due.handle_by and at(order["sign_by"]) == due.sign_by
    assert order["limit_days"] == due.deadline.handle_working_days
    # Today is 5 December 2026: a count of 13 working days can only run into 2027 from mid-December on.
    assert order["calendar_estimated"] == due.estimated


def test_an_extension_is_asked_with_grounds_and_approval_moves_the_deadline(api):
    order = _order(api)
    oid, before = order["id"], at(order["handle_by"])
    path = f"/orders/{oid}/extensions"
    assert api.post("agency_handler", path, {"grounds": "  ", "working_days": 5}).status_code == 422
    assert api.post("agency_handler", path, {"grounds": "需现场检测", "working_days": 0}).status_code == 422
    assert api.post("urban_handler", path, {"grounds": "需现场检测", "working_days": 5}).status_code == 404  # not his
    asked = api.post("agency_handler", path, {"grounds": "需送检，检测需 5 个工作日", "working_days": 5})
    assert asked.status_code == 201, asked.text
    row = asked.json()
    assert row["decision"] == "pending" and at(row["due"]) == routing.Table().calendar.add_working_days(before, 5).at
    assert (
        api.post("agency_handler", path, {"grounds": "再申请", "working_days": 2}).status_code == 409
    )  # one at a time

    decide = f"{path}/{row['id']}/decision"
    assert api.post("agency_handler", decide, {"approve": True, "reason": "同意"}).status_code == 403
    assert api.post("hotline_operator", decide, {"approve": True, "reason": " "}).status_code == 422
    assert api.get("agency_handler", f"/orders/{oid}").json()["handle_by"] == order["handle_by"]  # not yet
    approved = api.post("hotline_operator", decide, {"approve": True, "reason": "检测确需时间，同意延期"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["decision"] == "approved" and approved.json()["decided_by"] == "hotline_operator"
    assert at(api.get("agency_handler", f"/orders/{oid}").json()["handle_by"]) == at(row["due"]) > before
    assert api.post("hotline_operator", decide, {"approve": False, "reason": "改主意"}).status_code == 409

    again = api.post("agency_handler", path, {"grounds": "检测机构排期", "working_days": 3}).json()
    refused = api.post("supervisor", f"{path}/{again['id']}/decision", {"approve": False, "reason": "应先行处置"})
    assert refused.status_code == 200 and refused.json()["decision"] == "refused"
    assert at(api.get("agency_handler", f"/orders/{oid}").json()["handle_by"]) == at(row["due"])  # unchanged
    assert {"order.extension_requested", "order.extension_approved", "order.extension_refused"} <= set(
        kinds(api, order)
    )
    rows = api.get("agency_handler", f"/orders/{oid}/follow-ups").json()["items"]
    assert [(r["kind"], r["decision"]) for r in rows] == [("extension", "approved"), ("extension", "refused")]


def test_the_desk_urges_by_hand_and_the_department_sees_it(api):
    order = _order(api)
    path = f"/orders/{order['id']}/urge"
    assert api.post("agency_handler", path, {"text": "请尽快"}).status_code == 403  # the department does not urge
    assert api.post("hotline_operator", path, {"text": ""}).status_code == 422
    urged = api.post("hotline_operator", path, {"text": "市民再次来电，请今日内联系"})
    assert urged.status_code == 201, urged.text
    assert api.get("agency_handler", f"/orders/{order['id']}").json()["urged_at"]
    (row,) = api.get("agency_handler", f"/orders/{order['id']}/follow-ups").json()["items"]
    assert row["kind"] == "urge" and row["by"] == "hotline_operator" and not row["automatic"]
    assert "order.urged" in kinds(api, order)
    api.post("agency_handler", f"/orders/{order['id']}/steps", {"to": "signed"})
    api.post("agency_handler", f"/orders/{order['id']}/steps", {"to": "handled", "feedback": "已退款"})
    assert api.post("hotline_operator", path, {"text": "再催"}).status_code == 409  # handled: nothing to urge


def test_an_order_near_its_deadline_is_urged_once_automatically(api):
    order = _order(api)
    handle_by = at(order["handle_by"])
    table = api.client.app.state.routing
    with session_of(api) as session:
        assert service.urge_due(session, table, at(order["sent_at"]) + timedelta(minutes=1)) == []
        near = handle_by - timedelta(minutes=30)
        assert service.urge_due(session, table, near) == [order["id"]]
        assert service.urge_due(session, table, near + timedelta(minutes=1)) == []  # once per deadline
        assert service.urge_due(session, table, handle_by + timedelta(minutes=1)) == []  # overdue: escalation's
    (row,) = api.get("hotline_operator", f"/orders/{order['id']}/follow-ups").json()["items"]
    assert row["automatic"] and row["by"] == "system" and at(row["due"]) == handle_by


def test_supervision_is_for_overdue_orders_with_a_written_demand_and_a_date(api):
    order = _order(api)
    path = f"/orders/{order['id']}/supervision"
    body = {"demand": "三日内办结并书面说明超期原因", "working_days": 3}
    assert api.post("supervisor", path, body).status_code == 409  # not overdue: urge it instead
    put(api, order["id"], sign_by=utcnow() - timedelta(minutes=1))
    assert api.post("hotline_operator", path, body).status_code == 403  # a supervisor's call
    assert api.post("supervisor", path, {**body, "demand": ""}).status_code == 422
    made = api.post("supervisor", path, body)
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "supervise" and made.json()["working_days"] == 3
    assert at(made.json()["due"]) > utcnow() and "order.supervised" in kinds(api, order)


def test_follow_ups_are_counted_by_order_in_a_window(api):
    first, second = _order(api), _order(api, "小区门口路灯坏了一个月没人修")
    api.post("hotline_operator", f"/orders/{first['id']}/urge", {"text": "请尽快"})
    api.post("hotline_operator", f"/orders/{first['id']}/urge", {"text": "再催"})
    asked = api.post("agency_handler", f"/orders/{first['id']}/extensions", {"grounds": "送检", "working_days": 2})
    path = f"/orders/{first['id']}/extensions/{asked.json()['id']}/decision"
    api.post("hotline_operator", path, {"approve": True, "reason": "同意"})
    put(api, second["id"], sign_by=utcnow() - timedelta(minutes=1))
    assert api.post("supervisor", f"/orders/{second['id']}/supervision", {"demand": "今日签收", "working_days": 1})
    now = utcnow()

    def counts(since, until):
        got = api.get("supervisor", "/kpis", params={"since": since.isoformat(), "until": until.isoformat()})
        keys = ("urged_orders", "supervised_orders", "extensions_requested", "extensions_approved")
        return {f["key"]: f["value"] for f in got.json()["figures"] if f["key"] in keys}

    assert counts(now - timedelta(hours=1), now + timedelta(seconds=1)) == {
        "urged_orders": 1, "supervised_orders": 1, "extensions_requested": 1, "extensions_approved": 1
    }  # fmt: skip
    assert set(counts(now - timedelta(days=2), now - timedelta(days=1)).values()) == {0}


def test_a_rerouted_order_gets_fresh_deadlines_of_its_kind(api):
    order = _order(api)
    api.post("agency_handler", f"/orders/{order['id']}/steps", {"to": "returned", "reason": "应由城管处理"})
    again = api.post("call_taker", f"/orders/{order['id']}/steps", {"to": "rerouted", "org": "URBAN"}).json()
    due = routing.Table().due(order["category"], order["limit_kind"], at(again["received_at"]))
    assert at(again["handle_by"]) == due.handle_by and again["limit_kind"] == order["limit_kind"]
