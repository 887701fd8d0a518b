"""The road network in use and what is built on it: loading a network, placing an incident, timing units."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifeline.auth.service import Principal, require
from lifeline.geo.geocode import Gazetteer, Match
from lifeline.geo.models import RoadNetwork
from lifeline.geo.network import Network
from lifeline.store import events

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
