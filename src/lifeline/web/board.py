"""调度台 the dispatcher board, and the map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from lifeline import taxonomy
from lifeline.api.schemas import FormId, Id, Text
from lifeline.auth.models import Organisation
from lifeline.auth.permissions import allowed, sees_all
from lifeline.auth.service import subtree
from lifeline.channels import service as channels
from lifeline.channels import views as channel_views
from lifeline.dispatch import service as dispatch
from lifeline.dispatch.models import UNIT_STATUSES
from lifeline.dispatch.service import TAKES_ORDER
from lifeline.errors import LifelineError
from lifeline.geo import service as geo
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident
from lifeline.store.engine import transaction
from lifeline.vocabulary import FieldOutcome, FieldStep, IncidentState, UnitStatus
from lifeline.web.i18n import translator
from lifeline.web.pages import SESSION_ENDED, csrf_ok, prefs, render, shell, toast, viewer

router = APIRouter(include_in_schema=False)
PENDING_LIMIT = 500


def _categories() -> dict[str, str]:
    return {code: c.zh for code, c in taxonomy.default().categories.items()}


# 调度台 ---------------------------------------------------------------------------------------------------


@router.get("/console/dispatch", response_class=HTMLResponse)
def dispatch_page(request: Request):
    return shell(request, "dispatch", outcomes=list(FieldOutcome))


@router.get("/console/dispatch/pending", response_class=HTMLResponse)
def pending(request: Request):
    """Confirmed police and joint incidents waiting for a unit, most urgent and oldest first, with what a
    dispatcher decides on: the caller's words, weapon and injury facts, the clock, possible duplicates."""
    who = viewer(request)
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
        twins = {
            i.id: incidents.duplicates(session, who.user, incidents.sighting(i), i.id) for i in rows[:DUPLICATES_FOR]
        }
    return render(
        request, "partials/pending.html", who, rows=rows, categories=taxonomy.default().categories, twins=twins
    )


@router.get("/console/dispatch/follow", response_class=HTMLResponse)
def follow(request: Request):
    """What was sent: waiting for a crew to accept (not handled yet), in hand, and fed back (to be closed)."""
    who = viewer(request)
    with request.app.state.readers() as session:  # reads only: no write lock
        rows = list(
            session.scalars(
                select(Incident)
                .where(Incident.state.in_(FOLLOWED), incidents.scope(session, who.user))
                .order_by(Incident.priority, Incident.dispatched_at)
                .limit(PENDING_LIMIT)
            )
        )
        try:
            on = _units_by_incident(dispatch.visible(session, who.user))
        except LifelineError:
            on = {}
    groups = {key: [i for i in rows if stage(i) == key] for key in STAGES}
    return render(
        request, "partials/follow.html", who, groups=groups, on=on, categories=taxonomy.default().categories,
        reporting=TAKES_ORDER,
    )  # fmt: skip


FOLLOWED = ("dispatched", "en_route", "on_scene", "resolved")
STAGES = ("waiting", "working", "fed_back")
DUPLICATES_FOR = 10  # the most urgent rows, the ones a dispatcher acts on next: each costs a query


def stage(incident: Incident) -> str:
    """Where a sent incident stands on the board: no crew accepted it yet, in hand, or fed back."""
    if incident.state == "resolved":
        return "fed_back"
    return "working" if incidents.accepted(incident) else "waiting"


def _units_by_incident(units) -> dict[int, list]:
    on: dict[int, list] = {}
    for unit in units:
        if unit.incident_id is not None:
            on.setdefault(unit.incident_id, []).append(unit)
    return on


@router.post("/console/dispatch/{incident_id}/close", response_class=HTMLResponse)
def close(request: Request, incident_id: Id):
    """结案 from the board: a fed-back incident is closed through the incident service (its rules, its event)."""
    who = viewer(request)
    if not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            incidents.transition(session, who.user, incident_id, "closed")
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    return toast(request, f"警情 #{incident_id} 已结案 / incident #{incident_id} closed")


@router.get("/console/dispatch/units", response_class=HTMLResponse)
def unit_board(request: Request):
    who = viewer(request)
    try:
        with request.app.state.readers() as session:  # reads only: no write lock
            units = dispatch.visible(session, who.user)
    except LifelineError:
        units = []
    counts = {status: sum(u.status == status for u in units) for status in UNIT_STATUSES}
    return render(
        request, "partials/units.html", who, units=units, counts=counts, limits=STATUS_LIMITS,
        radio={u.id: step for u in units if (step := dispatch.next_step(u.status)) in RADIO_STEPS},
    )  # fmt: skip


@router.post("/console/dispatch/units/{unit_id}/step", response_class=HTMLResponse)
def radio_step(request: Request, unit_id: Id, to: Annotated[str, Form(max_length=16)]):
    """A crew's 接单, 出发 or 到场 heard on the radio, recorded by the dispatcher for it (the same service and
    event as the officer's own key)."""
    who = viewer(request)
    if not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    if to not in RADIO_STEPS:
        return toast(request, f"未知操作 / unknown step {to!r}", error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            code = dispatch.report(session, who.user, unit_id, to).code
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    step = FieldStep(to)
    return toast(request, f"{code} {step.zh}（电台） / {code}: {step.en} (by radio)")


@router.post("/console/dispatch/feedback", response_class=HTMLResponse)
def radio_feedback(
    request: Request,
    unit: FormId,
    result: Annotated[Text, Form(max_length=2000)] = "",
    outcome: Annotated[str, Form(max_length=16)] = "",
):
    """A crew's 处置反馈 read out on the radio: the dispatcher records it for the unit (the same service)."""
    who = viewer(request)
    if not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            code = dispatch.feedback(session, who.user, unit, result, outcome).code
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    response = toast(request, f"{code} 已反馈（电台） / {code}: result recorded (by radio)")
    response.headers["HX-Trigger"] = "radio-fed-back"  # the form is emptied and put away
    return response


RADIO_STEPS = (FieldStep.ACCEPTED, FieldStep.EN_ROUTE, FieldStep.ON_SCENE)
# How long a unit may stay at a status before its timer turns red (seconds): an order not accepted within a
# minute, a crew not off within two, not there within fifteen.
STATUS_LIMITS = {"dispatched": 60, "accepted": 120, "en_route": 900, "on_scene": 3600}


@router.get("/console/dispatch/{incident_id}/units", response_class=HTMLResponse)
def recommend(request: Request, incident_id: Id):
    who = viewer(request)
    if who is None:
        return HTMLResponse("", status_code=401)
    try:
        with request.app.state.readers() as session:  # reads only: no write lock
            offer = dispatch.recommend(session, who.user, incident_id)
            notes, earlier = incidents.at_address(session, who.user, incident_id)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    return render(
        request, "partials/recommend.html", who, offer=offer, incident_id=incident_id, notes=notes, earlier=earlier
    )


@router.post("/console/dispatch/{incident_id}/assign", response_class=HTMLResponse)
def assign(request: Request, incident_id: Id, unit: FormId):
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            sent = dispatch.assign(session, who.user, incident_id, unit)
            code = sent.code
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    response = toast(request, f"警情 #{incident_id} 已派 {code}")
    response.headers["HX-Trigger"] = "unit-assigned"
    return response


# 地图 -----------------------------------------------------------------------------------------------------


@router.get("/console/map", response_class=HTMLResponse)
def map_page(request: Request):
    return shell(request, "map")


@router.get("/console/map.json")
def map_data(request: Request):
    """Units, open incidents and stations with positions, the city's layers, and the legend's words."""
    who = viewer(request)
    t = translator(prefs(request)["lang"])
    categories = taxonomy.default().categories
    with request.app.state.readers() as session:  # reads only: no write lock
        try:
            seen = dispatch.visible(session, who.user)
        except LifelineError:
            seen = []
        units = [
            {"id": u.id, "code": u.code, "name": u.name, "status": u.status, "incident": u.incident_id,
             "since": u.status_since.isoformat(), "lat": u.lat, "lon": u.lon}
            for u in seen if u.lat is not None
        ]  # fmt: skip
        open_incidents = session.scalars(
            select(Incident)
            .where(Incident.lat.is_not(None), Incident.state.in_(("confirmed", "dispatched", "en_route", "on_scene")))
            .where(incidents.scope(session, who.user))
            .limit(PENDING_LIMIT)
        )
        points = [
            {"id": i.id, "priority": i.priority, "state": t(IncidentState(i.state)), "lat": i.lat, "lon": i.lon,
             "category": t(categories[i.category].zh, categories[i.category].en) if i.category in categories else "",
             "address": i.address, "words": i.summary.splitlines()[0] if i.summary else ""}
            for i in open_incidents
        ]  # fmt: skip
        mine = subtree(session, who.user.org_id)  # a station sees its own area, a centre the areas below it
        stations = [
            station(o, seen, request.app.state.city_layers)
            for o in session.scalars(
                select(Organisation).where(Organisation.kind == "police_station").order_by(Organisation.code)
            )
            if sees_all(who.user.role) or o.id in mine
        ]
        named_roads = map_roads(session)
        posts = (
            [channel_views.post_out(p, request.app.state.clock()).model_dump(mode="json")
             for p in channels.posts(session, who.user)]
            if allowed(who.user.role, "post.read") else []
        )  # fmt: skip
        try:
            gaps = dispatch.coverage(session, who.user)["gaps"]
        except LifelineError:  # only those who dispatch see coverage
            gaps = None
    legend = {
        "gap": t("辖区到场时限内无警力可达", "No unit within the zone's minutes") if gaps else None,
        "units": {s.value: t(s) for s in UnitStatus},
        "priorities": {str(p): f"P{p}" for p in range(1, 5)},
        "station": t("派出所", "Police station"),
        "incident": t("警情", "Incident"),
        "open": t("打开警情", "Open the incident"),
        "posts": {
            "ok": t("报警柱（在线）", "Alarm post (alive)"),
            "silent": t("报警柱（失联）", "Alarm post (silent)"),
            "never": t("报警柱（从未上线）", "Alarm post (never heard)"),
        },
    }
    return {
        "units": units, "incidents": points, "stations": stations, "posts": posts,
        "layers": request.app.state.city_layers,
        "roads": named_roads, "gaps": gaps, "legend": legend,
    }  # fmt: skip


MAP_ROADS = 3000  # named road pieces drawn at most (a real city has more; the longest go first)


def map_roads(session) -> list[dict]:
    """The named roads of the network in use as lines, longest first."""
    loaded = geo.in_use(session)
    if loaded is None:
        return []
    network, _ = loaded
    pieces = sorted(network.roads, key=lambda r: -len(r.nodes))[:MAP_ROADS]
    return [
        {
            "name": r.name,
            "points": [[round(float(network.lat[n]), 6), round(float(network.lon[n]), 6)] for n in r.nodes],
        }
        for r in pieces
    ]


def station(org: Organisation, units, layers: dict) -> dict:
    """A station on the map: the district its jurisdiction names (the city layers) and a point, the middle of its
    units (or of its area when its units are not placed)."""
    places = set(org.jurisdiction.split())
    area = next((f for f in layers.get("features", []) if f.get("properties", {}).get("name") in places), None)
    placed = [(u.lat, u.lon) for u in units if u.org_id == org.id and u.lat is not None]
    if not placed and area is not None:
        ring = area["geometry"]["coordinates"][0]
        placed = [(lat, lon) for lon, lat in ring]
    point = (
        {"lat": sum(p[0] for p in placed) / len(placed), "lon": sum(p[1] for p in placed) / len(placed)}
        if placed
        else {}
    )
    return {"code": org.code, "name": org.name, "jurisdiction": org.jurisdiction, "area": area, **point}
