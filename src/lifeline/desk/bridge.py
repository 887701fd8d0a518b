"""The 110 ⇄ 12345 bridge: emergency pushes, one-click call transfers, and what each side does on receipt."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeline.auth.models import Organisation
from lifeline.auth.service import Principal, peer_principal, require
from lifeline.callers import service as callers
from lifeline.channels import service as channels
from lifeline.channels.models import Contact
from lifeline.common import CHINA
from lifeline.eido import document as eido
from lifeline.errors import Invalid
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident, Report
from lifeline.missing import service as missing
from lifeline.peering import messages
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.vocabulary import Channel


def _report_body(incident: Incident) -> dict:
    return {
        "ref": str(incident.id),
        "text": "\n".join(r.text for r in incident.reports),
        "caller_number": incident.caller_number,
        "location_text": incident.address,
        "lat": incident.lat,
        "lon": incident.lon,
        "received_at": incident.received_at.isoformat(),
        "suggestion": incident.suggestion,
    }


def push_incident(session: Session, actor: Principal, incident_id: int, peer: str, reason: str) -> Incident:
    """12345 → 110: an emergency the hotline received goes to the police at once, as an EIDO document."""
    require(actor, "incident.push")
    incident = incidents.get(session, actor, incident_id)
    org = session.get(Organisation, incident.owner_org_id)
    agency = eido.Agency(org.code, org.name, org.kind)
    # The 110 desk must be able to call back: the number goes unmasked, to this one authorised peer.
    body = {"eido": eido.to_eido(incident, list(incident.reports), agency, mask_number=False), "reason": reason}
    events.append(
        session,
        "incident.pushed",
        {"peer": peer, "reason": reason, "message": {"kind": "incident.push", "body": body}},
        actor=actor.username,
        incident_id=incident.id,
        to_peer=peer,
    )
    return incident


def refer(session: Session, actor: Principal, hub: str, incident_id: int, reason: str, city: str | None) -> Incident:
    """110 → the province's hub → another city's 110: a matter about a place in that city, with its history.

    This desk's incident stays open, marked as referred: should the hub find no city for the place, its refusal
    comes back to the same incident (peering.relay), and nothing is dropped between two cities."""
    require(actor, "incident.push")
    incident = incidents.get(session, actor, incident_id, lock=True)
    org = session.get(Organisation, incident.owner_org_id)
    agency = eido.Agency(org.code, org.name, org.kind)
    body = {
        "eido": eido.to_eido(incident, list(incident.reports), agency, mask_number=False),  # the next desk calls back
        "reason": reason,
        "to_city": city,
        "history": _history(session, incident.id),
    }
    events.append(
        session,
        "incident.referred",
        {"peer": hub, "reason": reason, "city": city, "message": {"kind": "incident.refer", "body": body}},
        actor=actor.username,
        incident_id=incident.id,
        to_peer=hub,
    )
    return incident


def _history(session: Session, incident_id: int) -> list[str]:
    """What happened to the incident so far, a line each (the next city's desk reads it as notes)."""
    lines = []
    for at, kind, payload in session.execute(
        select(events.Event.at, events.Event.kind, events.Event.payload)
        .where(events.Event.incident_id == incident_id)
        .order_by(events.Event.seq)
        .limit(100)
    ):
        data = json.loads(payload)
        said = data.get("text") or data.get("reason") or data.get("note") or ""
        lines.append(f"{at.astimezone(CHINA):%m-%d %H:%M} {kind} {str(said)[:300]}".strip())
    return lines


def receive_referral(session: Session, peer: str, referral: messages.Referral) -> None:
    """At 110, from the hub: another city's matter about a place here, taken in with that city's history."""
    fields = eido.from_eido(referral.eido).as_fields()
    # Each city numbers its own incidents: the first desk's name keeps two cities' incident 57 apart.
    ref = f"{referral.from_peer or 'unknown'}:{fields['external_ref']}"
    if len(ref) > 90:  # the column holds 100 with the hub's name before it: a long one is kept as its digest
        ref = hashlib.sha256(ref.encode()).hexdigest()[:40]
    data = incidents.ReportIn(**{**fields, "channel": Channel.HOTLINE_PUSH, "external_ref": ref})
    origin = referral.from_city or peer
    got = _incoming(session, peer, data, "centre_110", f"{origin}经省平台转来：{referral.reason}")
    if got is not None and referral.history:
        text = f"{origin}的处理经过 / history at {origin}:\n" + "\n".join(referral.history)
        events.append(session, "incident.note", {"text": text[:20_000]}, actor=f"peer:{peer}",
                      incident_id=got.incident.id)  # fmt: skip


def alert_province(session: Session, hub: str) -> int:
    """Tell the province's hub of each missing person's alert that opened, widened or ended since it last heard
    (the sweep's tick); the hub sends it on to the cities within its reach. Returns how many were told."""
    cases = missing.untold(session)
    for case in cases:
        body = {
            "case": case.id, "active": missing.alert_said(case) != "withdrawn", "alert_km": case.alert_km,
            "name": case.name, "age": case.age, "sex": case.sex, "description": case.description,
            "medical_needs": case.medical_needs, "last_seen_place": case.last_seen_place,
            "last_seen_lat": case.last_seen_lat, "last_seen_lon": case.last_seen_lon,
            "last_seen_at": case.last_seen_at.isoformat() if case.last_seen_at else None,
            "grade": case.grade, "outcome": case.outcome, "reported_at": case.reported_at.isoformat(),
        }  # fmt: skip
        events.append(
            session,
            "missing.alert_sent",
            {"peer": hub, "case": case.id, "said": missing.alert_said(case),
             "message": {"kind": "missing.alert", "body": body}},
            actor="system",
            incident_id=case.incident_id,
            to_peer=hub,
        )  # fmt: skip
        missing.told(case)
    return len(cases)


def overflow_call(session: Session, hub: str, contact: Contact, city: str) -> None:
    """In a surge, a call the switch sent to another city's desk: its caller's history here goes with it through
    the hub, so that the desk there knows the caller, takes the report and hands the matter back here."""
    lines = []
    if contact.caller_number:
        seen = callers.history(session, contact.caller_number, utcnow())
        lines += list(seen["reasons"])
        lines += [f"{i['received_at'].astimezone(CHINA):%m-%d %H:%M} {i['category'] or ''} {i['state']}"
                  for i in seen["incidents"]]  # fmt: skip
    body = {"ref": str(contact.id), "caller_number": contact.caller_number, "to_city": city, "history": lines[:50],
            "received_at": contact.received_at.isoformat()}  # fmt: skip
    events.append(session, "call.overflowed", {"peer": hub, "city": city, "contact_id": contact.id,
                  "message": {"kind": "call.overflow", "body": body}}, actor="system", to_peer=hub)  # fmt: skip


def receive_overflow(session: Session, peer: str, call: messages.Overflow) -> None:
    """At 110, from the hub: a call another city overflowed here, its history there, waiting for the call."""
    channels.expect_overflow(session, peer, call)


def receive_alert(session: Session, peer: str, alert: messages.MissingAlert) -> None:
    """At 110, from the hub: another city's missing-person alert that reaches this city."""
    missing.take_alert(session, peer, alert)


def transfer_call(session: Session, actor: Principal, incident: Incident, peer: str, three_way: bool) -> None:
    """The transfer message: the caller's number, what was said so far, the triage, and the call mode."""
    require(actor, "order.create")
    body = {**_report_body(incident), "three_way": three_way}
    events.append(
        session,
        "call.transferred",
        {"peer": peer, "three_way": three_way, "message": {"kind": "call.transfer", "body": body}},
        actor=actor.username,
        incident_id=incident.id,
        to_peer=peer,
    )


def _desk(session: Session, kind: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.kind == kind).order_by(Organisation.id))
    if org is None:
        raise Invalid(f"本平台没有 {kind} 机构，无法接收 / no {kind} organisation here to receive this")
    return org


def _incoming(
    session: Session, peer: str, data: incidents.ReportIn, desk_kind: str, note: str
) -> incidents.Intake | None:
    """A report from a peer, taken in by this platform's desk; None when it was taken in before."""
    actor = peer_principal(peer, _desk(session, desk_kind).id)
    data.external_ref = f"{peer}:{data.external_ref}"
    if session.scalar(select(Report.id).where(Report.external_ref == data.external_ref)) is not None:
        return None
    got = incidents.intake(session, actor, data)
    events.append(session, "incident.note", {"text": note}, actor=actor.username, incident_id=got.incident.id)
    return got


def receive_push(session: Session, peer: str, push: messages.Push) -> None:
    """At 110: an emergency pushed by a 12345 centre or a neighbouring 110 becomes a priority-1 police incident,
    to be confirmed by a call-taker."""
    fields = eido.from_eido(push.eido).as_fields()
    data = incidents.ReportIn(**{**fields, "channel": Channel.HOTLINE_PUSH})
    got = _incoming(session, peer, data, "centre_110", f"{peer} 推送紧急警情：{push.reason}")
    if got is not None:
        incidents.prioritise(
            session, peer_principal(peer, got.incident.owner_org_id), got.incident, 1, f"{peer} 推送：一级"
        )


def receive_transfer(session: Session, peer: str, call: messages.Transfer) -> None:
    """At 12345: a transferred call arrives with its number and transcript, as a triaged incident."""
    mode = "三方通话" if call.three_way else "一键转接"
    data = incidents.ReportIn(
        text=call.text,
        channel=Channel.VOICE,
        caller_number=call.caller_number,
        location_text=call.location_text or "",
        lat=call.lat,
        lon=call.lon,
        received_at=call.received_at or utcnow(),
        external_ref=call.ref,
    )
    _incoming(session, peer, data, "centre_12345", f"110 {mode}转来；110 研判：{call.judged()}")
