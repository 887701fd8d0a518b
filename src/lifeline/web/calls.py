"""接警台 the call-taker console: live triage while typing, one key per decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from lifeline import taxonomy
from lifeline.desk import bridge
from lifeline.diversion import service as diversion
from lifeline.errors import LifelineError
from lifeline.incidents import service as incidents
from lifeline.store.engine import transaction
from lifeline.triage import CHANNELS, triage
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
    caller_number: Annotated[str, Form()] = "",
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
    text: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "voice",
    caller_number: Annotated[str, Form()] = "",
    location_text: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
):
    """One key: record the call and the call-taker's decision, then start what follows from it."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast("会话已失效，请重新登录 / the session has ended; log in again", error=True)
    if decision not in DECISIONS:
        return toast(f"未知决定 unknown decision {decision!r}", error=True)
    result = triage(text[:MAX_TEXT], channel if channel in CHANNELS else "voice")
    data = incidents.ReportIn(
        text=text[:MAX_TEXT],
        channel=channel if channel in CHANNELS else "voice",
        caller_number=caller_number[:32] or None,
        location_text=location_text[:500],
    )
    try:
        with transaction(request.app.state.sessions) as session:
            got = incidents.intake(session, who.user, data, result)
            incident = incidents.confirm(session, who.user, got.incident.id, _decision(result, decision, reason))
            follow_up = _follow_up(request, session, who, incident.id, decision)
    except LifelineError as exc:
        return toast(exc.detail, error=True)
    response = toast(f"警情 #{incident.id} {DECISIONS[decision]}{follow_up}")
    response.headers["HX-Trigger"] = "call-recorded"
    return response


def _decision(result, decision: str, reason: str) -> incidents.Decision:
    """Keep the suggestion's category when the key agrees with it; else the category the key implies."""
    if decision == result.disposition:
        return incidents.Decision(reason=reason or None)
    fallback = {"police": "public_order", "joint": "medical_emergency", "divert": "consultation", "invalid": "nuisance"}
    category = result.category
    if taxonomy.default().categories[category].disposition not in (decision, "joint" if decision == "police" else ""):
        category = fallback[decision]
    destinations = list(taxonomy.default().categories[category].destinations)
    priority = 4 if decision == "invalid" else None
    return incidents.Decision(
        category=category, disposition=decision, destinations=destinations, priority=priority, reason=reason or None
    )


def _follow_up(request: Request, session, who, incident_id: int, decision: str) -> str:
    if decision == "invalid":
        incidents.transition(session, who.user, incident_id, "closed", reason="无效来电 / invalid call")
        return "，已结案"
    if decision == "joint":
        made, unserved = diversion.create_linkage(session, who.user, incident_id, request.app.state.peers.serving())
        note = f"，联动 {len(made)} 家单位" if made else ""
        return note + (f"，需电话联系：{'、'.join(unserved)}" if unserved else "")
    if decision == "divert":
        peer = request.app.state.peers.by_role("12345")
        if request.app.state.role == "110" and peer is not None:
            bridge.transfer_call(session, who.user, incident_id, peer.name, three_way=False)
            return "，已一键转接"
        order = diversion.create(session, who.user, incident_id, diversion.OrderIn(), None)
        return f"，工单 #{order.id}"
    return ""
