"""The one queue on the 接警台, a contact taken at a seat, a text conversation answered, the alarm posts' board."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from lifeline.api.schemas import Id, Text, Words
from lifeline.callers import service as callers
from lifeline.channels import service as channels
from lifeline.channels.views import contact_out, overflow_history, post_out
from lifeline.desk import contacts as flows
from lifeline.errors import LifelineError
from lifeline.incidents import service as incidents
from lifeline.store.engine import transaction
from lifeline.web.pages import SESSION_ENDED, act, csrf_ok, render, shell, toast, viewer
from lifeline.web.video import SNAPSHOT_LABELS

router = APIRouter(include_in_schema=False)


@router.get("/console/queue", response_class=HTMLResponse)
def queue(request: Request):
    """Every contact no seat has taken, by priority floor then waiting time, whatever its channel."""
    who = viewer(request)
    now = request.app.state.clock()
    with request.app.state.readers() as session:
        rows = contact_out(session, who.user, channels.queue(session, who.user), now)
        mine = contact_out(session, who.user, channels.mine(session, who.user), now)
    return render(request, "partials/queue.html", who, rows=rows, mine=mine)


@router.post("/console/contacts/{contact_id}/take", response_class=HTMLResponse)
def take(request: Request, contact_id: Id):
    """Take a contact: a text, an app alarm or a press opens its incident's page; a call on the line fills the
    call form here (its number, place and history), and the seat types what the caller says."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    now = request.app.state.clock()
    telephony = request.app.state.telephony
    try:
        if telephony is not None:
            with request.app.state.readers() as session:
                call_id = telephony.call_of(session, who.user, contact_id)
            if call_id:
                telephony.pick_up(call_id, who.user.username)
        with transaction(request.app.state.sessions) as session:
            contact = flows.take(session, who.user, contact_id, now)
            if contact.incident_id is not None:
                response = toast(request, f"已接听 #{contact.id} / contact #{contact.id} taken")
                response.headers["HX-Redirect"] = f"/console/incidents/{contact.incident_id}"
                return response
            row = contact_out(session, who.user, [contact], now)[0]
            row.overflow_history = overflow_history(session, row)
            number = incidents.look_up(session, who.user, contact.caller_number) if contact.caller_number else None
            within = incidents.caller_scope(session, who.user)
            history = callers.history(session, number, now, within) if number else None
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    response = render(
        request, "partials/contact_panel.html", who, c=row, number=number, caller=history, labels=SNAPSHOT_LABELS
    )
    response.headers["HX-Trigger"] = "contact-taken"
    return response


@router.post("/console/contacts/{contact_id}/reply", response_class=HTMLResponse)
def reply(request: Request, contact_id: Id, text: Annotated[Words, Form(min_length=1, max_length=500)]):
    """Answer a text conversation through its gateway (sent by the courier, with retries and a receipt)."""

    def work(session, user):
        message = channels.reply(session, user, channels.get(session, user, contact_id, lock=True), text)
        request.app.state.courier.wake()
        return message

    return act(request, work, lambda m: f"回复已排队发送 #{m.id} / reply #{m.id} queued", trigger="incident-moved")


@router.post("/console/contacts/{contact_id}/close", response_class=HTMLResponse)
def close(request: Request, contact_id: Id):
    def work(session, user):
        return flows.close_conversation(session, user, contact_id, request.app.state.clock())

    return act(request, work, lambda c: f"会话 #{c.id} 已结束 / conversation #{c.id} ended", trigger="incident-moved")


@router.get("/console/posts", response_class=HTMLResponse)
def posts_page(request: Request):
    who = viewer(request)
    now = request.app.state.clock()
    with request.app.state.readers() as session:
        rows = [post_out(p, now) for p in channels.posts(session, who.user)]
    return shell(request, "posts", rows=rows)


@router.post("/console/posts/{code}/say", response_class=HTMLResponse)
def say(
    request: Request,
    code: Annotated[str, Path(max_length=32)],
    kind: Annotated[str, Form(max_length=16)] = "talk",
    text: Annotated[Text, Form(min_length=1, max_length=500)] = "",
):
    """Talk back to the person at a post, or broadcast to the street around it."""

    def work(session, user):
        return channels.say_to_post(session, user, code, kind, text)

    said = f"已发往报警柱 {code}，下次心跳播放 / sent to post {code}: played at its next beat"
    return act(request, work, lambda _: said)
