"""我的警单 the field officer's page: his unit's order on a phone, and the keys 接单 → 出发 → 到场 → 处置反馈."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from lifeline import taxonomy
from lifeline.api.schemas import Text
from lifeline.auth.permissions import mask_number
from lifeline.desk import flows
from lifeline.dispatch import service as dispatch
from lifeline.errors import Conflict, LifelineError
from lifeline.incidents import service as incidents
from lifeline.store.engine import transaction
from lifeline.vocabulary import FieldOutcome, FieldStep
from lifeline.web.pages import SESSION_ENDED, Viewer, clock, csrf_ok, render, shell, toast, viewer

router = APIRouter(include_in_schema=False)
# Each key and the incident's time it stamps (the figures read these).
STAMPS = {
    FieldStep.ACCEPTED: "accepted_at",
    FieldStep.EN_ROUTE: "en_route_at",
    FieldStep.ON_SCENE: "on_scene_at",
    FieldStep.FEEDBACK: "resolved_at",
}
NO_ORDER = "本车组没有警单 / your unit has no order"


@router.get("/console/field", response_class=HTMLResponse)
def field_page(request: Request):
    return shell(request, "field", layers=request.app.state.city_layers, outcomes=list(FieldOutcome))


@router.get("/console/field/order", response_class=HTMLResponse)
def order(request: Request):
    """His unit, the order it is on, and which key is open now (refreshed on the units and incidents signals)."""
    who = viewer(request)
    with request.app.state.readers() as session:  # reads only: no write lock
        unit, incident = dispatch.my_order(session, who.user)
        category = taxonomy.default().categories.get(incident.category) if incident else None
        notes, earlier = incidents.at_address(session, who.user, incident.id) if incident else ([], [])
        return render(
            request, "partials/field_order.html", who, unit=unit, incident=incident, category=category,
            notes=notes, earlier=earlier, incident_id=incident.id if incident else None,
            next=dispatch.next_step(unit.status) if incident else None, stamps=STAMPS, masked=mask_number,
            words=incident.reports[0].text if incident and incident.reports else "",
        )  # fmt: skip


def _crewed(session, who: Viewer):
    """His unit and its incident; an officer on no unit has nothing to report."""
    unit, incident = dispatch.my_order(session, who.user)
    if unit is None:
        raise Conflict("你还没有编入车组，请联系值班长 / you are not on a unit: ask the supervisor")
    return unit, incident


def _moved(request: Request, message: str, *signals: str) -> HTMLResponse:
    response = toast(request, message)
    # His page refreshes at once, not on the next signal.
    response.headers["HX-Trigger"] = ", ".join(("field-moved", *signals))
    return response


@router.post("/console/field/step", response_class=HTMLResponse)
def step(request: Request, to: Annotated[str, Form(max_length=16)]):
    """接单, 出发 or 到场 for the unit he crews."""
    who = viewer(request)
    if not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    if to not in (FieldStep.ACCEPTED, FieldStep.EN_ROUTE, FieldStep.ON_SCENE):
        return toast(request, f"未知操作 / unknown step {to!r}", error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            unit, incident = _crewed(session, who)
            due = dispatch.next_step(unit.status) if incident else None
            if due != to:  # his keys go in order: a stale page cannot skip one
                raise Conflict(f"下一步是「{due.zh}」 / the next step is {due.en}" if due else NO_ORDER)
            unit = dispatch.report(session, who.user, unit.id, to)
            code, at = unit.code, clock(unit.status_since)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    label = FieldStep(to)
    return _moved(request, f"{code} {label.zh} {at} / {code}: {label.en} at {at}")


@router.post("/console/field/feedback", response_class=HTMLResponse)
def feedback(
    request: Request,
    result: Annotated[Text, Form(max_length=2000)] = "",
    outcome: Annotated[str, Form(max_length=16)] = "",
):
    """处置反馈: the result and outcome resolve the incident; the unit is free for the next order."""
    who = viewer(request)
    if not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            unit, incident = _crewed(session, who)
            number = incident.id if incident else "—"
            at = clock(dispatch.feedback(session, who.user, unit.id, result, outcome).status_since)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    # field-fed-back empties the form for the next order.
    return _moved(request, f"警单 #{number} 已反馈 {at} / order #{number} reported at {at}", "field-fed-back")


@router.post("/console/field/reveal", response_class=HTMLResponse)
def reveal(request: Request):
    """The caller's full number, for the officer whose unit is on the incident; the read is audited."""
    who = viewer(request)
    if not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            _, incident = _crewed(session, who)
            if incident is None:
                raise Conflict(NO_ORDER)
            number = flows.reveal_caller(session, who.user, incident.id)["number"]
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    return render(request, "partials/field_number.html", who, number=number)
