"""The hub's part: a matter reported in one city about a place in another goes to that city's desk; a missing
person's alert goes to every city within its reach; in a surge, an overflowed call's history goes to the city that
takes the overflow.

The hub writes each message into its own event log, addressed to a city's 110 (the log is the outbox): its relay
delivers it exactly once and in order, and holds it, retrying, while that city is down.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from lifeline.eido import document as eido
from lifeline.errors import Invalid
from lifeline.peering import messages
from lifeline.peering.peers import Peers
from lifeline.province.areas import JIANGXI, City, Province
from lifeline.store import events


def of_peers(peers: Peers, areas: Province = JIANGXI) -> Province:
    """The cities of `areas` whose 110 desk is one of the hub's peers, their neighbours kept within them."""
    present = {c.code for c in areas.cities.values() if c.desk in peers.peers}
    cities = {
        code: replace(c, neighbours=tuple(n for n in c.neighbours if n in present))
        for code, c in areas.cities.items()
        if code in present
    }
    return Province(areas.name, cities)


def forward(session: Session, province: Province, peer: str, referral: messages.Referral) -> City:
    """Send the referral on to the desk of the city its place is in; Invalid (parked, and the sender told) when no
    city of the province holds it, or it is the sender's own."""
    origin = province.by_desk(peer)
    if referral.to_city:
        target = province.cities.get(referral.to_city)
        if target is None:
            raise Invalid(f"省内没有城市 {referral.to_city} / no city {referral.to_city!r} in the province")
    else:
        place = eido.from_eido(referral.eido).as_fields()
        target = province.city_of(place.get("lat"), place.get("lon"), place.get("location_text"), place.get("text"))
        if target is None:
            raise Invalid("省内找不到该地点所属城市，请指明城市 / no city of the province holds this place: name one")
    if origin is not None and target.code == origin.code:
        raise Invalid(f"该地点在{origin.name}本市 / the place is in {origin.name}, the sender's own city")
    body = {**referral.model_dump(mode="json"), "to_city": target.code,
            "from_city": origin.name if origin else peer, "from_peer": peer}  # fmt: skip
    events.append(
        session,
        "province.forwarded",
        {"from": peer, "to": target.code, "message": {"kind": "incident.refer", "body": body}},
        actor=f"peer:{peer}",
        to_peer=target.desk,
    )
    return target


def spread(session: Session, province: Province, peer: str, alert: messages.MissingAlert) -> list[City]:
    """A city's missing-person alert sent on to every other city whose area lies within its reach of where the
    person was last seen (of the sending city's seat when the place has no coordinates). It widens as the hours
    pass, so each widening reaches more cities; a withdrawal reaches all that the widest alert reached."""
    origin = province.by_desk(peer)
    if origin is None:
        raise Invalid(f"{peer} 不是本省城市的接警台 / {peer} is not a city desk of the province")
    lat, lon = alert.last_seen_lat, alert.last_seen_lon
    if lat is None or lon is None:
        lat, lon = origin.lat, origin.lon
    reached = province.reached(lat, lon, alert.alert_km, but=origin.code)
    body = {**alert.model_dump(mode="json"), "from_city": origin.name, "from_peer": peer}
    for city in reached:
        events.append(
            session,
            "province.alerted",
            {"from": peer, "to": city.code, "case": alert.case, "active": alert.active, "alert_km": alert.alert_km,
             "message": {"kind": "missing.alert", "body": body}},
            actor=f"peer:{peer}",
            to_peer=city.desk,
        )  # fmt: skip
    return reached


def overflow(session: Session, province: Province, peer: str, call: messages.Overflow) -> City:
    """A city's overflowed call, its caller's history sent on to the city that takes its overflow."""
    origin = province.by_desk(peer)
    target = province.cities.get(call.to_city)
    if origin is None or target is None or target.code == origin.code:
        raise Invalid(f"溢出去向 {call.to_city} 不是本省另一城市 / {call.to_city!r}: not another city of the province")
    body = {**call.model_dump(mode="json"), "from_city": origin.code, "from_name": origin.name, "from_peer": peer}
    events.append(
        session,
        "province.overflowed",
        {"from": peer, "to": target.code, "ref": call.ref, "message": {"kind": "call.overflow", "body": body}},
        actor=f"peer:{peer}",
        to_peer=target.desk,
    )
    return target
