"""The only writer of the channel tables: senders and their signatures, contacts and the one queue, the messages of
a conversation and their delivery, photos and videos, alarm posts and their heartbeats, registered 12110 users.

What a contact becomes (a report, a triaged incident, a call-back) is a flow: `desk.contacts`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifeline.auth import permissions
from lifeline.auth.models import Organisation, User
from lifeline.auth.service import Principal, org_by_code, require, subtree
from lifeline.callers.scoring import normalise_number
from lifeline.channels import media
from lifeline.channels.models import (
    AlarmPost,
    Attachment,
    CallerNeed,
    ChannelSender,
    Contact,
    ContactMessage,
    MediaBlob,
    OverflowCall,
    PostCommand,
    SeenSignature,
    Surge,
    VideoSignal,
)
from lifeline.common import parse_iso
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from lifeline.peering.peers import sign
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.vocabulary import QUEUED, Channel, ContactState, MessageState, Role, SenderKind

SIGNATURE_WINDOW = timedelta(minutes=5)  # a signed request older or newer than this is refused
CONVERSATION_WINDOW = timedelta(minutes=30)  # SMS from one number within this join one conversation
# The queue's floor before triage has read anything: a live caller waits on the line, a press may be anyone in
# danger; a text waits for triage (its priority lowers the floor as soon as it is read).
FLOORS = {
    Channel.ALARM_POST: 1,
    Channel.VOICE: 2,
    Channel.VIDEO: 2,
    Channel.SMS: 3,
    Channel.WECHAT: 3,
    Channel.APP: 3,
}
SILENT_FLOOR = 1  # someone who cannot speak where they are may be in danger
RETRY_AFTER = (10, 30, 120, 600, 1800)  # seconds before each new try of an outbound message
POST_SILENT_AFTER = 3  # heartbeats missed before a post shows as silent on the health board


def _log(session: Session, kind: str, payload: dict, actor: str, incident_id: int | None = None) -> None:
    events.append(session, kind, payload, actor=actor, incident_id=incident_id)


# Senders and signatures -------------------------------------------------------------------------------------


def add_sender(
    session: Session, actor: Principal, name: str, kind: str, org: str | None = None
) -> tuple[ChannelSender, str]:
    """Register a gateway or device; the secret is returned once and never shown again."""
    require(actor, "channel.admin")
    if kind not in SenderKind.__members__.values():
        raise Invalid(f"未知渠道类型 {kind!r} / unknown kind; allowed: {', '.join(SenderKind)}")
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        raise Invalid("名称须为 1–64 位字母、数字、-_. / the name must be 1-64 letters, digits, - _ or .")
    if session.scalar(select(ChannelSender).where(ChannelSender.name == name)) is not None:
        raise Conflict(f"渠道 {name!r} 已存在 / sender {name!r} already exists")
    desk = org_by_code(session, org) if org else the_110_centre(session)
    secret = secrets.token_hex(32)
    sender = ChannelSender(name=name, kind=kind, secret=secret, org_id=desk.id, created_by=actor.username)
    session.add(sender)
    session.flush()
    _log(session, "channel.sender_added", {"name": name, "kind": kind, "org": desk.code}, actor.username)
    return sender, secret


def the_110_centre(session: Session) -> Organisation:
    centres = list(session.scalars(select(Organisation).where(Organisation.kind == "centre_110")))
    if len(centres) != 1:
        raise Invalid("请用 --org 指定接收的 110 中心 / name the 110 centre that takes its contacts with --org")
    return centres[0]


def revoke_sender(session: Session, actor: Principal, name: str) -> ChannelSender:
    require(actor, "channel.admin")
    sender = session.scalar(select(ChannelSender).where(ChannelSender.name == name))
    if sender is None:
        raise NotFound(f"没有渠道 {name!r} / no sender {name!r}")
    sender.revoked_at = utcnow()
    _log(session, "channel.sender_revoked", {"name": name}, actor.username)
    return sender


def rotate_secret(session: Session, actor: Principal, name: str) -> str:
    """A new secret for a sender (the old one stops working at once); returned once."""
    require(actor, "channel.admin")
    sender = session.scalar(select(ChannelSender).where(ChannelSender.name == name))
    if sender is None:
        raise NotFound(f"没有渠道 {name!r} / no sender {name!r}")
    sender.secret = secrets.token_hex(32)
    _log(session, "channel.secret_rotated", {"name": name}, actor.username)
    return sender.secret


def senders(session: Session) -> list[ChannelSender]:
    return list(session.scalars(select(ChannelSender).order_by(ChannelSender.name)))


def authenticate(
    session: Session,
    name: str,
    stamp: str,
    signature: str,
    body: bytes,
    kind: str,
    now: datetime,
    *,
    remember: bool = True,
) -> ChannelSender:
    """The registered sender of a genuine, fresh, first-seen signed request of `kind`, else 401/403 with why.
    The signature is remembered in the caller's transaction (`remember`): a request that fails later leaves no
    trace, and the same signed request again is a replay."""
    sender = session.scalar(select(ChannelSender).where(ChannelSender.name == name)) if name else None
    if sender is None or sender.revoked_at is not None:
        raise Unauthorized(f"未注册或已停用的渠道 {name[:64]!r} / unknown or revoked sender")
    if not hmac.compare_digest(sign(sender.secret, stamp, body).encode(), signature.lower().encode()):
        raise Unauthorized("签名不符 / the signature does not match the body and timestamp")
    try:
        skew = abs((now - parse_iso(stamp)).total_seconds())
    except (ValueError, OverflowError, TypeError):
        raise Unauthorized("时间戳无效或无时区 / invalid timestamp, or no time zone") from None
    if skew > SIGNATURE_WINDOW.total_seconds():
        raise Unauthorized(f"时间戳超出 5 分钟窗口（相差 {skew:.0f} 秒）/ timestamp outside the 5-minute window")
    if sender.kind != kind:
        raise Forbidden(f"渠道 {name} 是 {SenderKind(sender.kind).zh}，不能发送此类消息 / a {sender.kind} sender")
    if session.get(SeenSignature, signature.lower()) is not None:
        raise Unauthorized("重放的请求：此签名已用过 / replayed request: this signature was already used")
    if not remember:
        return sender
    session.execute(delete(SeenSignature).where(SeenSignature.at < now - 2 * SIGNATURE_WINDOW))
    try:
        with session.begin_nested():
            session.add(SeenSignature(signature=signature.lower(), sender_id=sender.id, at=now))
            session.flush()
    except IntegrityError:
        raise Unauthorized("重放的请求：此签名已用过 / replayed request: this signature was already used") from None
    return sender


def principal(sender: ChannelSender) -> Principal:
    """The sender acting at its desk: it may deliver reports, nothing else."""
    return Principal(0, f"channel:{sender.name}", Role.CHANNEL, sender.org_id, via="channel")


def principal_of(session: Session, contact: Contact) -> Principal:
    """Who acts for a contact: its sender, or (a video call from the public page) the video channel at its desk."""
    sender = session.get(ChannelSender, contact.sender_id) if contact.sender_id else None
    if sender is not None:
        return principal(sender)
    return Principal(0, f"channel:{contact.channel}", Role.CHANNEL, contact.org_id, via="channel")


# Contacts and the one queue -----------------------------------------------------------------------------------


def open_contact(
    session: Session,
    sender: ChannelSender | None,
    channel: str,
    received_at: datetime,
    *,
    external_id: str | None = None,
    org_id: int | None = None,
    state: str = ContactState.WAITING,
    silent: bool = False,
    caller_number: str | None = None,
    **fields,
) -> Contact:
    floor = SILENT_FLOOR if silent else FLOORS.get(channel, 3)
    contact = Contact(
        channel=channel, sender_id=sender.id if sender else None, external_id=external_id,
        org_id=org_id or sender.org_id, state=state, floor=floor, silent=silent,
        caller_number=normalise_number(caller_number), received_at=received_at, last_at=received_at, **fields,
    )  # fmt: skip
    session.add(contact)
    session.flush()
    _log(session, "contact.opened", {"contact_id": contact.id, "channel": channel, "silent": silent},
                  f"channel:{sender.name}" if sender else "system")  # fmt: skip
    return contact


def by_external(session: Session, sender: ChannelSender, external_id: str, *, lock: bool = False) -> Contact | None:
    query = select(Contact).where(Contact.sender_id == sender.id, Contact.external_id == external_id)
    return session.scalar(query.with_for_update() if lock else query)


def get(session: Session, actor: Principal, contact_id: int, *, lock: bool = False) -> Contact:
    """A contact of the actor's desk (its part of the tree)."""
    query = select(Contact).where(Contact.id == contact_id)
    contact = session.scalar(query.with_for_update() if lock else query)
    if contact is None or not (permissions.sees_all(actor.role) or contact.org_id in subtree(session, actor.org_id)):
        raise NotFound(f"没有接入记录 #{contact_id} / no contact #{contact_id}")
    return contact


def of_incident(session: Session, incident_id: int) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.incident_id == incident_id).order_by(Contact.id).limit(1))


def link(session: Session, contact: Contact, incident_id: int, priority: int) -> None:
    """The contact's incident; triage's priority lowers the queue floor (a P1 text goes first)."""
    contact.incident_id = incident_id
    contact.floor = min(contact.floor, priority)


def conversation(session: Session, sender: ChannelSender, number: str | None, at: datetime) -> Contact | None:
    """The open SMS conversation of `number` through this gateway, when its last message is within the window."""
    if not number:
        return None
    return session.scalar(
        select(Contact)
        .where(
            Contact.channel == Channel.SMS,
            Contact.caller_number == normalise_number(number),
            Contact.sender_id == sender.id,
            Contact.state != ContactState.ENDED,
            Contact.last_at >= at - CONVERSATION_WINDOW,
        )
        .order_by(Contact.last_at.desc())
        .limit(1)
        .with_for_update()
    )


def queue(session: Session, actor: Principal, limit: int = 100) -> list[Contact]:
    """The one queue: every contact no seat has taken, of the actor's desk, by priority floor, then waiting time."""
    require(actor, "contact.read")
    query = select(Contact).where(Contact.state.in_(QUEUED)).order_by(Contact.floor, Contact.received_at, Contact.id)
    if not permissions.sees_all(actor.role):
        query = query.where(Contact.org_id.in_(subtree(session, actor.org_id)))
    return list(session.scalars(query.limit(limit)))


def mine(session: Session, actor: Principal, limit: int = 50) -> list[Contact]:
    """The contacts this seat took that are still live (a call on the line, a conversation going on)."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.seat_id == actor.user_id, Contact.state == ContactState.ANSWERED)
            .order_by(Contact.answered_at.desc())
            .limit(limit)
        )
    )


def answer(session: Session, actor: Principal, contact: Contact, at: datetime, seat: User | None = None) -> Contact:
    """A seat takes the contact (a call picked up, a text opened)."""
    if contact.state not in QUEUED:
        holder = session.get(User, contact.seat_id) if contact.seat_id else None
        who = f"（{holder.display_name or holder.username}）" if holder else ""
        raise Conflict(f"接入 #{contact.id} 已被接听{who} / contact #{contact.id} was already taken")
    contact.state, contact.answered_at, contact.last_at = ContactState.ANSWERED, at, max(contact.last_at, at)
    contact.seat_id = seat.id if seat else (actor.user_id or None)
    _log(session, "contact.answered", {"contact_id": contact.id, "seat": seat.username if seat else
                  actor.username}, actor.username, contact.incident_id)  # fmt: skip
    return contact


def end(session: Session, contact: Contact, at: datetime, reason: str, recording: str | None = None) -> Contact:
    """The call ended (or the conversation was closed): abandoned when no seat had taken it."""
    if contact.state in (ContactState.ENDED, ContactState.ABANDONED):
        return contact
    contact.state = ContactState.ABANDONED if contact.state in QUEUED else ContactState.ENDED
    contact.ended_at, contact.end_reason, contact.last_at = at, reason[:32], max(contact.last_at, at)
    contact.recording = recording or contact.recording
    _log(session, "contact.ended", {"contact_id": contact.id, "state": contact.state, "reason": reason,
                  "recording": contact.recording}, "system", contact.incident_id)  # fmt: skip
    return contact


# Messages ------------------------------------------------------------------------------------------------------


def message_seen(session: Session, sender: ChannelSender, external_id: str) -> ContactMessage | None:
    return session.scalar(
        select(ContactMessage).where(ContactMessage.sender_id == sender.id, ContactMessage.external_id == external_id)
    )


def receive_message(
    session: Session, contact: Contact, sender: ChannelSender, external_id: str | None, text: str, at: datetime
) -> ContactMessage:
    message = ContactMessage(contact_id=contact.id, direction="in", text=text, sender_id=sender.id,
                             external_id=external_id, by=f"channel:{sender.name}", at=at,
                             state=MessageState.RECEIVED)  # fmt: skip
    session.add(message)
    contact.last_at = max(contact.last_at, at)
    session.flush()
    return message


def messages(session: Session, contact_id: int) -> list[ContactMessage]:
    return list(
        session.scalars(select(ContactMessage).where(ContactMessage.contact_id == contact_id).order_by(
            ContactMessage.at, ContactMessage.id))
    )  # fmt: skip


def reply(session: Session, actor: Principal, contact: Contact, text: str) -> ContactMessage:
    """The desk answers by text: queued for the gateway the contact came through, sent by the courier."""
    require(actor, "contact.reply")
    text = text.strip()
    if not text:
        raise Invalid("回复内容为空 / the reply is empty")
    if contact.channel not in (Channel.SMS, Channel.APP, Channel.WECHAT) or contact.sender_id is None:
        raise Conflict(f"{Channel(contact.channel).zh} 不能文字回复 / a {contact.channel} contact takes no text reply")
    if not contact.caller_number and contact.channel == Channel.SMS:
        raise Conflict("没有号码，无法回复短信 / no number to reply to")
    now = utcnow()
    message = ContactMessage(contact_id=contact.id, direction="out", text=text, sender_id=contact.sender_id,
                             by=actor.username, at=now, state=MessageState.QUEUED, next_at=now)  # fmt: skip
    session.add(message)
    contact.last_at = now
    session.flush()
    _log(session, "contact.replied", {"contact_id": contact.id, "message_id": message.id},
                  actor.username, contact.incident_id)  # fmt: skip
    return message


def due_messages(session: Session, now: datetime, limit: int = 50) -> list[ContactMessage]:
    """Outbound messages whose next try is due, claimed for this courier (SKIP LOCKED where the database has it)."""
    return list(
        session.scalars(
            select(ContactMessage)
            .where(ContactMessage.state == MessageState.QUEUED, ContactMessage.next_at <= now)
            .order_by(ContactMessage.next_at, ContactMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def sent(session: Session, message: ContactMessage, gateway_ref: str, at: datetime) -> None:
    message.state, message.gateway_ref, message.attempts, message.error = MessageState.SENT, gateway_ref, \
        message.attempts + 1, None  # fmt: skip
    message.next_at = None
    _log(session, "message.sent", {"message_id": message.id, "gateway_ref": gateway_ref}, "system")


def not_sent(session: Session, message: ContactMessage, error: str, at: datetime) -> None:
    """A try failed: try again later, or give up after the last pause and say so on the console."""
    message.attempts += 1
    message.error = error[:500]
    if message.attempts > len(RETRY_AFTER):
        message.state, message.next_at = MessageState.FAILED, None
        _log(session, "message.failed", {"message_id": message.id, "error": message.error}, "system")
    else:
        message.next_at = at + timedelta(seconds=RETRY_AFTER[message.attempts - 1])


def receipt(session: Session, sender: ChannelSender, message_id: str, status: str, at: datetime) -> ContactMessage:
    """A gateway's delivery receipt for one of our outbound messages (`message_id` is our id, as we sent it)."""
    found = None
    if message_id.isdigit() and len(message_id) < 12:
        found = session.get(ContactMessage, int(message_id), with_for_update=True)
    if found is None or found.direction != "out" or found.sender_id != sender.id:
        raise NotFound(f"没有发往此网关的消息 {message_id[:40]!r} / no such outbound message through this gateway")
    if status == "delivered":
        found.state, found.delivered_at = MessageState.DELIVERED, at
    else:
        found.state, found.error = MessageState.FAILED, f"网关回执：{status} / receipt: {status}"
    _log(session, "message.receipt", {"message_id": found.id, "status": status}, f"channel:{sender.name}")
    return found


# Photos, videos, snapshots -------------------------------------------------------------------------------------


def attach(
    session: Session, found: media.Media, *, by: str, kind: str | None = None, label: str = "",
    contact_id: int | None = None, incident_id: int | None = None,
) -> Attachment:  # fmt: skip
    """Keep a checked photo or video once by its hash, and tie it to a contact and its incident."""
    if session.get(MediaBlob, found.sha256) is None:
        session.add(MediaBlob(sha256=found.sha256, media_type=found.media_type, size=len(found.data), data=found.data))
        session.flush()  # before the attachment that refers to it
    attachment = Attachment(contact_id=contact_id, incident_id=incident_id, sha256=found.sha256,
                            original_sha256=found.original_sha256, kind=kind or found.kind, label=label[:100],
                            lat=found.lat, lon=found.lon, taken_at=found.taken_at, by=by)  # fmt: skip
    session.add(attachment)
    session.flush()
    _log(session, "attachment.added", {"attachment_id": attachment.id, "sha256": found.sha256,
                  "original_sha256": found.original_sha256, "kind": attachment.kind}, by, incident_id)  # fmt: skip
    return attachment


def tie(session: Session, contact: Contact) -> None:
    """The contact's attachments belong to its incident too (the incident came after them)."""
    session.execute(
        update(Attachment).where(Attachment.contact_id == contact.id).values(incident_id=contact.incident_id)
    )


def attachments(session: Session, incident_id: int) -> list[Attachment]:
    return list(
        session.scalars(select(Attachment).where(Attachment.incident_id == incident_id).order_by(Attachment.id))
    )


def blob(session: Session, digest: str) -> MediaBlob:
    found = session.get(MediaBlob, digest) if len(digest) == 64 else None
    if found is None:
        raise NotFound("没有此文件 / no such file")
    return found


def incidents_with(session: Session, digest: str) -> list[int]:
    return list(
        session.scalars(select(Attachment.incident_id).where(Attachment.sha256 == digest,
                        Attachment.incident_id.is_not(None)))
    )  # fmt: skip


# Alarm posts ---------------------------------------------------------------------------------------------------


def add_post(
    session: Session, actor: Principal, code: str, name: str, lat: float, lon: float, sender: str,
    address: str = "", heartbeat_seconds: int = 60,
) -> AlarmPost:  # fmt: skip
    require(actor, "channel.admin")
    owner = session.scalar(select(ChannelSender).where(ChannelSender.name == sender))
    if owner is None or owner.kind != SenderKind.POST:
        raise Invalid(f"{sender!r} 不是已注册的报警柱渠道 / not a registered post sender")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid("坐标超出范围 / coordinates out of range")
    if session.scalar(select(AlarmPost).where(AlarmPost.code == code)) is not None:
        raise Conflict(f"报警柱 {code!r} 已存在 / post {code!r} already exists")
    post = AlarmPost(code=code, name=name, lat=lat, lon=lon, address=address, sender_id=owner.id,
                     heartbeat_seconds=max(10, heartbeat_seconds), status={})  # fmt: skip
    session.add(post)
    session.flush()
    _log(session, "post.added", {"code": code, "lat": lat, "lon": lon}, actor.username)
    return post


def post_of(session: Session, sender: ChannelSender, code: str) -> AlarmPost:
    """The post `code`, which only its own sender may speak for."""
    post = session.scalar(select(AlarmPost).where(AlarmPost.code == code))
    if post is None:
        raise NotFound(f"没有报警柱 {code[:32]!r} / no alarm post {code[:32]!r}")
    if post.sender_id != sender.id:
        raise Forbidden(f"渠道 {sender.name} 不代表报警柱 {code} / this sender does not speak for post {code}")
    return post


def post_by_code(session: Session, code: str) -> AlarmPost:
    post = session.scalar(select(AlarmPost).where(AlarmPost.code == code))
    if post is None:
        raise NotFound(f"没有报警柱 {code[:32]!r} / no alarm post {code[:32]!r}")
    return post


def heartbeat(session: Session, post: AlarmPost, at: datetime, status: dict, acked: list[int]) -> list[PostCommand]:
    """The post is alive: note what it says, mark what it played, hand it what the desk said since."""
    post.last_heartbeat_at, post.status = at, status
    if acked:
        session.execute(
            update(PostCommand).where(PostCommand.post_id == post.id, PostCommand.id.in_(acked),
                                      PostCommand.acked_at.is_(None)).values(acked_at=at)
        )  # fmt: skip
    pending = list(
        session.scalars(
            select(PostCommand).where(PostCommand.post_id == post.id, PostCommand.acked_at.is_(None)).order_by(
                PostCommand.id)
        )
    )  # fmt: skip
    for command in pending:
        command.sent_at = command.sent_at or at
    return pending


def say_to_post(session: Session, actor: Principal, code: str, kind: str, text: str) -> PostCommand:
    """Talk back to a post's caller, or broadcast to the street around it; the post plays it at its next beat."""
    require(actor, "post.command")
    text = text.strip()
    if not text:
        raise Invalid("内容为空 / nothing to say")
    if kind not in ("talk", "broadcast"):
        raise Invalid("kind 须为 talk 或 broadcast / kind must be talk or broadcast")
    post = post_by_code(session, code)
    command = PostCommand(post_id=post.id, kind=kind, text=text, by=actor.username)
    session.add(command)
    session.flush()
    _log(session, "post.command", {"post": code, "kind": kind, "command_id": command.id}, actor.username)
    return command


@dataclass(frozen=True)
class PostHealth:
    post: AlarmPost
    state: str  # ok | silent | never
    silent_for: float | None  # seconds since the last heartbeat


def health(post: AlarmPost, now: datetime) -> PostHealth:
    """A post is silent when it missed `POST_SILENT_AFTER` heartbeats in a row (pure)."""
    if post.last_heartbeat_at is None:
        return PostHealth(post, "never", None)
    since = (now - post.last_heartbeat_at).total_seconds()
    return PostHealth(post, "silent" if since > POST_SILENT_AFTER * post.heartbeat_seconds else "ok", since)


def posts(session: Session, actor: Principal) -> list[AlarmPost]:
    require(actor, "post.read")
    return list(session.scalars(select(AlarmPost).order_by(AlarmPost.code)))


# Registered 12110 users ----------------------------------------------------------------------------------------


def register_need(session: Session, actor: Principal, number: str, need: str, name: str = "", note: str = ""):
    require(actor, "caller.needs")
    if need not in ("deaf", "speech"):
        raise Invalid("need 须为 deaf 或 speech / need must be deaf or speech")
    key = normalise_number(number)
    if not key:
        raise Invalid("号码无效 / not a number")
    found = session.get(CallerNeed, key)
    if found is None:
        found = CallerNeed(number=key, need=need, name=name, note=note, by=actor.username)
        session.add(found)
    else:
        found.need, found.name, found.note, found.by, found.at = need, name, note, actor.username, utcnow()
    session.flush()
    _log(session, "caller.need_registered", {"need": need}, actor.username)
    return found


def need_of(session: Session, number: str | None) -> CallerNeed | None:
    key = normalise_number(number)
    return session.get(CallerNeed, key) if key else None


def needs_for(session: Session, numbers: set[str]) -> dict[str, str]:
    if not numbers:
        return {}
    return dict(session.execute(select(CallerNeed.number, CallerNeed.need).where(CallerNeed.number.in_(numbers))).all())


def senders_by_id(session: Session) -> dict[int, ChannelSender]:
    return {s.id: s for s in session.scalars(select(ChannelSender))}


# Video alarms ----------------------------------------------------------------------------------------------------

SIGNAL_KINDS = {"caller": ("offer", "candidate", "bye"), "desk": ("answer", "candidate", "request", "bye")}
SIGNALS_PER_CALL = 500  # candidates are a few dozen; a runaway page stops here


def video_secret() -> tuple[str, str]:
    """(the caller's secret for their side of the signalling, what is kept of it: its hash, as the contact's id)."""
    secret = secrets.token_urlsafe(24)
    return secret, f"video:{hashlib.sha256(secret.encode()).hexdigest()}"


def video_contact(session: Session, contact_id: int, secret: str) -> Contact:
    """The caller's own video call, found by its secret; 404 for anything else (no hint which part was wrong)."""
    contact = session.get(Contact, contact_id)
    kept = f"video:{hashlib.sha256(secret.encode()).hexdigest()}"
    if contact is None or contact.channel != Channel.VIDEO or not hmac.compare_digest(contact.external_id or "", kept):
        raise NotFound("没有这个视频报警 / no such video call")
    return contact


def signal(session: Session, contact: Contact, side: str, kind: str, body: dict) -> VideoSignal:
    if kind not in SIGNAL_KINDS[side]:
        raise Invalid(f"{side} 不能发送 {kind} / the {side} side sends {', '.join(SIGNAL_KINDS[side])}")
    if contact.state in (ContactState.ENDED, ContactState.ABANDONED):
        raise Conflict("视频报警已结束 / the video call has ended")
    count = session.scalar(select(func.count(VideoSignal.id)).where(VideoSignal.contact_id == contact.id))
    if count >= SIGNALS_PER_CALL:
        raise Conflict("信令过多 / too many signals on this call")
    found = VideoSignal(contact_id=contact.id, side=side, kind=kind, body=body)
    session.add(found)
    session.flush()
    return found


def signals(session: Session, contact_id: int, side: str, after: int) -> list[VideoSignal]:
    """What `side` sent after signal `after`, oldest first."""
    return list(
        session.scalars(
            select(VideoSignal)
            .where(VideoSignal.contact_id == contact_id, VideoSignal.side == side, VideoSignal.id > after)
            .order_by(VideoSignal.id)
            .limit(100)
        )
    )


def heard(session: Session, contact_id: int, at: datetime) -> None:
    """The caller's page of a video call is still there."""
    session.execute(update(Contact).where(Contact.id == contact_id, Contact.last_at < at).values(last_at=at))


def quiet_video_calls(session: Session, before: datetime) -> list[Contact]:
    """Live video calls whose caller's page has not been heard from since `before`."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.channel == Channel.VIDEO, Contact.state.in_((ContactState.RINGING, ContactState.ANSWERED)),
                   Contact.last_at < before)
            .with_for_update(skip_locked=True)
        )
    )  # fmt: skip


# Surges (应急状态) ------------------------------------------------------------------------------------------------

OVERFLOWED = "overflowed"  # a call's end reason: the switch sent it to the surge's overflow desk


@dataclass
class SurgeIn:
    reason: str
    event: str = ""
    announcement: str = ""
    triage_first: bool = True
    overflow_to: str | None = None
    overflow_at: int | None = None
    overflow_city: str | None = None  # the province's city that takes the overflow (its code)


def surge_now(session: Session) -> Surge | None:
    return session.scalar(select(Surge).where(Surge.ended_at.is_(None)).order_by(Surge.id.desc()).limit(1))


def start_surge(session: Session, actor: Principal, data: SurgeIn, now: datetime | None = None) -> Surge:
    require(actor, "surge.manage")
    if not data.reason.strip():
        raise Invalid("请写明启动应急状态的原因 / say why the surge starts")
    if (data.overflow_to is None) != (data.overflow_at is None):
        raise Invalid("溢出去向与溢出阈值须同时给出 / give both overflow_to and overflow_at, or neither")
    if data.overflow_at is not None and data.overflow_at < 1:
        raise Invalid("溢出阈值至少为 1 通排队来电 / overflow_at is at least 1 waiting call")
    if surge_now(session) is not None:
        raise Conflict("已在应急状态，请先结束 / a surge is already on: end it first")
    row = Surge(reason=data.reason.strip(), event=data.event.strip(), announcement=data.announcement.strip(),
                triage_first=data.triage_first, overflow_to=data.overflow_to, overflow_at=data.overflow_at,
                overflow_city=data.overflow_city if data.overflow_to else None, started_by=actor.username,
                started_at=now or utcnow())  # fmt: skip
    session.add(row)
    session.flush()
    _log(session, "surge.started", {"surge": row.id, "reason": row.reason, "event": row.event,
         "overflow_to": row.overflow_to, "overflow_at": row.overflow_at}, actor.username)  # fmt: skip
    return row


def end_surge(session: Session, actor: Principal, now: datetime | None = None) -> Surge:
    require(actor, "surge.manage")
    row = surge_now(session)
    if row is None:
        raise Conflict("当前不在应急状态 / no surge is on")
    row.ended_at, row.ended_by = now or utcnow(), actor.username
    _log(session, "surge.ended", {"surge": row.id}, actor.username)
    return row


def overflows(surge: Surge | None, waiting: int) -> bool:
    """Whether a new call overflows: a surge with a route, and the calls already waiting have reached its mark."""
    return surge is not None and surge.overflow_to is not None and waiting >= surge.overflow_at


def overflow_route(session: Session, contact: Contact) -> str | None:
    """Where the switch sends a call the surge overflowed (None for any other call)."""
    if contact.end_reason != OVERFLOWED:
        return None
    surge = surge_now(session)
    return surge.overflow_to if surge is not None else None


OVERFLOW_WINDOW = timedelta(minutes=10)  # a call another city overflowed rings here within this of its note


def expect_overflow(session: Session, peer: str, call) -> OverflowCall:
    """A call another city's surge sends here (peering.messages.Overflow): kept once, and tied to its call if that
    already rang here."""
    origin = call.from_peer or peer
    row = session.scalar(select(OverflowCall).where(OverflowCall.from_peer == origin, OverflowCall.ref == call.ref))
    if row is not None:
        return row
    number = normalise_number(call.caller_number) if call.caller_number else None
    row = OverflowCall(from_peer=origin, from_city=call.from_city or "", from_name=call.from_name or origin,
                       ref=call.ref, caller_number=number, history=list(call.history),
                       received_at=utcnow())  # fmt: skip
    session.add(row)
    session.flush()
    if number:
        rang = session.scalar(
            select(Contact.id).where(Contact.caller_number == number, Contact.channel == Channel.VOICE,
                                     Contact.received_at >= row.received_at - OVERFLOW_WINDOW,
                                     Contact.id.not_in(select(OverflowCall.contact_id).where(
                                         OverflowCall.contact_id.is_not(None))))
            .order_by(Contact.id.desc()).limit(1)
        )  # fmt: skip
        row.contact_id = rang
    _log(session, "call.overflow_expected", {"from": origin, "ref": call.ref, "contact_id": row.contact_id},
         f"peer:{peer}")  # fmt: skip
    return row


def match_overflow(session: Session, contact: Contact) -> OverflowCall | None:
    """A call ringing here that another city's surge sent: the newest note of the same number, not yet tied."""
    if not contact.caller_number:
        return None
    row = session.scalar(
        select(OverflowCall).where(OverflowCall.caller_number == contact.caller_number,
                                   OverflowCall.contact_id.is_(None),
                                   OverflowCall.received_at >= contact.received_at - OVERFLOW_WINDOW)
        .order_by(OverflowCall.id.desc()).limit(1)
    )  # fmt: skip
    if row is not None:
        row.contact_id = contact.id
    return row


def overflow_of(session: Session, contact_ids: list[int]) -> dict[int, OverflowCall]:
    """The overflow notes of these contacts (calls another city sent here), by contact."""
    if not contact_ids:
        return {}
    rows = session.scalars(select(OverflowCall).where(OverflowCall.contact_id.in_(contact_ids)))
    return {row.contact_id: row for row in rows}


def handed_back(row: OverflowCall) -> None:
    row.handed_back_at = utcnow()


def waiting_calls(session: Session) -> int:
    """Phone calls ringing for a seat now (the switch can send only those elsewhere)."""
    query = select(func.count()).where(Contact.state.in_(QUEUED), Contact.channel == Channel.VOICE)
    return session.scalar(query.select_from(Contact))


@dataclass
class SurgeFigures:
    surge: Surge
    calls: int  # phone calls that rang while it lasted
    answered: int  # taken by a seat here
    overflowed: int  # sent to the overflow desk
    abandoned: int  # hung up before a seat or the overflow took them


def surges(session: Session, actor: Principal, now: datetime | None = None, limit: int = 10) -> list[SurgeFigures]:
    """The latest surges with what they brought: calls, answered here, overflowed, abandoned."""
    require(actor, "surge.read")
    now = now or utcnow()
    found = []
    overflowed = Contact.end_reason == OVERFLOWED
    counts = select(
        func.count(),
        func.count(Contact.answered_at),
        func.count().filter(overflowed),
        func.count().filter(Contact.state == ContactState.ABANDONED, ~overflowed),
    )  # one aggregate a surge: a typhoon's calls are counted by the database, not read row by row
    for row in session.scalars(select(Surge).order_by(Surge.id.desc()).limit(limit)):
        window = counts.where(Contact.received_at >= row.started_at, Contact.received_at < (row.ended_at or now),
                              Contact.channel == Channel.VOICE)  # fmt: skip
        found.append(SurgeFigures(row, *session.execute(window).one()))
    return found
