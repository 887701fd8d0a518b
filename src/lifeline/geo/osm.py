"""A road network from an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2), read with pyosmium, offline.

Car roads become edges at their class's speed (or a numeric maxspeed), one-way where tagged; named ways become
roads for the gazetteer; named shops, amenities, stations and places become places; addr:street +
addr:housenumber points become address points that house numbers are matched and interpolated on.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import osmium

from lifeline.geo.network import SPEEDS_KMH, Network, Place, Road, build

# highway=* a patrol car drives on, and its class's speed.
CAR_ROADS = {
    "motorway": SPEEDS_KMH["motorway"],
    "trunk": SPEEDS_KMH["trunk"],
    "primary": SPEEDS_KMH["primary"],
    "secondary": SPEEDS_KMH["secondary"],
    "tertiary": SPEEDS_KMH["tertiary"],
    "unclassified": SPEEDS_KMH["local"],
    "residential": SPEEDS_KMH["local"],
    "living_street": 10.0,
    "service": 15.0,
    "road": SPEEDS_KMH["local"],
}
PLACE_KEYS = ("amenity", "shop", "tourism", "leisure", "office", "building", "public_transport", "railway")
AREA_PLACES = {"suburb", "quarter", "neighbourhood", "city_block", "village", "hamlet"}
FORWARD, BACKWARD = {"yes", "true", "1"}, {"-1", "reverse"}


def _speed(tags) -> float | None:
    highway = tags.get("highway", "")
    base = CAR_ROADS.get(highway.removesuffix("_link"))
    if base is None:
        return None
    if (m := re.match(r"\s*(\d+)", tags.get("maxspeed", ""))) and int(m[1]) > 0:
        return min(float(m[1]) * 0.8, base * 1.5)  # a patrol car in town keeps under the limit on average
    return base


def _number(text: str) -> int | None:
    m = re.match(r"\s*(\d+)", text)
    return int(m[1]) if m else None


def read(path: str | Path, name: str | None = None) -> Network:
    """The network of an extract. Raises ValueError when the file has no drivable road."""
    path = Path(path)
    index: dict[int, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    src: list[int] = []
    dst: list[int] = []
    kmh: list[float] = []
    roads: list[Road] = []
    places: list[Place] = []

    def node(ref) -> int:
        i = index.get(ref.ref)
        if i is None:
            i = index[ref.ref] = len(lat)
            lat.append(ref.lat)
            lon.append(ref.lon)
        return i

    processor = osmium.FileProcessor(str(path)).with_locations()
    for obj in processor:
        tags = obj.tags
        if obj.is_node():
            _place(places, tags, obj.location.lat, obj.location.lon)
        elif obj.is_way():
            speed = _speed(tags)
            refs = [r for r in obj.nodes if r.location.valid()]
            if speed is None:
                if refs:
                    _place(places, tags, sum(r.lat for r in refs) / len(refs), sum(r.lon for r in refs) / len(refs))
                continue
            if len(refs) < 2:
                continue
            ids = [node(r) for r in refs]
            oneway = tags.get("oneway", "")
            if tags.get("junction") == "roundabout" and not oneway:
                oneway = "yes"
            pairs = list(pairwise(ids))
            if oneway in BACKWARD:
                pairs = [(b, a) for a, b in pairs]
            elif oneway not in FORWARD:
                pairs += [(b, a) for a, b in pairs]
            for a, b in pairs:
                src.append(a)
                dst.append(b)
                kmh.append(speed)
            if road_name := tags.get("name"):
                roads.append(Road(road_name, tuple(ids)))
    if not src:
        raise ValueError(f"{path.name} 中没有可通行的道路 / has no drivable road")
    return build(
        name or path.name.split(".")[0],
        np.array(lat),
        np.array(lon),
        np.array(src),
        np.array(dst),
        np.array(kmh),
        roads=roads,
        places=places,
        source=f"OpenStreetMap extract {path.name}",
    )


def _place(places: list[Place], tags, lat: float, lon: float) -> None:
    street, house = tags.get("addr:street"), _number(tags.get("addr:housenumber", ""))
    if street and house is not None:
        places.append(Place(f"{street}{house}号", "address", lat, lon, road=street, number=house))
    name = tags.get("name")
    if not name:
        return
    if tags.get("place") in AREA_PLACES:
        places.append(Place(name, "street", lat, lon))
    elif tags.get("railway") == "station" or tags.get("public_transport") == "station":
        places.append(Place(name, "station", lat, lon))
    elif any(key in tags for key in PLACE_KEYS):
        places.append(Place(name, "poi", lat, lon))
