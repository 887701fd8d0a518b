"""The road network in use and what is built on it: loading a network, placing an incident, timing units."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifeline.auth.service import Principal, require
from lifeline.errors import Invalid, NotFound
from lifeline.geo.geocode import Gazetteer, Match
from lifeline.geo.models import PremiseNote, RoadNetwork
from lifeline.geo.network import Network
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.triage.duplicates import metres
from lifeline.vocabulary import Hazard

# The network in use, per process and database: (database, row id, loaded at) → (network, gazetteer). The blob is
# read again only when a new network lands (a row id alone may come back after a restore or a truncate).
_lock = threading.Lock()
_loaded: dict[tuple, tuple[Network, Gazetteer]] = {}


def store(session: Session, actor: Principal, network: Network) -> RoadNetwork:
    """Load a network: it becomes the one in use (the earlier ones are kept)."""
    require(actor, "roads.write")
    row = RoadNetwork(
        name=network.name,
        source=network.source[:500],
        nodes=network.nodes,
        edges=network.edges,
        places=len(network.places),
        data=network.to_bytes(),
        loaded_by=actor.username,
    )
    session.add(row)
    session.flush()
    summary = {"id": row.id, "name": row.name, "source": row.source, "nodes": row.nodes, "edges": row.edges}
    events.append(session, "roads.loaded", summary, actor=actor.username)
    return row


def current(session: Session) -> RoadNetwork | None:
    latest = latest_id(session)
    return None if latest is None else session.get(RoadNetwork, latest)


def latest_id(session: Session) -> int | None:
    return session.scalar(select(func.max(RoadNetwork.id)))


def in_use(session: Session) -> tuple[Network, Gazetteer] | None:
    """The latest loaded network and its gazetteer, or None when no network is loaded."""
    latest = session.execute(
        select(RoadNetwork.id, RoadNetwork.loaded_at).order_by(RoadNetwork.id.desc()).limit(1)
    ).first()
    if latest is None:
        return None
    key = (str(session.get_bind().url), latest.id, latest.loaded_at)
    with _lock:
        if key not in _loaded:
            network = Network.from_bytes(session.get(RoadNetwork, latest.id).data)
            for old in [k for k in _loaded if k[0] == key[0]]:
                del _loaded[old]
            _loaded[key] = network, Gazetteer(network)
        return _loaded[key]


def locate(session: Session, text: str) -> Match | None:
    """Where a typed address is, on the network in use (None without a network or a match)."""
    loaded = in_use(session) if text.strip() else None
    return loaded[1].locate(text) if loaded else None


# Premise notes ---------------------------------------------------------------------------------------------

PREMISE_METRES = 50.0  # a note is about an address: an incident this close is at it


def add_note(
    session: Session, actor: Principal, hazard: str, note: str, place: str = "", lat=None, lon=None
) -> PremiseNote:
    """A warning about an address, placed by its coordinates or, without them, by the typed address."""
    require(actor, "premise.write")
    if hazard not in Hazard.labels():
        raise Invalid(f"未知风险类别 {hazard!r} / unknown hazard; allowed: {', '.join(Hazard.labels())}")
    if lat is None or lon is None:
        match = locate(session, place)
        if match is None or match.needs_confirming:
            raise Invalid(
                f"无法确定地址 {place!r} 的位置，请给出坐标 / cannot place {place!r} surely: give lat and lon"
            )
        lat, lon, place = match.lat, match.lon, match.place
    row = PremiseNote(place=place or f"{lat:.5f},{lon:.5f}", lat=lat, lon=lon, hazard=hazard, note=note,
                      created_by=actor.username)  # fmt: skip
    session.add(row)
    session.flush()
    events.append(session, "premise.noted", {"id": row.id, "place": row.place, "hazard": hazard}, actor=actor.username)
    return row


def retire_note(session: Session, actor: Principal, note_id: int) -> PremiseNote:
    require(actor, "premise.write")
    row = session.get(PremiseNote, note_id)
    if row is None:
        raise NotFound(f"风险提示 {note_id} 不存在 / premise note {note_id} does not exist")
    if row.retired_at is None:
        row.retired_at = utcnow()
        events.append(session, "premise.retired", {"id": row.id, "place": row.place}, actor=actor.username)
    return row


def around(lat_column, lon_column, lat: float, lon: float):
    """SQL conditions for the rows within a box a little wider than PREMISE_METRES around a point (an index narrows,
    `metres` decides)."""
    box = PREMISE_METRES / 111_000 * 1.5
    return lat_column.between(lat - box, lat + box), lon_column.between(lon - 2 * box, lon + 2 * box)


def notes_near(session: Session, lat: float | None, lon: float | None) -> list[PremiseNote]:
    """The notes in force at a point (within PREMISE_METRES), nearest first."""
    if lat is None or lon is None:
        return []
    rows = session.scalars(
        select(PremiseNote).where(PremiseNote.retired_at.is_(None), *around(PremiseNote.lat, PremiseNote.lon, lat, lon))
    )
    near = [(metres(lat, lon, r.lat, r.lon), r.id, r) for r in rows]
    return [r for d, _, r in sorted(near) if d <= PREMISE_METRES]
