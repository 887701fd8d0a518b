"""Units: add, move, assign to an incident; each change an event."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeline.auth.models import Organisation
from lifeline.auth.service import Principal, org_by_code, require, subtree
from lifeline.dispatch.models import UNIT_STATUSES, Unit
from lifeline.dispatch.ranking import Candidate, in_jurisdiction, rank
from lifeline.errors import Conflict, Invalid, NotFound
from lifeline.incidents import service as incidents
from lifeline.store import events
from lifeline.store.base import utcnow

# An incident's state follows the unit that reports it.
FOLLOWS = {"en_route": "en_route", "on_scene": "on_scene"}


def _record(session: Session, actor: Principal, unit: Unit, kind: str, **payload) -> None:
    unit.updated_at = utcnow()
    snapshot = {
        "code": unit.code,
        "status": unit.status,
        "lat": unit.lat,
        "lon": unit.lon,
        "incident": unit.incident_id,
    }
    events.append(session, kind, {**payload, "unit": snapshot}, actor=actor.username, incident_id=unit.incident_id)


def add(session: Session, actor: Principal, code: str, name: str, org_code: str, lat=None, lon=None, kind="patrol_car"):
    require(actor, "unit.write")
    org = org_by_code(session, org_code)
    if org.kind != "police_station":
        raise Invalid(f"{org_code} 不是派出所 / {org_code} is not a police station")
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise Conflict(f"警力编号已存在 unit {code!r} already exists")
    unit = Unit(code=code, name=name, org_id=org.id, kind=kind, status="available", lat=lat, lon=lon)
    session.add(unit)
    session.flush()
    _record(session, actor, unit, "unit.added", org=org_code)
    return unit


def visible(session: Session, actor: Principal) -> list[Unit]:
    require(actor, "unit.read")
    query = select(Unit).order_by(Unit.id)
    if actor.role not in ("admin",):
        query = query.where(Unit.org_id.in_(subtree(session, actor.org_id)))
    return list(session.scalars(query))


def recommend(
    session: Session, actor: Principal, incident_id: int, limit: int = 10
) -> list[tuple[Unit, bool, float | None]]:
    """Units to send to an incident, best first, with whether they cover it and how far they are."""
    incident = incidents.get(session, actor, incident_id)
    stations = session.scalars(select(Organisation).where(Organisation.kind == "police_station"))
    covering = {s.id for s in stations if s.jurisdiction and in_jurisdiction(incident.address, s.jurisdiction)}
    units = {u.id: u for u in visible(session, actor)}
    candidates = [Candidate(u.id, u.org_id, u.status, u.lat, u.lon) for u in units.values()]
    ranked = rank(candidates, incident.lat, incident.lon, covering)[:limit]
    return [(units[r.unit_id], r.in_jurisdiction, r.metres) for r in ranked]


def get(session: Session, actor: Principal, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id, with_for_update=True)
    if unit is None or unit not in visible(session, actor):
        raise NotFound(f"警力 {unit_id} 不存在或无权查看 / unit {unit_id} does not exist or is not yours")
    return unit


def assign(session: Session, actor: Principal, incident_id: int, unit_id: int) -> Unit:
    """Send a unit: the incident is dispatched to its station and the unit is marked dispatched."""
    require(actor, "unit.dispatch")
    unit = get(session, actor, unit_id)
    if unit.status != "available":
        raise Conflict(
            f"警力 {unit.code} 当前{UNIT_STATUSES[unit.status]}，不能派出 / unit {unit.code} is not available"
        )
    station = session.get(Organisation, unit.org_id)
    incident = incidents.get(session, actor, incident_id)
    if incident.state == "confirmed":
        incidents.transition(session, actor, incident_id, "dispatched", org=station.code)
    elif incident.state not in ("dispatched", "en_route", "on_scene"):
        raise Conflict(f"警情 {incident_id} 当前为 {incident.state}，不能派警 / incident cannot take a unit now")
    unit.status, unit.incident_id = "dispatched", incident_id
    _record(session, actor, unit, "unit.assigned")
    return unit


def report(session: Session, actor: Principal, unit_id: int, status: str, lat=None, lon=None) -> Unit:
    """A unit's status or position; en route and on scene move its incident along."""
    require(actor, "unit.report")
    if status not in UNIT_STATUSES:
        raise Invalid(f"未知状态 unknown status {status!r}; 可选: {', '.join(UNIT_STATUSES)}")
    unit = get(session, actor, unit_id)
    unit.status = status
    if lat is not None and lon is not None:
        unit.lat, unit.lon = lat, lon
    if status in FOLLOWS and unit.incident_id is not None:
        incident = incidents.get(session, actor, unit.incident_id)
        if incident.state != FOLLOWS[status]:
            incidents.transition(session, actor, incident.id, FOLLOWS[status])
    if status == "available":
        unit.incident_id = None
    _record(session, actor, unit, "unit.reported", status=status)
    return unit
