"""What the channel webhooks take and what the queue and a contact answer with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lifeline.api.schemas import Text, Words

Ref = Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")  # printable ASCII, no spaces
NUMBER = r"^\+?[0-9][0-9\- ]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Aware(Strict):
    @model_validator(mode="after")
    def _both(self):
        if (getattr(self, "lat", None) is None) != (getattr(self, "lon", None) is None):
            raise ValueError("lat 与 lon 须同时给出 / give lat and lon together")
        return self

    @field_validator("at", "received_at", "sent_at", check_fields=False)
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("时间须带时区 / the time must carry a time zone, e.g. 2026-12-05T10:00:00+08:00")
        return value


class PhoneEventIn(Aware):
    """One call event from a switch (PBX/CTI) or the SIP adapter."""

    kind: Literal["ringing", "answered", "ended"]
    call_id: str = Ref
    at: datetime | None = None
    caller: str | None = Field(None, min_length=1, max_length=32, pattern=NUMBER)
    called: str | None = Field(None, max_length=32)
    seat: str | None = Field(None, max_length=64, description="answered: the seat's user name")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    reason: str = Field("", max_length=32, description="ended: caller_hangup | cancelled | desk_hangup | transferred")
    recording: str | None = Field(None, max_length=500, description="ended: the recording's reference")


class SmsIn(Aware):
    """One 12110 message from an SMS gateway; a `message_id` seen before is acknowledged and ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    message_id: str = Ref
    from_: str = Field(alias="from", min_length=1, max_length=32, pattern=NUMBER)
    to: str = Field(min_length=1, max_length=32)
    text: Words = Field(min_length=1, max_length=2000)
    received_at: datetime


class ReceiptIn(Aware):
    """A delivery receipt: `message_id` is the id lifeline sent the message with."""

    message_id: str = Ref
    status: Literal["delivered", "failed"]
    at: datetime | None = None


class AlarmIn(Aware):
    """The `alarm` part of an app alarm (multipart/form-data, beside its `media` files)."""

    alarm_id: str = Ref
    channel: Literal["app", "wechat"] = "app"
    text: Words = Field("", max_length=2000)
    caller_number: str | None = Field(None, min_length=1, max_length=32, pattern=NUMBER)
    caller_name: Text = Field("", max_length=100)
    silent: bool = False
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100000)
    address: Text = Field("", max_length=500)
    sent_at: datetime | None = None


class PressIn(Aware):
    """The `press` part of a post's press (beside an optional `snapshot` file)."""

    press_id: str = Ref
    at: datetime | None = None


class HeartbeatIn(Aware):
    at: datetime | None = None
    status: dict[str, bool | int | float | str] = Field(default_factory=dict, max_length=20)
    acked: list[int] = Field(default_factory=list, max_length=100, description="commands the post has played")


class Accepted(BaseModel):
    contact_id: int
    incident_id: int | None = None
    status: Literal["accepted", "duplicate"]
    # For a ringing call during a surge (应急状态): what the switch plays first, and where it sends the call when
    # the seats cannot take it (the desk counts it as overflowed).
    announcement: str | None = None
    overflow_to: str | None = None


class SurgeIn(BaseModel):
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]
    event: Annotated[Text, Field(max_length=100)] = ""
    announcement: Annotated[Text, Field(max_length=2000)] = ""
    triage_first: bool = True
    overflow_to: Annotated[Text, Field(min_length=1, max_length=64)] | None = None
    overflow_at: Annotated[int, Field(ge=1, le=10_000)] | None = None
    overflow_city: Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")] | None = Field(
        None,
        description="承接溢出的本省城市（代码）：来电历史经省平台同步，警情交回本市派警 the province's city taking"
        " the overflow: the caller's history goes there through the hub, and the matter comes back here",
    )


class SurgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reason: str
    event: str
    announcement: str
    triage_first: bool
    overflow_to: str | None
    overflow_at: int | None
    overflow_city: str | None
    started_by: str
    started_at: datetime
    ended_by: str | None
    ended_at: datetime | None
    calls: int = Field(0, description="期间响铃的电话 phone calls that rang while it lasted")
    answered: int = Field(0, description="本台坐席接起 taken by a seat here")
    overflowed: int = Field(0, description="溢出到其他接警台 sent to the overflow desk")
    abandoned: int = Field(0, description="接起或溢出前挂断 hung up before either")


class Surges(BaseModel):
    now: SurgeOut | None = Field(description="正在进行的应急状态 the surge on now")
    waiting: int = Field(description="正在排队的电话 phone calls ringing now")
    items: list[SurgeOut]


class CommandOut(BaseModel):
    id: int
    kind: str
    text: str
    at: datetime


class HeartbeatOut(BaseModel):
    ok: bool = True
    commands: list[CommandOut]


class ReplyIn(Strict):
    text: Words = Field(min_length=1, max_length=500)


class PostCommandIn(Strict):
    kind: Literal["talk", "broadcast"]
    text: Words = Field(min_length=1, max_length=500)


class NeedIn(Strict):
    need: Literal["deaf", "speech"]
    name: Text = Field("", max_length=100)
    note: Text = Field("", max_length=500)


class NeedOut(BaseModel):
    number: str
    need: str


class MessageOut(BaseModel):
    id: int
    direction: str
    text: str
    at: datetime
    state: str
    by: str
    attempts: int = 0
    error: str | None = None
    delivered_at: datetime | None = None


class AttachmentOut(BaseModel):
    id: int
    kind: str
    label: str
    media_type: str
    url: str
    lat: float | None = None
    lon: float | None = None
    taken_at: str | None = None
    by: str
    created_at: datetime


class ContactOut(BaseModel):
    id: int
    channel: str
    channel_label: str
    state: str
    floor: int
    silent: bool
    text_only: bool  # answer by text only: a silent alarm, a text channel, a registered deaf caller
    need: str | None = None  # deaf | speech: a registered 12110 user
    caller_number: str | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    location_text: str = ""
    post: str | None = None
    incident_id: int | None = None
    priority: int | None = None
    category: str | None = None
    disposition: str | None = None
    summary: str = ""
    received_at: datetime
    answered_at: datetime | None = None
    waiting_seconds: float
    seat: str | None = None
    history: dict | None = None  # the caller's history (calls in 24 h and 30 days, flags)
    # A call another city's surge sent here: that city, and (to the seat that took it) the caller's history there.
    overflow_from: str | None = None
    overflow_history: list[str] | None = None


class QueueOut(BaseModel):
    """The one queue: by priority floor, then waiting time (oldest first)."""

    order: str = "floor, received_at"
    items: list[ContactOut]


class ContactDetail(ContactOut):
    messages: list[MessageOut] = []
    attachments: list[AttachmentOut] = []


class PostOut(BaseModel):
    code: str
    name: str
    lat: float
    lon: float
    address: str
    health: str  # ok | silent | never
    last_heartbeat_at: datetime | None = None
    silent_for_seconds: float | None = None
    heartbeat_seconds: int
    status: dict


class PostsOut(BaseModel):
    items: list[PostOut]
