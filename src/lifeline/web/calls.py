"""接警台 the call-taker console: live triage while typing, one key per decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from lifeline.api.schemas import Id, Text, Words
from lifeline.auth.permissions import mask_number
from lifeline.desk import flows
from lifeline.errors import LifelineError
from lifeline.incidents import service as incidents
from lifeline.store.engine import transaction
from lifeline.triage import CHANNELS, triage
from lifeline.vocabulary import CallbackOutcome
from lifeline.web.pages import CHANNEL_CHOICES, csrf_ok, render, shell, suggestion_context, toast, viewer

router = APIRouter(include_in_schema=False)
MAX_TEXT = 20_000
DECISIONS = {"police": "已派警（待调度）", "joint": "已联动", "divert": "已转 12345", "invalid": "已按无效登记"}


@router.get("/console/calls", response_class=HTMLResponse)
def calls_page(request: Request):
    return shell(request, "calls", channels=CHANNEL_CHOICES, **suggestion_context(None))


@router.post("/console/triage", response_class=HTMLResponse)
def live_triage(
    request: Request,
    text: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "voice",
    caller_number: Annotated[Text, Form(max_length=32)] = "",
):
    """The suggestion for the words so far: pure triage, no database, so it answers while the caller speaks."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return HTMLResponse("", status_code=403)
    result = triage(text[:MAX_TEXT], channel if channel in CHANNELS else "voice") if text.strip() else None
    caller = None
    # The history is read (and the read recorded) when the number is entered, not on every keystroke.
    if caller_number.strip() and request.headers.get("HX-Trigger-Name") == "caller_number":
        try:
            with transaction(request.app.state.sessions) as session:
                caller = incidents.caller_history(session, who.user, caller_number)
        except LifelineError:
            caller = None
    return render(request, "partials/suggestion.html", who, caller=caller, **suggestion_context(result))


@router.post("/console/calls", response_class=HTMLResponse)
def decide(
    request: Request,
    decision: Annotated[str, Form()],
    text: Annotated[Words, Form()] = "",
    channel: Annotated[str, Form()] = "voice",
    caller_number: Annotated[Text, Form(max_length=32)] = "",
    location_text: Annotated[Text, Form(max_length=500)] = "",
    reason: Annotated[Text, Form(max_length=2000)] = "",
):
    """One key: record the call and the call-taker's decision, then start what follows from it."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, "会话已失效，请重新登录 / the session has ended; log in again", error=True)
    if decision not in DECISIONS:
        return toast(request, f"未知决定 unknown decision {decision!r}", error=True)
    result = triage(text[:MAX_TEXT], channel if channel in CHANNELS else "voice")
    data = incidents.ReportIn(
        text=text[:MAX_TEXT],
        channel=channel if channel in CHANNELS else "voice",
        caller_number=caller_number or None,
        location_text=location_text,
    )
    # The key names a disposition only; the flow fills in the rest from the suggestion, keeping its facts.
    decided = incidents.Decision(disposition=decision, reason=reason.strip() or None)
    try:
        with transaction(request.app.state.sessions) as session:
            _, outcome = flows.take_call(session, who.user, request.app.state.desk, data, decided, result)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    follow_up = outcome.summary()
    if outcome.awaiting_callback:
        response = toast(request, f"警情 #{outcome.incident.id} {follow_up}", error=True)
        response.headers["HX-Trigger"] = "call-recorded"
        return response
    said = f"警情 #{outcome.incident.id} {DECISIONS[decision]}" + (f"，{follow_up}" if follow_up else "")
    response = toast(request, said)
    response.headers["HX-Trigger"] = "call-recorded"
    return response


@router.get("/console/callbacks", response_class=HTMLResponse)
def callbacks(request: Request):
    """The calls waiting for a call-back, oldest first."""
    who = viewer(request)
    if who is None:
        return HTMLResponse("", status_code=401)
    try:
        with request.app.state.readers() as session:
            waiting = incidents.callback_queue(session, who.user)
    except LifelineError:
        waiting = []
    outcomes = CallbackOutcome.labels()
    return render(request, "partials/callbacks.html", who, rows=waiting, mask=mask_number, outcomes=outcomes)


@router.post("/console/callbacks/{incident_id}", response_class=HTMLResponse)
def call_back(
    request: Request,
    incident_id: Id,
    outcome: Annotated[str, Form()],
    note: Annotated[Text, Form(max_length=2000)] = "",
):
    """One call-back attempt; reached → the call is triaged again with the note."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, "会话已失效，请重新登录 / the session has ended; log in again", error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            incident = flows.call_back(session, who.user, incident_id, outcome, note)
            label = CallbackOutcome(outcome).zh
            state = incident.suggestion["disposition"]
    except (LifelineError, ValueError) as exc:
        return toast(request, getattr(exc, "detail", str(exc)), error=True)
    response = toast(request, f"警情 #{incident_id} 回拨：{label}；研判建议 suggestion: {state}")
    response.headers["HX-Trigger"] = "call-recorded"
    return response
