"""矛盾调处台 repeat trouble: the governance cases, one case with its incidents, the mediation and return-visit forms;
what the call-taker sees at pickup and the parties the desk records on an incident."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from lifeline.api.schemas import Id, Text
from lifeline.auth.permissions import allowed, mask_number
from lifeline.callers.scoring import normalise_number
from lifeline.common import CHINA
from lifeline.desk import flows
from lifeline.errors import LifelineError
from lifeline.geo import service as geo
from lifeline.governance import service as governance
from lifeline.vocabulary import CaseState, MediationOutcome
from lifeline.web.incident import case_row
from lifeline.web.pages import act, csrf_ok, render, shell, toast, viewer

router = APIRouter(include_in_schema=False)


row = case_row  # one case as the list, the hints and the incident page show it (numbers masked)


@router.get("/console/governance", response_class=HTMLResponse)
def cases_page(request: Request, state: Annotated[str, Query(max_length=16)] = ""):
    who = viewer(request)
    chosen = state if state in CaseState.labels() else ""
    with request.app.state.readers() as session:
        found = governance.listing(session, who.user, chosen or None)
        if not chosen:  # the work: what is open, the due return visits first
            found = sorted((c for c in found if c.state != CaseState.CLOSED), key=lambda c: c.state != "mediated")
        rows = [row(session, c) for c in found]
    return shell(request, "governance", rows=rows, chosen=chosen)


@router.get("/console/governance/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: Id):
    who = viewer(request)
    try:
        with request.app.state.readers() as session:
            case = governance.get(session, who.user, case_id)
            context = row(session, case)
            members = governance.incidents_of(session, case)
    except LifelineError as exc:
        return render(request, "governance_case.html", who, "governance", status=exc.status, missing=True)
    role = who.user.role
    return render(
        request, "governance_case.html", who, "governance", **context, members=members,
        masked=mask_number, tz=CHINA, may=lambda action: allowed(role, action), outcomes=list(MediationOutcome),
    )  # fmt: skip


def _done(request: Request, work, said):
    return act(request, work, said, trigger="case-moved")


def _landed(case) -> str:
    state = CaseState(case.state)
    return f"案件 #{case.id}：{state.zh} / case #{case.id}: {state.en}"


@router.post("/console/governance/{case_id}/mediation", response_class=HTMLResponse)
def mediation(
    request: Request,
    case_id: Id,
    outcome: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[Text, Form(max_length=2000)] = "",
):
    if not note.strip():
        return toast(request, "请填写调解情况 / say what was agreed, or why not", error=True)
    return _done(request, lambda s, user: governance.mediate(s, user, case_id, outcome, note.strip()), _landed)


@router.post("/console/governance/{case_id}/return-visit", response_class=HTMLResponse)
def return_visit(
    request: Request,
    case_id: Id,
    officer: Annotated[Text, Form(max_length=100)] = "",
    found: Annotated[Text, Form(max_length=2000)] = "",
):
    if not officer.strip() or not found.strip():
        return toast(request, "请填写回访民警和回访情况 / name who went back and what was found", error=True)
    work = lambda s, user: governance.return_visit(s, user, case_id, officer.strip(), found.strip())  # noqa: E731
    return _done(request, work, _landed)


@router.post("/console/governance/near", response_class=HTMLResponse)
def near(
    request: Request,
    caller_number: Annotated[Text, Form(max_length=32)] = "",
    location_text: Annotated[Text, Form(max_length=500)] = "",
):
    """At pickup: a governance case the caller's number is a party to, or at the address typed, before the key."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return HTMLResponse("", status_code=403)
    number, address = normalise_number(caller_number), location_text.strip()
    rows = []
    if number or address:
        with request.app.state.readers() as session:
            match = geo.locate(session, address) if address else None
            lat, lon = (match.lat, match.lon) if match is not None else (None, None)
            found = governance.at_call(session, who.user, number, address, lat, lon)
            rows = [row(session, c) for c in found]
    return render(request, "partials/governance_hint.html", who, rows=rows)


@router.post("/console/incidents/{incident_id}/parties", response_class=HTMLResponse)
def parties(
    request: Request,
    incident_id: Id,
    name: Annotated[Text, Form(max_length=100)] = "",
    phone: Annotated[Text, Form(max_length=32)] = "",
):
    """当事人: the other party of a dispute, as the caller names them."""

    def work(session, user):
        return flows.record_parties(session, user, request.app.state.desk, incident_id, [(name, phone or None)])

    def said(done) -> str:
        rows, case = done
        message = f"已记录当事人 {len(rows)} 名 / {len(rows)} parties recorded"
        if case is not None:
            message = f"已记录当事人，矛盾纠纷案件 #{case.id} / parties recorded; governance case #{case.id}"
        return message

    return act(request, work, said, trigger="incident-moved")
