"""Every way in: the senders that may knock (a switch, an SMS gateway, an app, an alarm post), the contacts they
bring (one row per call, SMS conversation, alarm or press: what the call-takers' one queue lists), the messages of
a conversation in both directions, photos and videos by content hash, and the street's alarm posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, JSONText, UTCDateTime, utcnow


class ChannelSender(Base):
    """A gateway or device registered with `lifeline channel add`: it signs what it sends with its secret."""

    __tablename__ = "channel_senders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # vocabulary.SenderKind: phone | sms | app | post
    secret: Mapped[str] = mapped_column(String(128))  # the HMAC key; shown once when registered
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # the desk that takes its contacts
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SeenSignature(Base):
    """A signature accepted within the replay window: the same signed request again is a replay."""

    __tablename__ = "channel_signatures"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("channel_senders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AlarmPost(Base):
    """一键报警柱: a post at a fixed place in the street, with a button, an intercom, a camera and a loudspeaker."""

    __tablename__ = "alarm_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(500), default="")
    sender_id: Mapped[int] = mapped_column(ForeignKey("channel_senders.id"), index=True)
    heartbeat_seconds: Mapped[int] = mapped_column(Integer, default=60)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[dict] = mapped_column(JSONText, default=dict)  # what the last heartbeat said (camera, power)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contact(Base):
    """One contact with the desk, whatever its channel: a call, an SMS conversation, an app alarm, a press."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("sender_id", "external_id"),
        Index("ix_contacts_state_floor_received_at", "state", "floor", "received_at"),
        Index("ix_contacts_caller_number_last_at", "caller_number", "last_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # vocabulary.Channel
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("channel_senders.id"))
    external_id: Mapped[str | None] = mapped_column(String(128))  # the switch's call id, the app's alarm id
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # the desk it queues at
    state: Mapped[str] = mapped_column(String(16))  # vocabulary.ContactState
    floor: Mapped[int] = mapped_column(Integer)  # the queue's priority floor, 1 (first) .. 4
    silent: Mapped[bool] = mapped_column(Boolean, default=False)  # 静默报警: answer by text only, never aloud
    caller_number: Mapped[str | None] = mapped_column(String(32))
    caller_name: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    location_text: Mapped[str] = mapped_column(String(500), default="")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_posts.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the call-taker who took it
    recording: Mapped[str | None] = mapped_column(String(500))  # the switch's recording reference
    end_reason: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last message either way: a conversation's window


class ContactMessage(Base):
    """One message of a conversation: in from the caller, or out from the desk through a gateway."""

    __tablename__ = "contact_messages"
    __table_args__ = (
        UniqueConstraint("sender_id", "external_id"),
        Index("ix_contact_messages_state_next_at", "state", "next_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    text: Mapped[str] = mapped_column(Text)
    # In: the gateway's message id (a resend is recognised). Out: the gateway that carries it.
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("channel_senders.id"))
    external_id: Mapped[str | None] = mapped_column(String(128))
    by: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Out only: vocabulary.MessageState, tries so far, when to try next, what the gateway said.
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gateway_ref: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MediaBlob(Base):
    """A photo or a video, stored once by the hash of what may be shown (metadata stripped)."""

    __tablename__ = "media_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(32))  # read from the bytes, not the sender's claim
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(Base):
    """A photo, a video or a snapshot that belongs to a contact and its incident."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("media_blobs.sha256"))
    original_sha256: Mapped[str] = mapped_column(String(64))  # of the bytes as received, for evidence
    kind: Mapped[str] = mapped_column(String(16))  # photo | video | snapshot
    label: Mapped[str] = mapped_column(String(100), default="")  # e.g. 甲方车牌 in the minor-accident flow
    lat: Mapped[float | None] = mapped_column(Float)  # where the photo says it was taken (EXIF GPS)
    lon: Mapped[float | None] = mapped_column(Float)
    taken_at: Mapped[str | None] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostCommand(Base):
    """What the desk says to an alarm post (talk back, broadcast): handed over with its next heartbeat."""

    __tablename__ = "post_commands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("alarm_posts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # broadcast | talk
    text: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # handed to the post with a heartbeat
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the post said it played it


class CallerNeed(Base):
    """A registered deaf or speech-impaired person (12110): a silent voice call from this number is never closed."""

    __tablename__ = "caller_needs"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    need: Mapped[str] = mapped_column(String(16))  # deaf | speech
    name: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VideoSignal(Base):
    """WebRTC signalling of a video alarm, relayed through lifeline: offer, answer, ICE candidates, the desk's
    requests (film the scene) and bye. Each side reads the other's after the last id it saw."""

    __tablename__ = "video_signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    side: Mapped[str] = mapped_column(String(8))  # caller | desk
    kind: Mapped[str] = mapped_column(String(16))  # offer | answer | candidate | request | bye
    body: Mapped[dict] = mapped_column(JSONText, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Surge(Base):
    """应急状态: a typhoon, a festival night. While it lasts the desk takes calls triage-first, the switch plays the
    recorded announcement, and calls beyond what the seats can take overflow to another desk."""

    __tablename__ = "surges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(100), default="")  # the known mass event, e.g. 台风“海葵”
    announcement: Mapped[str] = mapped_column(Text, default="")  # what the switch says before a seat answers
    triage_first: Mapped[bool] = mapped_column(Boolean, default=True)
    overflow_to: Mapped[str | None] = mapped_column(
        String(64)
    )  # the switch's route: a neighbour's or the province's desk
    overflow_at: Mapped[int | None] = mapped_column(Integer)  # calls waiting at which the next one overflows
    # A city of the province that takes the overflow: each overflowed call's history goes to its desk through the
    # hub, and its desk hands the matter back here for dispatch.
    overflow_city: Mapped[str | None] = mapped_column(String(32))
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_by: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OverflowCall(Base):
    """A call another city's desk sent here in its surge: the caller's history there, waiting for the call to ring
    here; the matter is handed back there for dispatch."""

    __tablename__ = "overflow_calls"
    __table_args__ = (UniqueConstraint("from_peer", "ref", name="uq_overflow_calls_from_peer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_peer: Mapped[str] = mapped_column(String(64))  # the city's 110 desk
    from_city: Mapped[str] = mapped_column(String(32))  # its code in the province, where the matter goes back
    from_name: Mapped[str] = mapped_column(String(64), default="")
    ref: Mapped[str] = mapped_column(String(32))  # the call's contact there
    caller_number: Mapped[str | None] = mapped_column(String(32), index=True)
    history: Mapped[list] = mapped_column(JSONText, default=list)  # lines, as the city's desk sees them
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)  # the call, once it rang
    handed_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
