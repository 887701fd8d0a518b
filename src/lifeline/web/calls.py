"""接警台 the call-taker console: live triage while typing, one key per decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from lifeline.api.schemas import MAX_ID, FormId, Text, Words
from lifeline.auth.permissions import mask_number
from lifeline.callers.scoring import normalise_number
from lifeline.catalogue import service as catalogue
from lifeline.catalogue.schemas import SuggestedItem
from lifeline.channels import service as channels
from lifeline.desk import contacts, flows
from lifeline.errors import LifelineError
from lifeline.incidents import service as incidents
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction
from lifeline.triage import CHANNELS, triage
from lifeline.triage.duplicates import Sighting
from lifeline.vocabulary import CallbackOutcome, Disposition
from lifeline.web.pages import CHANNEL_CHOICES, SESSION_ENDED, csrf_ok, render, shell, suggestion_context, toast, viewer
from lifeline.web.telephony import move_call

router = APIRouter(include_in_schema=False)
MAX_TEXT = 20_000
DECISIONS = {
    "police": ("已派警（待调度）", "sent to police (awaiting dispatch)"),
    "joint": ("已联动", "joint response started"),
    "divert": ("已转 12345", "diverted to 12345"),
    "invalid": ("已按无效登记", "recorded as invalid"),
}


@router.get("/console/calls", response_class=HTMLResponse)
def calls_page(request: Request):
    with request.app.state.readers() as session:
        surge = channels.surge_now(session)
    return shell(request, "calls", channels=CHANNEL_CHOICES, speech_off=request.app.state.speech.off, surge=surge,
                 **suggestion_context(None))  # fmt: skip


@router.post("/console/triage", response_class=HTMLResponse)
def live_triage(
    request: Request,
    text: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "voice",
):
    """The suggestion for the words so far: pure triage, no database, so it answers while the caller speaks."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return HTMLResponse("", status_code=403)
    result = triage(text[:MAX_TEXT], channel if channel in CHANNELS else "voice") if text.strip() else None
    item = None
    if result is not None:  # the catalogue item beside the category: its owner, rule, limit and the words to say
        with request.app.state.readers() as session:
            version, found = catalogue.suggest_for(session, result.text, result.category)
            item = SuggestedItem.suggested(version, found, catalogue.owner_names(session) if found else None)
    return render(request, "partials/suggestion.html", who, item=item, **suggestion_context(result))


@router.post("/console/caller", response_class=HTMLResponse)
def caller(request: Request, caller_number: Annotated[Text, Form(max_length=32)] = ""):
    """The caller's history, read (and the read recorded) once when the number is entered; it stays for the call."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return HTMLResponse("", status_code=403)
    found, refused = None, ""
    if caller_number.strip():
        try:
            with transaction(request.app.state.sessions) as session:
                found = incidents.caller_history(session, who.user, caller_number)
        except LifelineError as exc:
            refused = exc.detail
    return render(request, "partials/caller.html", who, caller=found, refused=refused)


@router.post("/console/duplicates", response_class=HTMLResponse)
def possible_duplicates(
    request: Request,
    text: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "voice",
    caller_number: Annotated[Text, Form(max_length=32)] = "",
    location_text: Annotated[Text, Form(max_length=500)] = "",
):
    """Live incidents the call in progress may repeat, offered before the decision key (F6 attaches to the first)."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return HTMLResponse("", status_code=403)
    rows = []
    if text.strip() or caller_number.strip():
        result = triage(text[:MAX_TEXT], channel if channel in CHANNELS else "voice")
        address = location_text.strip() or result.entities.address_text
        seen = Sighting(result.text[:200], utcnow(), result.category, address, caller=normalise_number(caller_number))
        with request.app.state.readers() as session:
            rows = incidents.duplicates(session, who.user, seen)
    return render(request, "partials/duplicates.html", who, rows=rows)


@router.post("/console/calls", response_class=HTMLResponse)
def decide(
    request: Request,
    decision: Annotated[str, Form()] = "",
    attach_to: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    contact_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    text: Annotated[Words, Form()] = "",
    channel: Annotated[str, Form()] = "voice",
    caller_number: Annotated[Text, Form(max_length=32)] = "",
    location_text: Annotated[Text, Form(max_length=500)] = "",
    reason: Annotated[Text, Form(max_length=2000)] = "",
):
    """One key: record the call and the call-taker's decision (or attach it to a live incident), then start what
    follows from it."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    if attach_to is None and decision not in DECISIONS:
        return toast(request, f"未知决定 / unknown decision {decision!r}", error=True)
    channel = channel if channel in CHANNELS else "voice"
    result = triage(text[:MAX_TEXT], channel)
    data = incidents.ReportIn(
        text=text[:MAX_TEXT], channel=channel, caller_number=caller_number or None, location_text=location_text
    )
    # The key names a disposition only; the flow fills in the rest from the suggestion, keeping its facts.
    decided = incidents.Decision(disposition=decision, reason=reason.strip() or None)
    try:
        with transaction(request.app.state.sessions) as session:
            if attach_to is not None:
                taken = flows.attach_call(session, who.user, data, attach_to, result)
                said = f"来电已并入警情 #{attach_to}（新报告 #{taken.report.id}） / the call is attached to incident "
                said += f"#{attach_to} (report #{taken.report.id})"
                response = toast(request, said)
                response.headers["HX-Trigger"] = "call-recorded"
                return response
            if contact_id is not None:  # a call taken from the queue: its number, times and place come with it
                _, outcome = contacts.record_call(session, who.user, request.app.state.desk, contact_id, data, decided,
                                                  result)  # fmt: skip
            else:
                _, outcome = flows.take_call(session, who.user, request.app.state.desk, data, decided, result)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    number = outcome.incident.id
    if outcome.transferred_to:  # the caller on the SIP line follows the matter to 12345
        move_call(request.app, number)
    zh, en = outcome.said()
    if outcome.awaiting_callback or outcome.held:
        response = toast(request, f"警情 #{number} {zh} / Incident #{number}: {en}", error=True)
    else:
        done_zh, done_en = DECISIONS[decision]
        zh, en = (f"，{zh}", f"; {en}") if zh else ("", "")
        response = toast(request, f"警情 #{number} {done_zh}{zh} / Incident #{number} {done_en}{en}")
    response.headers["HX-Trigger"] = "call-recorded"
    return response


@router.get("/console/callbacks", response_class=HTMLResponse)
def callbacks(request: Request):
    """The calls waiting for a call-back, oldest first, with their count for the tab."""
    who = viewer(request)
    try:
        with request.app.state.readers() as session:
            waiting = incidents.callback_queue(session, who.user)
    except LifelineError:
        waiting = []
    return render(request, "partials/callbacks.html", who, rows=waiting, mask=mask_number)


@router.get("/console/undecided", response_class=HTMLResponse)
def undecided(request: Request):
    """Matters waiting for a decision (taken back from 12345, pushed by a peer), oldest first, with their count."""
    who = viewer(request)
    with request.app.state.readers() as session:
        rows = incidents.undecided(session, who.user)
    return render(request, "partials/undecided.html", who, rows=rows)


@router.get("/console/callbacks/count", response_class=HTMLResponse)
def callback_count(request: Request):
    """How many calls wait for a call-back: the tab's badge."""
    try:
        with request.app.state.readers() as session:
            waiting = len(incidents.callback_queue(session, viewer(request).user))
    except LifelineError:
        waiting = 0
    return HTMLResponse(str(waiting))


@router.post("/console/callbacks", response_class=HTMLResponse)
def call_back(
    request: Request,
    incident_id: FormId,
    outcome: Annotated[str, Form(max_length=16)],
    note: Annotated[Text, Form(max_length=2000)] = "",
):
    """One call-back attempt; reached → the call is triaged again with the note."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    if outcome not in CallbackOutcome.labels():
        return toast(request, f"未知回拨结果 / unknown outcome {outcome!r}", error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            incident = flows.call_back(session, who.user, incident_id, outcome, note)
            label, advice = CallbackOutcome(outcome), Disposition(incident.suggestion["disposition"])
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    response = toast(
        request,
        f"警情 #{incident_id} 回拨：{label.zh}；研判建议：{advice.zh}"
        f" / Incident #{incident_id} call-back: {label.en}; suggestion: {advice.en}",
    )
    response.headers["HX-Trigger"] = "callback-recorded"
    return response
