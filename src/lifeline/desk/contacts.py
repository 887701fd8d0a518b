"""Contacts become work: every channel into one queue, the same triage and the same desk flows.

phone_event  the switch says a call rings, was answered at a seat, or ended; a call dropped before anyone
             answered becomes a call-back
record_call  the call-taker types what the caller of a live contact says: `flows.take_call` with the contact's
             number, times and place
sms          a 12110 message: a new conversation is a report and an incident; later messages of the same number
             within the window join it and triage reads the conversation again
app_alarm    an app or mini-program alarm with its photos and the device's location; a silent alarm is answered by
             text only
press        an alarm post's button: a P1 candidate at the post, with its camera's snapshot
video_call   a video alarm from /alarm: a live contact with the caller's secret for their side of the signalling
snapshot     a frame of the caller's video, kept on the contact and its incident
hang_up      a live contact ends; nobody had answered it: a call-back (never closed unheard)
take         a seat takes a contact from the queue
settle_accident  快处快赔: the responsibility of a minor accident recorded, an order to the insurer

A text channel is never called back by voice: the person may be hiding, deaf, or unable to speak where they are;
the desk answers in the conversation (`channels.service.reply`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifeline.auth.models import Organisation, User
from lifeline.auth.service import Principal, require
from lifeline.channels import media
from lifeline.channels import service as channels
from lifeline.channels.models import ChannelSender, Contact
from lifeline.channels.sip import PhoneEvent
from lifeline.desk import bridge, flows
from lifeline.diversion import service as orders
from lifeline.errors import Conflict, Invalid, NotFound
from lifeline.incidents import service as incidents
from lifeline.triage import TriageResult, triage
from lifeline.vocabulary import POLICE_SIDE, QUEUED, Channel, ContactState, Disposition, Responsibility

TEXT_CHANNELS = frozenset({Channel.SMS, Channel.APP, Channel.WECHAT})
DROPPED = "来电未接听即挂断 / the caller hung up before anyone answered"
PRESSED = "一键报警柱「{name}」被按下，报警人在柱前 / alarm post {code} pressed, the caller is at the post"
SILENT = "静默报警（报警人无法出声）/ silent alarm: the caller cannot speak"


def _seat(session: Session, username: str | None) -> User:
    user = session.scalar(select(User).where(User.username == username)) if username else None
    if user is None or user.role not in ("call_taker", "hotline_operator", "supervisor"):
        raise Invalid(f"坐席 {str(username)[:64]!r} 不是接警员 / seat {str(username)[:64]!r} is not a call-taker")
    return user


def phone_event(session: Session, sender: ChannelSender, event: PhoneEvent, hub: str | None = None) -> Contact:
    """One event of a call; each is idempotent, so a switch may resend. In a surge a call beyond the mark
    overflows; when a city of the province takes the overflow, its desk hears the caller's history (`hub`: the
    province's hub, when this desk has one)."""
    contact = channels.by_external(session, sender, event.call_id, lock=True)
    if event.kind == "ringing":
        if contact is not None:
            return contact
        surge = channels.surge_now(session)
        overflow = channels.overflows(surge, channels.waiting_calls(session) if surge else 0)
        try:
            with session.begin_nested():
                contact = channels.open_contact(session, sender, Channel.VOICE, event.at, external_id=event.call_id,
                                                state=ContactState.RINGING, caller_number=event.caller, lat=event.lat,
                                                lon=event.lon)  # fmt: skip
        except IntegrityError:  # the same ringing sent twice at once: the other one made it
            return channels.by_external(session, sender, event.call_id)
        if overflow:  # more calls wait than the seats can take: the switch sends this one to the overflow desk
            channels.end(session, contact, event.at, channels.OVERFLOWED)
            if hub is not None and surge.overflow_city:
                bridge.overflow_call(session, hub, contact, surge.overflow_city)
        elif hub is not None:  # in a province: a call another city's surge sent here
            channels.match_overflow(session, contact)
        return contact
    if contact is None:
        raise NotFound(f"没有振铃中的来电 {event.call_id[:64]!r} / no call {event.call_id[:64]!r} rang here")
    if event.kind == "answered":
        seat = _seat(session, event.seat)
        if contact.state == ContactState.ANSWERED and contact.seat_id == seat.id:
            return contact  # the seat's own pick-up, reported back by the switch
        return _answer(session, channels.principal(sender), contact, event.at, seat)
    if event.kind != "ended":
        raise Invalid(f"未知事件 {event.kind!r} / unknown event; ringing | answered | ended")
    return hang_up(session, contact, event.at, event.reason or "caller_hangup", event.recording)


def hang_up(session: Session, contact: Contact, at: datetime, reason: str, recording: str | None = None) -> Contact:
    """A live contact ends. One that nobody answered becomes a call-back, with where it came from."""
    dropped = contact.state in QUEUED
    channels.end(session, contact, at, reason, recording)
    if dropped and contact.incident_id is None:
        _call_back(session, contact)
    return contact


def _call_back(session: Session, contact: Contact) -> None:
    """A call nobody answered: a report of its own, waiting in the call-back queue (never closed unheard)."""
    result = triage(DROPPED, Channel.VOICE)
    why = "未接听即挂断：须回拨确认 / dropped before answer: call back"
    result = replace(result, callback_required=True, reasons=[*result.reasons, why])
    report = incidents.ReportIn(text=DROPPED, channel=contact.channel, caller_number=contact.caller_number,
                                lat=contact.lat, lon=contact.lon, received_at=contact.received_at,
                                external_ref=f"contact:{contact.id}")  # fmt: skip
    taken = incidents.intake(session, channels.principal_of(session, contact), report, result)
    channels.link(session, contact, taken.incident.id, taken.incident.priority)


def record_call(
    session: Session,
    actor: Principal,
    desk: flows.Desk,
    contact_id: int,
    report: incidents.ReportIn,
    decision: incidents.Decision | None = None,
    result: TriageResult | None = None,
) -> tuple[incidents.Intake, flows.Outcome | None]:
    """What the caller of a live contact said, typed by the seat that took it: the report carries the contact's
    channel, number, times and device place, and goes through `take_call` like any call."""
    contact = channels.get(session, actor, contact_id, lock=True)
    if contact.incident_id is not None:
        raise Conflict(f"接入 #{contact.id} 已记录为警情 #{contact.incident_id} / already recorded")
    if contact.seat_id != actor.user_id:
        raise Conflict(f"接入 #{contact.id} 不是本坐席接听的 / this seat did not take contact #{contact.id}")
    report = replace(report, channel=contact.channel, caller_number=contact.caller_number or report.caller_number,
                     received_at=contact.received_at, answered_at=contact.answered_at,
                     lat=report.lat if report.lat is not None else contact.lat,
                     lon=report.lon if report.lon is not None else contact.lon,
                     location_text=report.location_text or contact.location_text,
                     external_ref=f"contact:{contact.id}")  # fmt: skip
    hub = desk.peers.by_role("hub")
    overflowed = channels.overflow_of(session, [contact.id]).get(contact.id) if hub is not None else None
    if overflowed is not None and overflowed.from_city:
        # Another city's call, sent here in its surge: recorded here, decided and dispatched there.
        taken, _ = flows.take_call(session, actor, desk, report, None, result)
        said = f"（接警员建议：{decision.disposition}）" if decision and decision.disposition else ""
        reason = f"{overflowed.from_name}应急溢出来电，交回属地研判派警{said} / overflow call handed back"
        bridge.refer(session, actor, hub.name, taken.incident.id, reason, overflowed.from_city)
        channels.handed_back(overflowed)
        outcome = flows.Outcome(taken.incident, handed_back=overflowed.from_name)
    else:
        taken, outcome = flows.take_call(session, actor, desk, report, decision, result)
    channels.link(session, contact, taken.incident.id, taken.incident.priority)
    channels.tie(session, contact)
    return taken, outcome


def _text_result(text: str, channel: str, silent: bool) -> TriageResult:
    """Triage as for any call; a text contact is answered in its conversation, never by a voice call-back."""
    result = triage(text, channel)
    if silent:
        result = replace(
            result,
            priority=1,
            needs_confirmation=True,
            reasons=[*result.reasons, "静默报警：按一级处理，只能文字联系 / silent alarm: P1, text only"],
        )
        if result.disposition not in POLICE_SIDE:  # a person who cannot speak: doubt goes to police
            result = replace(result, disposition=Disposition.POLICE)
    return replace(result, callback_required=False)


def sms(
    session: Session, sender: ChannelSender, message_id: str, number: str, text: str, at: datetime
) -> tuple[Contact, bool]:
    """One 12110 message; (its conversation, whether it was a resend)."""
    seen = channels.message_seen(session, sender, message_id)
    if seen is not None:
        return session.get(Contact, seen.contact_id), True
    actor = channels.principal(sender)
    contact = channels.conversation(session, sender, number, at)
    if contact is None:
        contact = channels.open_contact(session, sender, Channel.SMS, at, caller_number=number)
        channels.receive_message(session, contact, sender, message_id, text, at)
        report = incidents.ReportIn(text=text, channel=Channel.SMS, caller_number=number, received_at=at,
                                    external_ref=f"contact:{contact.id}")  # fmt: skip
        taken = incidents.intake(session, actor, report, _text_result(text, Channel.SMS, False))
        channels.link(session, contact, taken.incident.id, taken.incident.priority)
        return contact, False
    channels.receive_message(session, contact, sender, message_id, text, at)
    if contact.incident_id is not None:
        story = "\n".join(m.text for m in channels.messages(session, contact.id) if m.direction == "in")
        incident = incidents.reread(session, actor, incidents.get(session, actor, contact.incident_id, lock=True),
                                    story)  # fmt: skip
        contact.floor = min(contact.floor, incident.priority)
    return contact, False


@dataclass(frozen=True)
class Alarm:
    """An app or mini-program alarm as the webhook parsed it."""

    alarm_id: str
    channel: str  # app | wechat
    text: str = ""
    caller_number: str | None = None
    caller_name: str = ""
    silent: bool = False
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    address: str = ""
    sent_at: datetime | None = None


def app_alarm(
    session: Session, sender: ChannelSender, alarm: Alarm, files: list[media.Media], now: datetime
) -> tuple[Contact, bool]:
    """An alarm from an app: its words, photos and videos, and where the device is (which wins over a typed
    address; a photo's own GPS is shown beside it, and used only when nothing else says where)."""
    existing = channels.by_external(session, sender, alarm.alarm_id)
    if existing is not None:
        return existing, True
    at = min(alarm.sent_at or now, now)
    lat, lon = alarm.lat, alarm.lon
    if lat is None and not alarm.address:
        lat, lon = next(((f.lat, f.lon) for f in files if f.lat is not None), (None, None))
    contact = channels.open_contact(session, sender, alarm.channel, at, external_id=alarm.alarm_id,
                                    silent=alarm.silent, caller_number=alarm.caller_number,
                                    caller_name=alarm.caller_name[:100], lat=lat, lon=lon,
                                    accuracy_m=alarm.accuracy_m if alarm.lat is not None else None,
                                    location_text=alarm.address[:500])  # fmt: skip
    for found in files:
        channels.attach(session, found, by=f"channel:{sender.name}", contact_id=contact.id)
    text = alarm.text.strip() or (SILENT if alarm.silent else "APP 报警（未填写文字）/ app alarm with no words")
    if alarm.silent and alarm.text.strip():
        text = f"{SILENT}\n{text}"
    report = incidents.ReportIn(text=text, channel=alarm.channel, caller_number=alarm.caller_number,
                                caller_name=alarm.caller_name[:100], location_text=alarm.address[:500], lat=lat,
                                lon=lon, received_at=at, external_ref=f"contact:{contact.id}")  # fmt: skip
    taken = incidents.intake(session, channels.principal(sender), report,
                             _text_result(text, alarm.channel, alarm.silent))  # fmt: skip
    channels.link(session, contact, taken.incident.id, taken.incident.priority)
    channels.tie(session, contact)
    return contact, False


def press(
    session: Session, sender: ChannelSender, code: str, press_id: str, snapshot: media.Media | None, at: datetime
) -> tuple[Contact, bool]:
    """A press on an alarm post: a live contact at the post's place, a P1 candidate for the police (anyone may be
    in danger at the button), with what the post's camera saw."""
    post = channels.post_of(session, sender, code)
    external = f"{code}:{press_id}"
    existing = channels.by_external(session, sender, external)
    if existing is not None:
        return existing, True
    contact = channels.open_contact(session, sender, Channel.ALARM_POST, at, external_id=external,
                                    state=ContactState.RINGING, post_id=post.id, lat=post.lat, lon=post.lon,
                                    location_text=post.address or post.name)  # fmt: skip
    text = PRESSED.format(name=post.name, code=post.code)
    result = triage(text, Channel.ALARM_POST)
    why = "一键报警柱：一级候选，接通后确认 / alarm post: P1 candidate"
    result = replace(result, priority=1, needs_confirmation=True, callback_required=False,
                     disposition=result.disposition if result.disposition in POLICE_SIDE else Disposition.POLICE,
                     reasons=[*result.reasons, why])  # fmt: skip
    report = incidents.ReportIn(text=text, channel=Channel.ALARM_POST, location_text=post.address or post.name,
                                lat=post.lat, lon=post.lon, received_at=at,
                                external_ref=f"contact:{contact.id}")  # fmt: skip
    taken = incidents.intake(session, channels.principal(sender), report, result)
    channels.link(session, contact, taken.incident.id, 1)
    if snapshot is not None:
        channels.attach(session, snapshot, by=f"channel:{sender.name}", kind="snapshot",
                        label="报警柱抓拍 / post camera", contact_id=contact.id,
                        incident_id=taken.incident.id)  # fmt: skip
    return contact, False


def take(session: Session, actor: Principal, contact_id: int, at: datetime) -> Contact:
    """A seat takes a contact from the queue."""
    require(actor, "contact.take")
    contact = channels.get(session, actor, contact_id, lock=True)
    if contact.state == ContactState.ANSWERED and contact.seat_id == actor.user_id:
        return contact
    return _answer(session, actor, contact, at, session.get(User, actor.user_id) if actor.user_id else None)


def _answer(session: Session, actor: Principal, contact: Contact, at: datetime, seat: User | None) -> Contact:
    channels.answer(session, actor, contact, at, seat)
    if contact.incident_id is not None:
        incidents.answered(session, incidents.get(session, actor, contact.incident_id, lock=True), at)
    return contact


def close_conversation(session: Session, actor: Principal, contact_id: int, at: datetime) -> Contact:
    """The seat ends a text conversation: later messages of the number open a new one."""
    require(actor, "contact.take")
    contact = channels.get(session, actor, contact_id, lock=True)
    if contact.channel not in TEXT_CHANNELS:
        raise Conflict("只有文字会话可由坐席结束 / only a text conversation is ended by the seat")
    return channels.end(session, contact, at, "desk_closed")


def video_call(
    session: Session, number: str | None, address: str, lat: float | None, lon: float | None, accuracy: float | None,
    at: datetime,
) -> tuple[Contact, str]:  # fmt: skip
    """A video alarm from the /alarm page: a live contact at the 110 centre (the caller's browser place with its
    accuracy), and the caller's secret for their side of the call."""
    secret, kept = channels.video_secret()
    desk = channels.the_110_centre(session)
    contact = channels.open_contact(session, None, Channel.VIDEO, at, external_id=kept, org_id=desk.id,
                                    state=ContactState.RINGING, caller_number=number, lat=lat, lon=lon,
                                    accuracy_m=accuracy if lat is not None else None,
                                    location_text=address[:500])  # fmt: skip
    return contact, secret


def snapshot(session: Session, actor: Principal, contact_id: int, found: media.Media, label: str) -> Contact:
    """A frame of the caller's video, taken by the seat on the call: on the contact, and on its incident."""
    contact = channels.get(session, actor, contact_id, lock=True)
    if contact.seat_id != actor.user_id:
        raise Conflict(f"接入 #{contact.id} 不是本坐席接听的 / this seat did not take contact #{contact.id}")
    channels.attach(session, found, by=actor.username, kind="snapshot", label=label, contact_id=contact.id,
                    incident_id=contact.incident_id)  # fmt: skip
    return contact


def settle_accident(
    session: Session, actor: Principal, desk: flows.Desk, incident_id: int, responsibility: str, note: str,
    insurer: str,
) -> flows.Outcome:  # fmt: skip
    """快处快赔: a minor accident settled over the video call. The responsibility is recorded on the incident and the
    insurer gets a work order (a linkage organisation) with it, the parties' photographed plates and papers on the
    incident for its adjuster."""
    incident = incidents.record_accident(session, actor, incident_id, responsibility, note)
    org = session.scalar(select(Organisation).where(Organisation.code == insurer, Organisation.kind == "insurer"))
    if org is None:
        raise NotFound(f"没有代码为 {insurer!r} 的保险公司 / no insurer with code {insurer!r}")
    said = f"快处快赔：{Responsibility(responsibility).zh}。{note}".strip()
    order, _ = orders.create(session, actor, incident, orders.OrderIn(org=org.code, note=said), None, desk.routing)
    incidents.hand_to(session, incident.id, org.id, "joint")
    return flows.Outcome(incident, [order])
