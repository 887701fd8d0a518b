"""A surge's overflow across the province: 九江's desk, flooded, overflows a call to 南昌; the hub carries the
caller's history in 九江 to 南昌's desk, which sees it when the call rings there, takes the report, and hands the
matter back to 九江 to decide and dispatch, with what 南昌's call-taker heard."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.province.test_alerts import Deployment, relay

from lifeline.auth.service import SYSTEM, add_user, principal_of, user_by_name
from lifeline.channels import service as channels
from lifeline.channels.sip import PhoneEvent
from lifeline.desk import contacts
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Report
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction

NUMBER = "13900000002"


@pytest.fixture
def cities(tmp_path):
    found = {c: Deployment(tmp_path, f"{c}-110", "110", {"hub": "hub"}) for c in ("jiujiang", "nanchang")}
    hub = Deployment(tmp_path, "hub", "hub", {f"{c}-110": "110" for c in found})
    for city in found.values():
        with transaction(city.sessions) as session:
            channels.add_sender(session, SYSTEM, "pbx", "phone", "C110")
            add_user(session, SYSTEM, "boss", "supervisor", "C110", "correct-horse-staple-9")
    yield found, hub
    for deployment in (*found.values(), hub):
        deployment.engine.dispose()


def _who(session, name: str):
    return principal_of(user_by_name(session, name), "token")


def _ring(city: Deployment, call_id: str, number: str):
    with transaction(city.sessions) as session:
        sender = session.scalar(select(channels.ChannelSender).where(channels.ChannelSender.name == "pbx"))
        event = PhoneEvent("ringing", call_id, utcnow(), caller=number, called="110")
        contact = contacts.phone_event(session, sender, event, hub="hub")
        return contact.id, contact.end_reason


def test_an_overflowed_call_brings_its_history_and_goes_back_to_its_city_for_dispatch(cities):
    found, hub = cities
    jiujiang, nanchang = found["jiujiang"], found["nanchang"]
    with transaction(jiujiang.sessions) as session:  # the caller's history in 九江
        incidents.intake(
            session, _who(session, "desk"), incidents.ReportIn(text="有人半夜敲我家门", caller_number=NUMBER)
        )
        channels.start_surge(
            session,
            _who(session, "boss"),
            channels.SurgeIn(
                "台风海葵，来电激增", "台风海葵", "台风期间如非紧急请拨打12345", True, "sip:110@nanchang", 1, "nanchang"
            ),
        )
    assert _ring(jiujiang, "jj-1", "13900000001")[1] is None  # a seat will take it
    _, reason = _ring(jiujiang, "jj-2", NUMBER)  # one waits: this one overflows to 南昌
    assert reason == channels.OVERFLOWED
    assert relay(jiujiang, hub, found) == ["nanchang"]

    contact_id, reason = _ring(nanchang, "nc-1", NUMBER)  # the switch's redirect rings at 南昌
    assert reason is None
    with transaction(nanchang.sessions) as session:
        seat = _who(session, "desk")
        contacts.take(session, seat, contact_id, utcnow())
        note = channels.overflow_of(session, [contact_id])[contact_id]
        assert note.from_name == "九江" and any("received" in line or "triaged" in line for line in note.history)
        report = incidents.ReportIn(text="家门口有陌生人一直徘徊，还在撬锁")
        decision = incidents.Decision(disposition="police", category="burglary", reason="")
        taken, outcome = contacts.record_call(session, seat, nanchang.desk, contact_id, report, decision)
        assert outcome.handed_back == "九江" and "交回九江" in outcome.said()[0]
        assert taken.incident.state != "dispatched"  # 南昌 does not dispatch to a place in 九江
    assert relay(nanchang, hub, found) == ["jiujiang"]  # the matter goes back through the hub

    with jiujiang.sessions() as session:
        back = session.scalars(select(Report).where(Report.external_ref.like("hub:nanchang-110:%"))).all()
    assert len(back) == 1 and "撬锁" in back[0].text and back[0].caller_number == NUMBER
