"""A hand-made day of calls for the figures' and the reports' tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from lifeline.auth.models import Organisation
from lifeline.common import CHINA
from lifeline.diversion.models import WorkOrder
from lifeline.incidents.models import Incident

KNIFE = "有人拿刀在菜市场门口追着砍人"
FIGHT = "两个人在小区门口打起来了，打得头破血流"
SHOP = "超市卖过期食品，要求退款不给退，在新华路华润万家"
CHAT = "我就是无聊，想找个人聊聊天"
DAY = datetime(2026, 11, 10, tzinfo=CHINA)  # a Tuesday, long settled


def at(hours: float, seconds: float = 0) -> datetime:
    return DAY + timedelta(hours=hours, seconds=seconds)


def put(api, model, row_id, **values):
    """Set the times the API does not let anyone set: the test plays the clock (a raw update, as history is)."""
    with api.client.app.state.engine.begin() as connection:
        connection.execute(update(model).where(model.id == row_id).values(**values))


def call(api, text, when, number, answered=True) -> int:
    fields = {"received_at": when.isoformat(), "caller_number": number}
    if answered:
        fields["answered_at"] = (when + timedelta(seconds=5)).isoformat()
    return api.report(text, **fields)["incident"]["id"]


def confirm(api, iid, **decision):
    answer = api.post("call_taker", f"/incidents/{iid}/confirm", decision)
    assert answer.status_code == 200, answer.text
    return answer.json()


def step(api, user, order_id, **body):
    answer = api.post(user, f"/orders/{order_id}/steps", body)
    assert answer.status_code == 200, answer.text


@pytest.fixture
def day(api):
    """One hand-made day: five calls, two dispatch verdicts, a diverted order, a nuisance call, a repeat."""
    with api.client.app.state.engine.begin() as connection:
        connection.execute(update(Organisation).where(Organisation.code == "PS1").values(arrive_minutes=3))
    knife = call(api, KNIFE, at(10), "13800000001")
    confirm(api, knife)
    assert (
        api.post("dispatcher", f"/incidents/{knife}/transitions", {"to": "dispatched", "org": "PS1"}).status_code == 200
    )
    put(api, Incident, knife, confirmed_at=at(10, 20), dispatched_at=at(10, 50), on_scene_at=at(10, 240))
    fight = call(api, FIGHT, at(11), "13800000002")  # confirmed, then left waiting: late on both counts
    confirm(api, fight)
    put(api, Incident, fight, confirmed_at=at(11, 20))
    shop = call(api, SHOP, at(12), "13800000003")
    (order,) = confirm(api, shop, disposition="divert")["follow_up"]["orders"]
    step(api, "agency_handler", order, to="signed")
    step(api, "agency_handler", order, to="handled", feedback="已责令退款")
    put(api, WorkOrder, order, sent_at=at(12, 30), sign_by=at(12.5), signed_at=at(12, 600), handle_by=at(84),
        handled_at=at(92))  # fmt: skip
    chat = call(api, CHAT, at(13), "13800000004")
    confirm(api, chat, disposition="invalid", category="nuisance", destinations=[], priority=4, reason="闲聊")
    again = call(api, KNIFE, at(12, 1800), "13800000001", answered=False)  # the knife caller again, unanswered
    last_year = call(api, KNIFE, datetime(2025, 11, 10, 9, tzinfo=CHINA), "13800000009")
    return {"knife": knife, "fight": fight, "shop": shop, "order": order, "chat": chat, "again": again,
            "last_year": last_year}  # fmt: skip
