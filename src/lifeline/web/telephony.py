"""The phone line inside the server: the SIP adapter (channels.sip) started beside the app when
LIFELINE_SIP_LISTEN is set, its call events turned into contacts, and the desk's moves (pick up, transfer to 12345,
three-party call) sent back to the line.

A centre whose switch is a PBX or CTI system drives `POST /api/v1/channels/phone/events` instead; then the seat
picks up on the handset and the switch reports it.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeline.auth.service import Principal
from lifeline.channels import service as channels
from lifeline.channels.models import ChannelSender
from lifeline.desk import contacts
from lifeline.errors import Invalid, LifelineError
from lifeline.store.engine import transaction
from lifeline.vocabulary import Channel, ContactState

if TYPE_CHECKING:
    from lifeline.channels import sip

log = logging.getLogger("lifeline.telephony")


class Telephony:
    def __init__(self, sessions, sender: str, host: str, port: int, conference: str = "", hub: str | None = None):
        from lifeline.channels import sip  # loaded only where a line is configured

        self.sessions, self.sender, self.hub = sessions, sender, hub  # hub: the province's, for overflowed calls
        self.switch = sip.SipSwitch(host, port, self.on_event, conference_uri=conference or None)

    def start(self) -> None:
        self.switch.start()
        log.info("SIP adapter listening on %s:%s as sender %s", *self.switch.address, self.sender)

    def stop(self) -> None:
        self.switch.stop()

    def _sender(self, session: Session) -> ChannelSender:
        found = session.scalar(select(ChannelSender).where(ChannelSender.name == self.sender))
        if found is None or found.revoked_at is not None or found.kind != "phone":
            raise Invalid(f"SIP 适配器的渠道 {self.sender!r} 未注册为电话渠道 / register it: lifeline channel add "
                          f"{self.sender} --kind phone")  # fmt: skip
        return found

    def on_event(self, event: sip.PhoneEvent) -> None:
        """A call rang, was answered or ended on the line: the same flow as a switch's HTTP event."""
        try:
            with transaction(self.sessions) as session:
                contact = contacts.phone_event(session, self._sender(session), event, self.hub)
                overflow = channels.overflow_route(session, contact) if event.kind == "ringing" else None
        except Exception:  # the line goes on; the event is in the log for the admin
            log.exception("SIP event %s of call %s was not recorded", event.kind, event.call_id)
            return
        if overflow:  # a surge: more calls wait than the seats can take, this one goes to the overflow desk
            with contextlib.suppress(KeyError):  # the caller hung up meanwhile
                self.switch.redirect(event.call_id, overflow)

    def live(self) -> set[str]:
        return {call["call_id"] for call in self.switch.calls()}

    def pick_up(self, call_id: str, seat: str) -> None:
        try:
            self.switch.answer(call_id, seat)
        except KeyError as exc:  # the caller hung up meanwhile: the ended event says so
            raise Invalid(f"来电已挂断 / the caller has hung up: {exc}") from exc

    def call_of(self, session: Session, actor: Principal, contact_id: int) -> str | None:
        """The SIP call of a contact still ringing on this adapter, else None (a text, a post, a PBX call)."""
        contact = channels.get(session, actor, contact_id)
        if contact.channel != Channel.VOICE or contact.state != ContactState.RINGING:
            return None
        if contact.sender_id != self._sender(session).id or contact.external_id not in self.live():
            return None
        return contact.external_id

    def live_call_of_incident(self, session: Session, incident_id: int) -> tuple[str, str | None] | None:
        """(call id, caller) of an incident's call still on this adapter's line."""
        contact = channels.of_incident(session, incident_id)
        if contact is None or contact.state != ContactState.ANSWERED or contact.external_id not in self.live():
            return None
        return contact.external_id, contact.caller_number

    def transfer(self, call_id: str, target: str, caller: str | None, three_way: bool) -> str:
        try:
            self.switch.transfer(call_id, target, caller=caller, three_way=three_way)
        except (KeyError, OSError) as exc:
            raise LifelineError(f"线路转接失败 / the line could not transfer: {exc}") from exc
        return call_id


def move_call(app, incident_id: int, *, three_way: bool = False, target: str = "12345") -> str | None:
    """After the desk transferred an incident (一键转接), move its caller on the line too: the caller's number goes
    with the REFER. None when the incident's call is not on this adapter's line (a PBX does its own)."""
    telephony = app.state.telephony
    if telephony is None:
        return None
    with app.state.readers() as session:
        live = telephony.live_call_of_incident(session, incident_id)
    if live is None:
        return None
    try:
        return telephony.transfer(live[0], target, live[1], three_way)
    except LifelineError:  # the matter went over; the caller stays on this line, which the seat hears
        log.warning("the line could not transfer the call of incident %s", incident_id, exc_info=True)
        return None


def start(app, settings) -> Telephony | None:
    if not settings.sip_listen:
        return None
    host, _, port = settings.sip_listen.rpartition(":")
    if not host or not port.isdigit():
        raise Invalid(f"LIFELINE_SIP_LISTEN 须为 host:port / must be host:port, got {settings.sip_listen!r}")
    hub = app.state.desk.peers.by_role("hub")
    telephony = Telephony(app.state.sessions, settings.sip_sender, host, int(port), settings.sip_conference,
                          hub.name if hub else None)  # fmt: skip
    telephony.start()
    return telephony
