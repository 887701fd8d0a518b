"""调度台 the dispatcher board."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select

from lifeline import taxonomy
from lifeline.api.schemas import FormId, Id
from lifeline.auth.models import Organisation
from lifeline.auth.permissions import sees_all
from lifeline.auth.service import subtree
from lifeline.dispatch import service as dispatch
from lifeline.dispatch.models import UNIT_STATUSES
from lifeline.errors import LifelineError
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident
from lifeline.store.engine import transaction
from lifeline.web.pages import csrf_ok, render, shell, toast, viewer

router = APIRouter(include_in_schema=False)
PENDING_LIMIT = 500


def _categories() -> dict[str, str]:
    return {code: c.zh for code, c in taxonomy.default().categories.items()}


# 调度台 ---------------------------------------------------------------------------------------------------


@router.get("/console/dispatch", response_class=HTMLResponse)
def dispatch_page(request: Request):
    return shell(request, "dispatch")


@router.get("/console/dispatch/pending", response_class=HTMLResponse)
def pending(request: Request):
    who = viewer(request)
    if who is None:
        return HTMLResponse("", status_code=401)
    with request.app.state.readers() as session:  # reads only: no write lock
        rows = list(
            session.scalars(
                select(Incident)
                .where(
                    Incident.state == "confirmed",
                    Incident.disposition.in_(("police", "joint")),
                    incidents.scope(session, who.user),
                )
                .order_by(Incident.priority, Incident.received_at)
                .limit(PENDING_LIMIT)
            )
        )
    return render(request, "partials/pending.html", who, rows=rows, categories=_categories())


@router.get("/console/dispatch/units", response_class=HTMLResponse)
def unit_board(request: Request):
    who = viewer(request)
    if who is None:
        return HTMLResponse("", status_code=401)
    try:
        with request.app.state.readers() as session:  # reads only: no write lock
            units = dispatch.visible(session, who.user)
    except LifelineError:
        units = []
    counts = {status: sum(u.status == status for u in units) for status in UNIT_STATUSES}
    return render(request, "partials/units.html", who, units=units, counts=counts, statuses=UNIT_STATUSES)


@router.get("/console/dispatch/{incident_id}/units", response_class=HTMLResponse)
def recommend(request: Request, incident_id: Id):
    who = viewer(request)
    if who is None:
        return HTMLResponse("", status_code=401)
    try:
        with request.app.state.readers() as session:  # reads only: no write lock
            rows = dispatch.recommend(session, who.user, incident_id)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    return render(request, "partials/recommend.html", who, rows=rows, incident_id=incident_id)


@router.post("/console/dispatch/{incident_id}/assign", response_class=HTMLResponse)
def assign(request: Request, incident_id: Id, unit: FormId):
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, "会话已失效，请重新登录 / log in again", error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            sent = dispatch.assign(session, who.user, incident_id, unit)
            code = sent.code
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    response = toast(request, f"警情 #{incident_id} 已派 {code}")
    response.headers["HX-Trigger"] = "unit-assigned"
    return response


@router.get("/console/map.json")
def map_data(request: Request):
    """Units and open incidents with positions, for the board's map."""
    who = viewer(request)
    if who is None:
        return JSONResponse({}, status_code=401)
    with request.app.state.readers() as session:  # reads only: no write lock
        try:
            units = [
                {"code": u.code, "status": u.status, "lat": u.lat, "lon": u.lon}
                for u in dispatch.visible(session, who.user)
                if u.lat is not None
            ]
        except LifelineError:
            units = []
        open_incidents = session.scalars(
            select(Incident)
            .where(Incident.lat.is_not(None), Incident.state.in_(("confirmed", "dispatched", "en_route", "on_scene")))
            .where(incidents.scope(session, who.user))
            .limit(PENDING_LIMIT)
        )
        points = [
            {"id": i.id, "priority": i.priority, "state": i.state, "lat": i.lat, "lon": i.lon} for i in open_incidents
        ]
        mine = subtree(session, who.user.org_id)  # a station sees its own area, a centre the areas below it
        stations = [
            {"code": o.code, "name": o.name, "jurisdiction": o.jurisdiction}
            for o in session.scalars(select(Organisation).where(Organisation.kind == "police_station"))
            if sees_all(who.user.role) or o.id in mine
        ]
    return {"units": units, "incidents": points, "stations": stations, "layers": request.app.state.city_layers}
