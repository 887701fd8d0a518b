"""Video alarms (视频报警): a phone-sized caller page `/alarm` that starts a video call with a call-taker's console over
WebRTC, the signalling relayed through lifeline (no outside STUN or TURN: one network), and the seat's side —
the caller's picture and voice, snapshots into the incident, a request to film the scene, and the minor-accident
flow (快处快赔): both parties' plates and documents photographed, responsibility recorded, an order to the insurer.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lifeline.api.schemas import Id, Text
from lifeline.callers.scoring import normalise_number
from lifeline.channels import media
from lifeline.channels import service as channels
from lifeline.desk import contacts as flows
from lifeline.errors import Conflict, Invalid, LifelineError, TooManyAttempts
from lifeline.store.engine import transaction
from lifeline.web.pages import SESSION_ENDED, act, csrf_ok, render, viewer

router = APIRouter(include_in_schema=False)
CALLS_PER_MINUTE = 3  # video alarms one address may start in a minute
QUIET_SECONDS = 60  # a caller's page asks for news every 0.4 s; this long without means it was closed
HEARD_EVERY = 10  # how often a caller's asking is written down (on the contact, so every worker sees it)
# What a snapshot shows; the minor-accident flow (快处快赔) photographs both parties' plates and papers.
SNAPSHOT_LABELS = {
    "现场": "Scene", "甲方车牌": "Party A plate", "甲方驾驶证": "Party A licence", "甲方行驶证": "Party A registration",
    "乙方车牌": "Party B plate", "乙方驾驶证": "Party B licence", "乙方行驶证": "Party B registration",
    "伤情": "Injuries", "其他": "Other",
}  # fmt: skip


class Recent:
    """Calls started per client address in the last minute (in this process): a page that dials in a loop stops."""

    def __init__(self):
        self.seen: dict[str, deque] = defaultdict(deque)
        self.lock = threading.Lock()

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        with self.lock:
            times = self.seen[address]
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= CALLS_PER_MINUTE:
                return False
            times.append(now)
            return True


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str | None = Field(None, max_length=32, pattern=r"^\+?[0-9][0-9\- ]*$")
    address: Text = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100000)


class SignalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["offer", "answer", "candidate", "request", "bye"]
    body: dict = Field(default_factory=dict)


def _signals_out(found) -> dict:
    return {"signals": [{"id": s.id, "kind": s.kind, "body": s.body} for s in found]}


def _problem(exc: LifelineError) -> JSONResponse:
    return JSONResponse({"title": exc.title, "status": exc.status, "detail": exc.detail}, status_code=exc.status,
                        media_type="application/problem+json")  # fmt: skip


def hang_up_quiet_callers(app) -> None:
    """Video calls whose caller's page went quiet end; one nobody answered becomes a call-back (the app's sweep)."""
    now = app.state.clock()
    with transaction(app.state.sessions) as session:
        for contact in channels.quiet_video_calls(session, now - timedelta(seconds=QUIET_SECONDS)):
            flows.hang_up(session, contact, now, "caller_gone")


# The caller's side ----------------------------------------------------------------------------------------------


@router.get("/alarm", response_class=HTMLResponse)
def alarm_page(request: Request):
    return render(request, "alarm.html", None, "alarm", labels=SNAPSHOT_LABELS)


@router.post("/alarm/calls")
def start_call(request: Request, data: CallIn):
    """A video alarm rings in the one queue; the answer holds the caller's secret for their side of the call."""
    if (data.lat is None) != (data.lon is None):
        raise Invalid("lat 与 lon 须同时给出 / give lat and lon together")
    client = request.client.host if request.client else "?"
    if not request.app.state.video_calls.allow(client):
        busy = "视频报警过于频繁，请稍后再试或拨打 110 / too many video calls: wait a minute or dial 110"
        raise TooManyAttempts(busy, retry_after=60)
    with transaction(request.app.state.sessions) as session:
        contact, secret = flows.video_call(session, normalise_number(data.number), data.address, data.lat, data.lon,
                                           data.accuracy_m, request.app.state.clock())  # fmt: skip
        return {"contact_id": contact.id, "secret": secret}


@router.post("/alarm/calls/{contact_id}/signals")
def caller_signal(contact_id: Id, data: SignalIn, request: Request, x_alarm_secret: Annotated[str, Header()] = ""):
    with transaction(request.app.state.sessions) as session:
        contact = channels.video_contact(session, contact_id, x_alarm_secret[:64])
        if data.kind == "bye":
            flows.hang_up(session, contact, request.app.state.clock(), "caller_hangup")
            return {"id": 0}
        return {"id": channels.signal(session, contact, "caller", data.kind, data.body).id}


@router.get("/alarm/calls/{contact_id}/signals")
def caller_reads(
    contact_id: Id, request: Request, after: Annotated[int, Query(ge=0)] = 0,
    x_alarm_secret: Annotated[str, Header()] = "",
):  # fmt: skip
    now = request.app.state.clock()
    with request.app.state.readers() as session:
        contact = channels.video_contact(session, contact_id, x_alarm_secret[:64])
        answer = {**_signals_out(channels.signals(session, contact.id, "desk", after)), "state": contact.state}
        stale = (now - contact.last_at).total_seconds() > HEARD_EVERY
    if stale:  # the caller is still there: said on the contact now and then, not at every poll
        with transaction(request.app.state.sessions) as session:
            channels.heard(session, contact_id, now)
    return answer


# The seat's side ------------------------------------------------------------------------------------------------


def _seat_contact(session, who, contact_id: int):
    contact = channels.get(session, who.user, contact_id)
    if contact.channel != "video" or contact.seat_id != who.user.user_id:
        raise Conflict("只有接听此视频报警的坐席可以操作 / only the seat that took this video call")
    return contact


@router.get("/console/contacts/{contact_id}/video", response_class=HTMLResponse)
def video_page(request: Request, contact_id: Id):
    who = viewer(request)
    return render(request, "video.html", who, "calls", contact_id=contact_id, labels=SNAPSHOT_LABELS)


@router.post("/console/contacts/{contact_id}/signals")
def desk_signal(contact_id: Id, data: SignalIn, request: Request):
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return JSONResponse({"detail": SESSION_ENDED}, status_code=403)
    try:
        with transaction(request.app.state.sessions) as session:
            contact = _seat_contact(session, who, contact_id)
            if data.kind == "bye":
                channels.signal(session, contact, "desk", "bye", {})
                channels.end(session, contact, request.app.state.clock(), "desk_hangup")
                return {"id": 0}
            return {"id": channels.signal(session, contact, "desk", data.kind, data.body).id}
    except LifelineError as exc:
        return _problem(exc)


@router.get("/console/contacts/{contact_id}/signals")
def desk_reads(contact_id: Id, request: Request, after: Annotated[int, Query(ge=0)] = 0):
    who = viewer(request)
    try:
        with request.app.state.readers() as session:
            contact = _seat_contact(session, who, contact_id)
            return {**_signals_out(channels.signals(session, contact.id, "caller", after)), "state": contact.state,
                    "incident_id": contact.incident_id}  # fmt: skip
    except LifelineError as exc:
        return _problem(exc)


@router.post("/console/contacts/{contact_id}/snapshot")
async def snapshot(contact_id: Id, request: Request, label: Annotated[str, Query(max_length=20)] = "现场"):
    """A frame of the caller's video (JPEG or PNG from the console's canvas), kept on the contact and its incident."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return JSONResponse({"detail": SESSION_ENDED}, status_code=403)
    data = await request.body()
    try:
        if label not in SNAPSHOT_LABELS:
            raise Invalid(f"未知标签 / unknown label {label!r}")
        found = media.read(data)
        if found.kind != "photo":
            raise Invalid("抓拍须为图片 / a snapshot is a picture")
    except media.MediaError as exc:
        return _problem(Invalid(str(exc)))
    except LifelineError as exc:
        return _problem(exc)
    try:
        with transaction(request.app.state.sessions) as session:
            contact = flows.snapshot(session, who.user, contact_id, found, label)
            return {"sha256": found.sha256, "incident_id": contact.incident_id, "label": label}
    except LifelineError as exc:
        return _problem(exc)


@router.post("/console/incidents/{incident_id}/accident", response_class=HTMLResponse)
def settle_accident(
    request: Request,
    incident_id: Id,
    responsibility: Annotated[str, Form(max_length=16)] = "",
    insurer: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[Text, Form(max_length=1000)] = "",
):
    """快处快赔: the responsibility recorded, an order to the insurer."""

    def work(session, user):
        return flows.settle_accident(session, user, request.app.state.desk, incident_id, responsibility, note, insurer)

    def said(outcome) -> str:
        order = outcome.orders[0]
        return f"已认定责任，工单 #{order.id} 已发保险公司 / responsibility recorded, order #{order.id} to the insurer"

    return act(request, work, said, trigger="incident-moved")
