"""HTTP routes of the channels: the signed webhooks gateways and devices call, the one queue, a contact's
conversation and files, alarm posts, registered 12110 users.

Every webhook is signed with the sender's secret (`lifeline channel add`): `X-Lifeline-Sender`,
`X-Lifeline-Timestamp` (ISO 8601 with a zone, within 5 minutes) and `X-Lifeline-Signature`, the hex HMAC-SHA256 of
"<timestamp>.<body>". A replayed signature is refused. The signature is checked before the body is read as JSON or
a form, and a request refused for any reason stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from lifeline.api.context import RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id
from lifeline.auth.models import User
from lifeline.auth.permissions import mask_number
from lifeline.auth.service import Principal, require
from lifeline.callers import service as callers
from lifeline.channels import media
from lifeline.channels import service as channels
from lifeline.channels.models import AlarmPost, Contact, MediaBlob
from lifeline.channels.schemas import (
    Accepted,
    AlarmIn,
    AttachmentOut,
    CommandOut,
    ContactDetail,
    ContactOut,
    HeartbeatIn,
    HeartbeatOut,
    MessageOut,
    NeedIn,
    NeedOut,
    PhoneEventIn,
    PostCommandIn,
    PostOut,
    PostsOut,
    PressIn,
    QueueOut,
    ReceiptIn,
    ReplyIn,
    SmsIn,
    SurgeIn,
    SurgeOut,
    Surges,
)
from lifeline.channels.sip import PhoneEvent
from lifeline.desk import contacts as flows
from lifeline.errors import Invalid, NotFound
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident
from lifeline.store.engine import transaction
from lifeline.vocabulary import Channel, SenderKind

router = APIRouter(responses=RESPONSES, tags=["channels"])
SIGNED_HEADERS = [
    {"name": name, "in": "header", "required": True, "schema": {"type": "string"}, "description": what}
    for name, what in (("X-Lifeline-Sender", "渠道名 the registered sender's name"),
                       ("X-Lifeline-Timestamp", "ISO 8601 带时区，5 分钟内 with a zone, within 5 minutes"),
                       ("X-Lifeline-Signature", 'hex HMAC-SHA256 of "<timestamp>.<body>" with the sender\'s secret'))
]  # fmt: skip


def documented(model: type[BaseModel] | None = None, form: tuple[str, type[BaseModel], str] | None = None) -> dict:
    """The OpenAPI of a signed webhook whose body is read raw (to check its signature first): the signature
    headers, and the JSON body or the multipart form (a JSON part and files)."""
    if model is not None:
        content = {"application/json": {"schema": model.model_json_schema(by_alias=True)}}
    else:
        part, shape, files = form
        content = {"multipart/form-data": {"schema": {"type": "object", "required": [part], "properties": {
            part: {"type": "string", "description": f"JSON: {shape.__name__}", "example": "{}"},
            files: {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}  # fmt: skip
    return {"parameters": SIGNED_HEADERS, "requestBody": {"required": True, "content": content}}


MAX_FILES = 3


def _problems(exc: ValidationError) -> str:
    return "；".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])


def _parse(model: type[BaseModel], raw: bytes | None, what: str) -> BaseModel:
    if raw is None:
        raise Invalid(f"缺少 {what} / {what} is missing")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise Invalid(f"{what} 无效 / invalid {what} — {_problems(exc)}") from None


def _knock(request: Request, body: bytes, kind: str, now) -> tuple[str, str, str]:
    """The three signature headers, checked against the sender's secret without storing anything."""
    knock = (request.headers.get("X-Lifeline-Sender", ""), request.headers.get("X-Lifeline-Timestamp", ""),
             request.headers.get("X-Lifeline-Signature", ""))  # fmt: skip
    with request.app.state.readers() as session:  # reads only: no write lock
        channels.authenticate(session, *knock, body, kind, now, remember=False)
    return knock


async def _signed(
    request: Request, kind: str, work: Callable[..., BaseModel], *, form: str | None = None, status: int = 200
) -> Response:
    """Check the signature first, then read the body (as JSON, or as a form with files), then in one transaction
    remember the signature (a replay is refused) and do the work. A refusal at any point stores nothing."""
    body = await request.body()
    now = request.app.state.clock()
    knock = await run_in_threadpool(_knock, request, body, kind, now)
    parts = await _files(request, form) if form else (body, [])

    def run() -> BaseModel:
        with transaction(request.app.state.sessions) as session:
            sender = channels.authenticate(session, *knock, body, kind, now)
            return work(session, sender, now, *parts)

    answer = await run_in_threadpool(run)
    return Response(answer.model_dump_json(), status_code=status, media_type="application/json")


def _accepted(contact, duplicate: bool) -> Accepted:
    return Accepted(contact_id=contact.id, incident_id=contact.incident_id,
                    status="duplicate" if duplicate else "accepted")  # fmt: skip


@router.post("/channels/phone/events", response_model=Accepted, summary="电话交换机来电事件 a switch's call event",
             openapi_extra=documented(PhoneEventIn))  # fmt: skip
async def phone_events(request: Request):
    """ringing → a contact rings in the queue with the caller's number (and place, when the network gives one);
    answered → the seat that picked up; ended → a call nobody answered becomes a call-back."""

    def work(session, sender, now, body, _files):
        event: PhoneEventIn = _parse(PhoneEventIn, body, "事件 event")
        found = PhoneEvent(
            event.kind,
            event.call_id,
            min(event.at or now, now),
            event.caller,
            event.called,
            event.seat,
            event.lat,
            event.lon,
            reason=event.reason,
            recording=event.recording,
        )
        hub = request.app.state.desk.peers.by_role("hub")
        contact = flows.phone_event(session, sender, found, hub.name if hub else None)
        answer = _accepted(contact, False)
        surge = channels.surge_now(session) if event.kind == "ringing" else None
        if surge is not None:  # 应急状态: the switch plays the announcement, and routes an overflowed call on
            answer.announcement = surge.announcement or None
            answer.overflow_to = channels.overflow_route(session, contact)
        return answer

    return await _signed(request, SenderKind.PHONE, work)


@router.post("/channels/sms/inbound", response_model=Accepted, summary="12110 短信上行 an inbound 12110 message",
             openapi_extra=documented(SmsIn))  # fmt: skip
async def sms_inbound(request: Request):
    """One message; messages of one number within 30 minutes are one conversation and one incident. A
    `message_id` seen before is acknowledged (`duplicate`) and ignored."""

    def work(session, sender, now, body, _files):
        message: SmsIn = _parse(SmsIn, body, "短信 message")
        contact, duplicate = flows.sms(session, sender, message.message_id, message.from_, message.text,
                                       min(message.received_at, now))  # fmt: skip
        return _accepted(contact, duplicate)

    return await _signed(request, SenderKind.SMS, work)


@router.post("/channels/sms/receipts", response_model=MessageOut, summary="短信送达回执 a delivery receipt",
             openapi_extra=documented(ReceiptIn))  # fmt: skip
async def sms_receipts(request: Request):
    """`message_id` is the id lifeline sent the message with; `status` delivered or failed."""

    def work(session, sender, now, body, _files):
        receipt: ReceiptIn = _parse(ReceiptIn, body, "回执 receipt")
        message = channels.receipt(session, sender, receipt.message_id, receipt.status, min(receipt.at or now, now))
        return MessageOut.model_validate(message, from_attributes=True)

    return await _signed(request, SenderKind.SMS, work)


async def _files(request: Request, field: str) -> tuple[bytes | None, list[bytes]]:
    """The JSON part named `field` and the files of a multipart body (already in memory: it was signed)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise Invalid("须为 multipart/form-data / send multipart/form-data")
    try:
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES + 2)
    except Exception as exc:  # a malformed multipart body is the sender's mistake, never a 500
        raise Invalid(f"表单无效 / malformed form: {str(exc)[:200]}") from None
    raw = form.get(field)
    part = raw.encode() if isinstance(raw, str) else (await raw.read() if isinstance(raw, UploadFile) else None)
    files = [await f.read() for name, f in form.multi_items() if name != field and isinstance(f, UploadFile)]
    return part, files


def _checked(files: list[bytes]) -> list[media.Media]:
    found = []
    for index, data in enumerate(files, 1):
        try:
            found.append(media.read(data))
        except media.MediaError as exc:
            raise Invalid(f"第 {index} 个文件：{exc} / file {index}: {exc}") from None
    return found


@router.post(
    "/channels/app/alarms",
    response_model=Accepted,
    status_code=201,
    summary="APP/小程序报警 an app alarm (multipart)",
    openapi_extra=documented(form=("alarm", AlarmIn, "media")),
)
async def app_alarms(request: Request):
    """multipart/form-data: `alarm` (JSON, AlarmIn) and up to three `media` files (JPEG, PNG, WebP photos; MP4,
    MOV, 3GP videos), checked by their content; a photo's location is read and its metadata stripped."""

    def work(session, sender, now, part, files):
        alarm: AlarmIn = _parse(AlarmIn, part, "alarm")
        if len(files) > MAX_FILES:
            raise Invalid(f"最多 {MAX_FILES} 个文件 / at most {MAX_FILES} files")
        found = flows.Alarm(
            alarm.alarm_id,
            alarm.channel,
            alarm.text,
            alarm.caller_number,
            alarm.caller_name,
            alarm.silent,
            alarm.lat,
            alarm.lon,
            alarm.accuracy_m,
            alarm.address,
            alarm.sent_at,
        )
        contact, duplicate = flows.app_alarm(session, sender, found, _checked(files), now)
        return _accepted(contact, duplicate)

    return await _signed(request, SenderKind.APP, work, form="alarm", status=201)


@router.post("/channels/posts/{code}/press", response_model=Accepted, status_code=201, summary="报警柱按下 a press",
             openapi_extra=documented(form=("press", PressIn, "snapshot")))  # fmt: skip
async def post_press(code: Annotated[str, Path(max_length=32)], request: Request):
    """multipart/form-data: `press` (JSON, PressIn) and an optional `snapshot` (the post camera's picture)."""

    def work(session, sender, now, part, files):
        pressed: PressIn = _parse(PressIn, part, "press")
        if len(files) > 1:
            raise Invalid("只收一张抓拍 / one snapshot at most")
        found = _checked(files)
        contact, duplicate = flows.press(session, sender, code, pressed.press_id, found[0] if found else None,
                                         min(pressed.at or now, now))  # fmt: skip
        return _accepted(contact, duplicate)

    return await _signed(request, SenderKind.POST, work, form="press", status=201)


@router.post("/channels/posts/{code}/heartbeat", response_model=HeartbeatOut, summary="报警柱心跳 a post's heartbeat",
             openapi_extra=documented(HeartbeatIn))  # fmt: skip
async def post_heartbeat(code: Annotated[str, Path(max_length=32)], request: Request):
    """The post is alive; the answer carries what the desk said to it since (talk back, broadcast) until the post
    acknowledges each by id in a later beat."""

    def work(session, sender, now, body, _files):
        beat: HeartbeatIn = _parse(HeartbeatIn, body, "心跳 heartbeat")
        post = channels.post_of(session, sender, code)
        commands = channels.heartbeat(session, post, now, beat.status, beat.acked)
        return HeartbeatOut(commands=[CommandOut(id=c.id, kind=c.kind, text=c.text, at=c.at) for c in commands])

    return await _signed(request, SenderKind.POST, work)


# The desk's side ----------------------------------------------------------------------------------------------


def contact_out(session: Session, actor: Principal, items: list[Contact], now: datetime) -> list[ContactOut]:
    """The queue's rows: masked numbers (the full one is read, and recorded, when a seat takes the contact)."""
    shown = {i.id: i for i in session.scalars(select(Incident).where(Incident.id.in_(
        [c.incident_id for c in items if c.incident_id])))}  # fmt: skip
    needs = channels.needs_for(session, {c.caller_number for c in items if c.caller_number})
    posts = {p.id: p for p in session.scalars(select(AlarmPost).where(AlarmPost.id.in_(
        [c.post_id for c in items if c.post_id])))}  # fmt: skip
    seats = {u.id: u for u in session.scalars(select(User).where(User.id.in_([c.seat_id for c in items if c.seat_id])))}
    overflowed = channels.overflow_of(session, [c.id for c in items])
    out = []
    for c in items:
        incident = shown.get(c.incident_id)
        need = needs.get(c.caller_number or "")
        out.append(ContactOut(
            id=c.id, channel=c.channel, channel_label=f"{Channel(c.channel).zh} / {Channel(c.channel).en}",
            state=c.state, floor=c.floor, silent=c.silent,
            text_only=c.silent or c.channel in flows.TEXT_CHANNELS or need is not None, need=need,
            caller_number=mask_number(c.caller_number), lat=c.lat, lon=c.lon, accuracy_m=c.accuracy_m,
            location_text=c.location_text, post=posts[c.post_id].name if c.post_id in posts else None,
            incident_id=c.incident_id, priority=incident.priority if incident else None,
            category=incident.category if incident else None, disposition=incident.disposition if incident else None,
            summary=(incident.summary.splitlines() or [""])[0][:120] if incident else "",
            received_at=c.received_at, answered_at=c.answered_at,
            waiting_seconds=max(0.0, ((c.answered_at or now) - c.received_at).total_seconds()),
            seat=seats[c.seat_id].username if c.seat_id in seats else None,
            overflow_from=overflowed[c.id].from_name if c.id in overflowed else None,
        ))  # fmt: skip
    return out


def overflow_history(session: Session, row: ContactOut) -> list[str] | None:
    """The caller's history at the city whose surge sent the call here, for the seat that took it."""
    found = channels.overflow_of(session, [row.id]).get(row.id) if row.overflow_from is not None else None
    return found.history if found is not None else None


def detail(session: Session, actor: Principal, contact: Contact, now: datetime, reveal: bool = True) -> ContactDetail:
    """A contact as the seat that took it sees it: the full number and its history (the read recorded; not with
    `reveal` off, as on the incident page, which shows the number masked), the conversation, the photos."""
    row = contact_out(session, actor, [contact], now)[0]
    history = None
    if reveal and contact.caller_number and contact.seat_id == actor.user_id:
        if contact.incident_id:
            revealed = incidents.reveal_caller(session, actor, contact.incident_id)
            row.caller_number, history = revealed["number"], revealed["history"]
        else:  # a call still being typed: the number the switch gave, and its history, recorded as a look-up
            row.caller_number = incidents.look_up(session, actor, contact.caller_number)
            history = callers.history(session, row.caller_number, now, incidents.caller_scope(session, actor))
        row.overflow_history = overflow_history(session, row)
    files = channels.attachments(session, contact.incident_id) if contact.incident_id else []
    blobs = {b.sha256: b.media_type for b in session.scalars(select(MediaBlob).where(MediaBlob.sha256.in_(
        [f.sha256 for f in files])))}  # fmt: skip
    return ContactDetail(
        **row.model_dump(exclude={"history"}), history=jsonable_encoder(history) if history else None,
        messages=[MessageOut.model_validate(m, from_attributes=True) for m in channels.messages(session, contact.id)],
        attachments=[AttachmentOut(id=f.id, kind=f.kind, label=f.label, media_type=blobs.get(f.sha256, ""),
                                   url=f"/api/v1/media/{f.sha256}", lat=f.lat, lon=f.lon, taken_at=f.taken_at,
                                   by=f.by, created_at=f.created_at) for f in files],
    )  # fmt: skip


def post_out(post: AlarmPost, now: datetime) -> PostOut:
    health = channels.health(post, now)
    return PostOut(code=post.code, name=post.name, lat=post.lat, lon=post.lon, address=post.address,
                   health=health.state, last_heartbeat_at=post.last_heartbeat_at, silent_for_seconds=health.silent_for,
                   heartbeat_seconds=post.heartbeat_seconds, status=post.status or {})  # fmt: skip


@router.get("/queue", response_model=QueueOut, summary="统一接入队列 the one queue of every channel")
def queue(ctx: RequestContext, limit: Annotated[int, Query(ge=1, le=200)] = 100):
    """Every contact no seat has taken, by priority floor (1 first), then waiting time (oldest first)."""
    now = ctx.request.app.state.clock()
    return ctx.run(lambda s, who: QueueOut(items=contact_out(s, who, channels.queue(s, who, limit), now)))


@router.post("/contacts/{contact_id}/take", response_model=ContactDetail, summary="接听 take a contact")
def take(contact_id: Id, ctx: RequestContext):
    """The seat takes the contact; a call on the SIP adapter is picked up on the line too."""
    now = ctx.request.app.state.clock()
    telephony = ctx.request.app.state.telephony
    if telephony is not None:
        call_id = ctx.fetch(lambda s, who: telephony.call_of(s, who, contact_id))
        if call_id:
            telephony.pick_up(call_id, ctx.fetch(lambda s, who: who.username))
    return ctx.run(lambda s, who: detail(s, who, flows.take(s, who, contact_id, now), now))


@router.get("/contacts/{contact_id}", response_model=ContactDetail, summary="接入详情 a contact")
def contact(contact_id: Id, ctx: RequestContext):
    now = ctx.request.app.state.clock()
    return ctx.run(lambda s, who: detail(s, who, channels.get(s, who, contact_id), now))


@router.post("/contacts/{contact_id}/messages", response_model=MessageOut, status_code=201, summary="文字回复 reply")
def reply(contact_id: Id, data: ReplyIn, ctx: RequestContext):
    """Answer a text conversation (12110 SMS, an app alarm); the courier sends it through its gateway."""

    def work(session, who):
        message = channels.reply(session, who, channels.get(session, who, contact_id, lock=True), data.text)
        return MessageOut.model_validate(message, from_attributes=True)

    return ctx.run(work, status=201)


@router.post("/contacts/{contact_id}/close", response_model=ContactDetail, summary="结束文字会话 end a conversation")
def close(contact_id: Id, ctx: RequestContext):
    now = ctx.request.app.state.clock()
    return ctx.run(lambda s, who: detail(s, who, flows.close_conversation(s, who, contact_id, now), now))


@router.get("/media/{digest}", summary="照片、视频与抓拍 a photo, video or snapshot (metadata stripped)")
def media_file(digest: Annotated[str, Path(min_length=64, max_length=64, pattern="^[0-9a-f]+$")], ctx: RequestContext):
    """Only for a reader of an incident the file belongs to."""

    def work(session, who):
        require(who, "media.read")
        found = channels.blob(session, digest)
        for incident_id in channels.incidents_with(session, digest):
            try:
                incidents.get(session, who, incident_id)
            except NotFound:
                continue
            return Response(found.data, media_type=found.media_type, headers={"Cache-Control": "private"})
        raise NotFound("没有此文件或无权查看 / no such file, or not yours")

    return ctx.fetch(work)


@router.get("/posts", response_model=PostsOut, summary="报警柱健康看板 the alarm posts' health")
def posts(ctx: RequestContext):
    """Every post with its last heartbeat: silent after three missed beats."""
    now = ctx.request.app.state.clock()
    return ctx.run(lambda s, who: PostsOut(items=[post_out(p, now) for p in channels.posts(s, who)]))


@router.post(
    "/posts/{code}/commands", response_model=CommandOut, status_code=201, summary="喊话/广播 talk back or broadcast"
)
def post_command(code: Annotated[str, Path(max_length=32)], data: PostCommandIn, ctx: RequestContext):
    def work(session, who):
        command = channels.say_to_post(session, who, code, data.kind, data.text)
        return CommandOut(id=command.id, kind=command.kind, text=command.text, at=command.at)

    return ctx.run(work, status=201)


@router.put("/callers/{number}/needs", response_model=NeedOut, summary="登记听障/言语障碍人士 register a 12110 user")
def register_need(number: Annotated[str, Path(max_length=32)], data: NeedIn, ctx: RequestContext):
    """A deaf or speech-impaired person: the queue marks their contacts text-only, and their silent voice calls
    are never closed as invalid."""

    def work(session, who):
        found = channels.register_need(session, who, number, data.need, data.name, data.note)
        return NeedOut(number=found.number, need=found.need)

    return ctx.run(work)


# Surges (应急状态) ------------------------------------------------------------------------------------------------


def _surge_out(found: channels.SurgeFigures) -> SurgeOut:
    out = SurgeOut.model_validate(found.surge)
    out.calls, out.answered, out.overflowed, out.abandoned = (found.calls, found.answered, found.overflowed,
                                                              found.abandoned)  # fmt: skip
    return out


def surges_out(session: Session, who: Principal) -> Surges:
    items = [_surge_out(f) for f in channels.surges(session, who)]
    now = next((i for i in items if i.ended_at is None), None)
    return Surges(now=now, waiting=channels.waiting_calls(session), items=items)


@router.get("/surge", response_model=Surges, summary="应急状态 the surge now and the latest ones, with their calls")
def surge(ctx: RequestContext):
    return ctx.run(surges_out)


@router.post("/surge", response_model=Surges, status_code=201, summary="启动应急状态 start a surge")
def start_surge(data: SurgeIn, ctx: RequestContext):
    """A typhoon, a festival night: the desk takes calls triage-first, the switch plays `announcement` before a
    seat answers, and once `overflow_at` calls wait, the next ones go to `overflow_to` (both or neither)."""

    def work(session, who):
        channels.start_surge(session, who, channels.SurgeIn(**data.model_dump()))
        return surges_out(session, who)

    return ctx.run(work, status=201)


@router.post("/surge/end", response_model=Surges, summary="结束应急状态 end the surge")
def end_surge(ctx: RequestContext):
    def work(session, who):
        channels.end_surge(session, who)
        return surges_out(session, who)

    return ctx.run(work)
