"""Units: add, move, assign to an incident; each change an event."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lifeline import taxonomy
from lifeline.auth.models import Organisation
from lifeline.auth.service import Principal, org_by_code, require, subtree, user_by_name
from lifeline.common import CHINA
from lifeline.dispatch.models import UNIT_KINDS, UNIT_STATUSES, RunCard, Unit, UnitCrew
from lifeline.dispatch.ranking import Candidate, Card, Ranked, card_for, fill, in_jurisdiction, rank
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound
from lifeline.geo import routing
from lifeline.geo import service as geo
from lifeline.geo.network import OFF_ROAD_MPS
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.vocabulary import FieldStep, Role, UnitStatus

# An incident's state follows the unit that reports it.
FOLLOWS = {"en_route": "en_route", "on_scene": "on_scene"}
# Statuses of a crew that has taken its order: a crew that sets off has accepted it, even without the key.
TAKES_ORDER = frozenset({UnitStatus.ACCEPTED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})
NEXT_STEP = {
    UnitStatus.DISPATCHED: FieldStep.ACCEPTED,
    UnitStatus.ACCEPTED: FieldStep.EN_ROUTE,
    UnitStatus.EN_ROUTE: FieldStep.ON_SCENE,
    UnitStatus.ON_SCENE: FieldStep.FEEDBACK,
}


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
        raise Conflict(f"警力编号 {code!r} 已存在 / unit {code!r} already exists")
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


@dataclass
class Offer:
    """What the dispatcher is offered for an incident: the units best first, and the run card in force with the
    units that fill it (best of each kind asked for) and what is still missing."""

    rows: list[tuple[Unit, Ranked]]
    card: Card | None = None
    proposed: list[int] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)


def recommend(session: Session, actor: Principal, incident_id: int, limit: int = 10) -> Offer:
    """Units to send to an incident, best first: by road travel time when the incident is placed on the network
    in use, with whether each covers it, how far it is and why it is where it is in the list; and the run card."""
    incident = incidents.get(session, actor, incident_id)
    stations = list(session.scalars(select(Organisation).where(Organisation.kind == "police_station")))
    covering = {s.id for s in stations if s.jurisdiction and in_jurisdiction(incident.address, s.jurisdiction)}
    units = {u.id: u for u in visible(session, actor)}
    candidates = [Candidate(u.id, u.org_id, u.status, u.lat, u.lon) for u in units.values()]
    times = _road_times(session, incident, [u for u in units.values() if u.status == "available"])
    ranked = rank(candidates, incident.lat, incident.lon, covering, times)
    areas = {s.code for s in stations if s.id in covering}
    hour = incident.received_at.astimezone(CHINA).hour
    card = card_for(cards_in_force(session), areas, incident.category, hour)
    offer = Offer([(units[r.unit_id], r) for r in ranked[:limit]], card)
    if card is not None:
        offer.proposed, offer.missing = fill(card, ranked, {u.id: u.kind for u in units.values()})
        shown = {u.id for u, _ in offer.rows}
        offer.rows += [(units[r.unit_id], r) for r in ranked if r.unit_id in offer.proposed and r.unit_id not in shown]
    return offer


def _road_times(session: Session, incident: Incident, available: list[Unit]) -> dict[int, tuple]:
    """Each placed available unit's (seconds, road metres) to the incident, from one search on the network."""
    loaded = geo.in_use(session)
    placed = [u for u in available if u.lat is not None and u.lon is not None]
    if loaded is None or incident.lat is None or incident.lon is None or not placed:
        return {}
    network, _ = loaded
    timed = routing.time_units(
        network, incident.lat, incident.lon, [u.lat for u in placed], [u.lon for u in placed], [u.kind for u in placed]
    )
    return {placed[t.index].id: (t.seconds, t.road_metres) for t in timed if t.seconds is not None}


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
    _status(unit, UnitStatus.DISPATCHED)
    unit.incident_id = incident_id
    _record(session, actor, unit, "unit.assigned")
    return unit


def _status(unit: Unit, status: str) -> None:
    """A new status starts its timer; reporting the same status again (with a position) does not."""
    if unit.status != status:
        unit.status, unit.status_since = status, utcnow()


def _own(session: Session, actor: Principal, unit_id: int) -> Unit:
    """The unit, for a report: an officer reports only the unit he crews; the desk any unit it sees (by radio)."""
    require(actor, "unit.report")
    unit = get(session, actor, unit_id)
    if actor.role == Role.FIELD_OFFICER and unit.id != crewed_unit(session, actor.user_id):
        raise Forbidden(f"警力 {unit.code} 不是本人所在车组 / unit {unit.code} is not the unit you are on")
    return unit


def next_step(status: str) -> FieldStep | None:
    """The one field step open for a unit at `status` (接单 → 出发 → 到场 → 处置反馈), None off an order."""
    return NEXT_STEP.get(status)


def report(session: Session, actor: Principal, unit_id: int, status: str, lat=None, lon=None) -> Unit:
    """A unit's status or position. Accepting, setting off and arriving count as taking the order (the incident's
    accepted_at, first crew wins); en route and on scene move its incident along."""
    if status not in UNIT_STATUSES:
        raise Invalid(f"未知状态 {status!r} / unknown status {status!r}; allowed: {', '.join(UNIT_STATUSES)}")
    unit = _own(session, actor, unit_id)
    if status == UnitStatus.ACCEPTED and unit.status != UnitStatus.DISPATCHED:
        raise Conflict(
            f"警力 {unit.code} 当前{UNIT_STATUSES[unit.status]}，没有待接的警单"
            f" / unit {unit.code} has no order to accept"
        )
    if status in TAKES_ORDER and unit.incident_id is not None:
        incidents.accept(session, actor, unit.incident_id, unit.code)
    _status(unit, status)
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


def move_many(session: Session, actor: Principal, fixes: list[tuple[int, float, float]]) -> int:
    """Positions from the units' locators (AVL), many at once: where each unit is, its status unchanged. One event
    records the batch. A unit the actor may not report on refuses the whole batch."""
    units = {unit_id: _own(session, actor, unit_id) for unit_id in dict.fromkeys(u for u, _, _ in fixes)}
    now = utcnow()
    for unit_id, lat, lon in fixes:  # the last fix of a unit in the batch is where it is
        unit = units[unit_id]
        unit.lat, unit.lon, unit.updated_at = lat, lon, now
    moved = {units[u].code: [lat, lon] for u, lat, lon in fixes}
    events.append(session, "units.positions", {"positions": moved}, actor=actor.username)
    return len(units)


def feedback(session: Session, actor: Principal, unit_id: int, result: str, outcome: str) -> Unit:
    """处置反馈: the unit's result resolves its incident, and the unit is free again."""
    unit = _own(session, actor, unit_id)
    if unit.incident_id is None or unit.status not in TAKES_ORDER:
        raise Conflict(
            f"警力 {unit.code} 当前{UNIT_STATUSES[unit.status]}，没有可反馈的警单（须先接单）"
            f" / unit {unit.code} has no accepted order to report on"
        )
    incidents.feedback(session, actor, unit.incident_id, unit.code, result, outcome)
    incident_id = unit.incident_id
    _status(unit, UnitStatus.AVAILABLE)
    unit.incident_id = None
    _record(session, actor, unit, "unit.fed_back", incident=incident_id, outcome=outcome)
    return unit


# Crews ----------------------------------------------------------------------------------------------


def set_crew(session: Session, actor: Principal, unit_id: int, usernames: list[str]) -> Unit:
    """Who is on the unit this shift: field officers of its station; each leaves any unit they were on before."""
    require(actor, "unit.write")
    unit = get(session, actor, unit_id)
    members = [user_by_name(session, name) for name in dict.fromkeys(usernames)]
    for member in members:
        if member.role != Role.FIELD_OFFICER or member.org_id != unit.org_id:
            raise Invalid(f"{member.username} 不是本所民警 / {member.username} is not a field officer of this station")
    session.execute(delete(UnitCrew).where(UnitCrew.unit_id == unit.id))
    session.execute(delete(UnitCrew).where(UnitCrew.user_id.in_([m.id for m in members])))
    session.add_all(UnitCrew(unit_id=unit.id, user_id=m.id) for m in members)
    _record(session, actor, unit, "unit.crewed", crew=[m.username for m in members])
    return unit


def crew_of_station(session: Session, org_id: int) -> bool:
    """Whether any unit of the station has a crew yet."""
    query = select(UnitCrew.id).join(Unit, Unit.id == UnitCrew.unit_id).where(Unit.org_id == org_id).limit(1)
    return session.scalar(query) is not None


def crewed_unit(session: Session, user_id: int) -> int | None:
    return session.scalar(select(UnitCrew.unit_id).where(UnitCrew.user_id == user_id))


def my_order(session: Session, actor: Principal) -> tuple[Unit | None, Incident | None]:
    """The unit the officer crews and the incident it is sent to (his page reads only these)."""
    require(actor, "unit.read")
    unit_id = crewed_unit(session, actor.user_id) if actor.user_id else None
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or unit.incident_id is None:
        return unit, None
    return unit, incidents.get(session, actor, unit.incident_id)


def handles(session: Session, user_id: int, incident_id: int) -> bool:
    """Whether the officer's unit is handling the incident now."""
    unit_id = crewed_unit(session, user_id)
    return unit_id is not None and session.scalar(select(Unit.incident_id).where(Unit.id == unit_id)) == incident_id


# Coverage ----------------------------------------------------------------------------------------------


DEFAULT_ARRIVE_MINUTES = 5


def coverage(session: Session, actor: Principal) -> dict:
    """What the available units reach now: the city's road share within 1, 3 and 5 minutes; each station's zone
    within its own minutes, whether a unit reaches the zone's middle in time and, when none does, the unit to move
    up; and the squares of the map left uncovered (GeoJSON)."""
    require(actor, "unit.dispatch")
    available = [u for u in visible(session, actor) if u.status == UnitStatus.AVAILABLE and u.lat is not None]
    loaded = geo.in_use(session)
    empty = {"type": "FeatureCollection", "features": []}
    if loaded is None:
        return {"network": None, "units": len(available), "covered": {}, "zones": [], "gaps": empty}
    network, _ = loaded
    lats, lons = [u.lat for u in available], [u.lon for u in available]
    shares, best = routing.coverage(network, lats, lons)
    areas = {a["name"]: a["polygon"] for a in network.meta.get("areas", [])}
    limit = np.full(network.nodes, DEFAULT_ARRIVE_MINUTES * 60.0)
    zones = []
    stations = session.scalars(
        select(Organisation)
        .where(Organisation.kind == "police_station", Organisation.id.in_(subtree(session, actor.org_id)))
        .order_by(Organisation.code)
    )
    for station in stations:
        area = next((name for name in station.jurisdiction.split() if name in areas), None)
        if area is None:
            continue
        minutes = station.arrive_minutes or DEFAULT_ARRIVE_MINUTES
        polygon = areas[area]
        limit[routing.inside(polygon, network.lat, network.lon)] = minutes * 60.0
        centre = (sum(p[1] for p in polygon) / len(polygon), sum(p[0] for p in polygon) / len(polygon))
        (node,), (off,) = network.nearest([centre[0]], [centre[1]])
        reaches = bool(best[node] + off / OFF_ROAD_MPS <= minutes * 60)
        move_up = None
        if not reaches and available:
            timed = routing.time_units(network, *centre, lats, lons, [u.kind for u in available])
            soonest = min((t for t in timed if t.seconds is not None), key=lambda t: t.seconds, default=None)
            if soonest is not None:
                unit = available[soonest.index]
                minutes_away = f"{soonest.seconds / 60:.0f}"
                move_up = f"{unit.code} {unit.name}（约 {minutes_away} 分钟 / about {minutes_away} min）"
        zones.append(
            {
                "code": station.code,
                "name": station.name,
                "arrive_minutes": minutes,
                "covered": round(routing.zone_share(network, best, polygon, minutes), 3),
                "reaches_centre": reaches,
                "move_up": move_up,
            }
        )
    return {
        "network": network.name,
        "units": len(available),
        "covered": {str(m): round(share, 3) for m, share in shares.items()},
        "zones": zones,
        "gaps": routing.gaps(network, best, limit),
    }


# Run cards (预案) --------------------------------------------------------------------------------------


def cards_in_force(session: Session) -> list[Card]:
    """The newest version of every card that is not retired."""
    newest: dict[str, RunCard] = {}
    for row in session.scalars(select(RunCard).order_by(RunCard.card, RunCard.version)):
        newest[row.card] = row
    return [
        Card(r.card, r.version, r.area, r.category, r.from_hour, r.to_hour, dict(r.units))
        for r in newest.values()
        if not r.retired
    ]


def card_versions(session: Session, actor: Principal) -> list[RunCard]:
    require(actor, "unit.dispatch")
    return list(session.scalars(select(RunCard).order_by(RunCard.card, RunCard.version)))


def save_card(
    session: Session,
    actor: Principal,
    name: str,
    units: dict[str, int],
    area: str = "",
    category: str = "",
    from_hour: int = 0,
    to_hour: int = 24,
    note: str = "",
    retired: bool = False,
) -> RunCard:
    """A new version of a card (the first one makes it); earlier versions are kept as they were."""
    require(actor, "runcard.write")
    if (
        area
        and session.scalar(
            select(Organisation.id).where(Organisation.code == area, Organisation.kind == "police_station")
        )
        is None
    ):
        raise Invalid(f"{area} 不是派出所 / {area} is not a police station")
    if category and category not in taxonomy.default().categories:
        raise Invalid(f"未知警情类别 {category!r} / unknown category {category!r}")
    unknown = set(units) - UNIT_KINDS
    if unknown or not units or any(not 0 < n <= 10 for n in units.values()):
        raise Invalid(
            f"预案警力须为 {', '.join(sorted(UNIT_KINDS))} 各 1–10 辆 / a card asks for 1 to 10 units of known kinds"
        )
    version = (session.scalar(select(func.max(RunCard.version)).where(RunCard.card == name)) or 0) + 1
    row = RunCard(card=name, version=version, area=area, category=category, from_hour=from_hour, to_hour=to_hour,
                  units=dict(units), note=note, retired=retired, changed_by=actor.username)  # fmt: skip
    session.add(row)
    session.flush()
    events.append(session, "runcard.saved", {"card": name, "version": version, "retired": retired},
                  actor=actor.username)  # fmt: skip
    return row
