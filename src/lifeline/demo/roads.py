"""The demo city's roads, made by code: a street grid bent a little, the districts' named roads on it, its estates
and landmarks beside those roads. The same network on every run (seeded), so an address always lies where it did.

`street_grid` is the generator; `demo_network()` is the city's network (about 30,000 nodes at 90 m), and the
dispatch benchmark calls `street_grid` over a wider box for a prefecture-sized network.
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import lru_cache
from itertools import pairwise

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifeline.demo.city import CITY_NAME, DISTRICTS, District, contains
from lifeline.geo.geocode import HOUSE_PAIR_M, house_metres
from lifeline.geo.network import OFF_ROAD_MPS, Network, Place, Road, build

SEED = 12345
SPACING_M = 90.0  # between parallel streets
JITTER_M = 12.0
CLOSED_SHARE = 0.08  # local links left out (walls, rivers, estates): the grid is not a chessboard
ONE_WAY_SHARE = 0.06  # local streets one way
HOUSE_PAIR = 10.0  # metres per pair of house numbers: 88号 is 435 m from the start of its road
BOX = (23.06, 113.22, 23.18, 113.40)  # the demo city: south, west, north, east


def _class(name: str) -> float:
    """Speed (km/h) of a named road by its kind: 大道 an avenue, 路 a road, 街 a street."""
    return 40.0 if name.endswith("大道") else 35.0 if name.endswith("路") else 30.0


def street_grid(
    box: tuple[float, float, float, float] = BOX,
    districts: tuple[District, ...] = DISTRICTS,
    spacing_m: float = SPACING_M,
    seed: int = SEED,
    name: str = CITY_NAME,
) -> Network:
    south, west, north, east = box
    rng = np.random.default_rng(seed)
    dlat = spacing_m / 111_320.0
    dlon = dlat / np.cos(np.radians((south + north) / 2))
    rows, cols = int((north - south) / dlat) + 1, int((east - west) / dlon) + 1
    r, c = np.divmod(np.arange(rows * cols), cols)
    jitter = JITTER_M / 111_320.0
    lat = south + r * dlat + rng.uniform(-jitter, jitter, rows * cols)
    lon = west + c * dlon + rng.uniform(-jitter, jitter, rows * cols) / np.cos(np.radians(south))

    # Undirected links to the east and to the north neighbour.
    ids = np.arange(rows * cols).reshape(rows, cols)
    a = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    b = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    kmh = np.full(len(a), 20.0)
    named = np.zeros(len(a), dtype=bool)

    def link(x: int, y: int) -> int:  # the index in (a, b) of the link between two neighbours
        x, y = min(x, y), max(x, y)
        return divmod(x, cols)[0] * (cols - 1) + x % cols if y == x + 1 else rows * (cols - 1) + x

    roads: list[Road] = []
    for district in districts:
        for road_name, nodes in _named_lines(district, rows, cols, south, west, dlat, dlon, lat, lon):
            roads.append(Road(road_name, tuple(nodes), district.name))
            for x, y in pairwise(nodes):
                i = link(x, y)
                kmh[i], named[i] = _class(road_name), True

    closed = ~named & (rng.random(len(a)) < CLOSED_SHARE)
    a, b, kmh, named = a[~closed], b[~closed], kmh[~closed], named[~closed]
    one_way = ~named & (rng.random(len(a)) < ONE_WAY_SHARE)
    flip = rng.random(len(a)) < 0.5
    forward = np.where(flip, b, a), np.where(flip, a, b)
    src = np.concatenate([forward[0], forward[1][~one_way]])
    dst = np.concatenate([forward[1], forward[0][~one_way]])
    speeds = np.concatenate([kmh, kmh[~one_way]])
    areas = [{"name": d.name, "polygon": [list(p) for p in d.polygon]} for d in districts]
    meta = {"box": list(box), "spacing_m": spacing_m, "seed": seed, HOUSE_PAIR_M: HOUSE_PAIR, "areas": areas}
    network = build(name, lat, lon, src, dst, speeds, roads=roads, source=f"generated grid {spacing_m:g} m", meta=meta)
    return replace(network, places=tuple(_places(network, districts, random.Random(seed))))


def _named_lines(district, rows, cols, south, west, dlat, dlon, lat, lon):
    """Each named road of the district on a grid row (even ones, east-west) or column (odd ones, north-south),
    spread across the district, as the longest run of that line's nodes inside the district."""
    lons = [p[0] for p in district.polygon]
    lats = [p[1] for p in district.polygon]
    lat_rows = (int((min(lats) - south) / dlat), int((max(lats) - south) / dlat))
    lon_cols = (int((min(lons) - west) / dlon), int((max(lons) - west) / dlon))
    across = district.roads[0::2], district.roads[1::2]
    for horizontal, names in zip((True, False), across, strict=True):
        low, high = lat_rows if horizontal else lon_cols
        for k, road_name in enumerate(names):
            line = low + (high - low) * (k + 1) // (len(names) + 1)
            nodes = [line * cols + c for c in range(cols)] if horizontal else [r * cols + line for r in range(rows)]
            inside = {n for n in nodes if contains(district.polygon, lon[n], lat[n])}
            runs, run = [], []
            for n in nodes:
                if n in inside:
                    run.append(n)
                elif run:
                    runs.append(run)
                    run = []
            runs.append(run)
            best = max(runs, key=len)
            if len(best) >= 2:
                yield road_name, best


def _places(network: Network, districts: tuple[District, ...], rng: random.Random) -> list[Place]:
    """Estates, landmarks and 街道 offices a little off one of their district's named roads; districts at their
    middle."""
    places = []
    xy = network.xy
    for district in districts:
        roads = [r for r in network.roads if r.district == district.name]
        if not roads:
            continue
        for kind, names in (
            ("estate", district.estates),
            ("landmark", district.landmarks),
            ("street", district.streets),
        ):
            for place_name in names:
                road = rng.choice(roads)
                along = rng.uniform(0.15, 0.85) * network.length(road)
                plat, plon = network.point_along(road, along)
                # Beside the road, one block in: the estate gate is on the road, its middle is not.
                offset = rng.choice((-1, 1)) * rng.uniform(40, 120)
                nodes = list(road.nodes)
                horizontal = abs(xy[nodes[-1]][0] - xy[nodes[0]][0]) > abs(xy[nodes[-1]][1] - xy[nodes[0]][1])
                point = network.project(plat, plon) + (np.array([0, offset]) if horizontal else np.array([offset, 0]))
                plat, plon = network.unproject(point)
                places.append(Place(place_name, kind, round(plat, 6), round(plon, 6), district.name))
        mid_lon = sum(p[0] for p in district.polygon) / len(district.polygon)
        mid_lat = sum(p[1] for p in district.polygon) / len(district.polygon)
        places.append(Place(district.name, "district", round(mid_lat, 6), round(mid_lon, 6), district.name))
    return places


@lru_cache(maxsize=1)
def demo_network() -> Network:
    return street_grid()


# Where things are in the demo city (the simulator's truth: what a geocoder should find) -----------------------


def _road(name: str) -> Road:
    return max(demo_network().road_index[name], key=demo_network().length)


def address_point(road: str, number: int) -> tuple[float, float]:
    """House `number` on `road` under the city's regular numbering."""
    return demo_network().point_along(_road(road), house_metres(number, HOUSE_PAIR))


def crossing_point(first: str, second: str) -> tuple[float, float]:
    """The node two roads share (the one nearest their middles if they meet more than once)."""
    network = demo_network()
    shared = set(_road(first).nodes) & set(_road(second).nodes)
    if not shared:
        raise ValueError(f"{first} and {second} do not cross")
    node = min(shared)
    return float(network.lat[node]), float(network.lon[node])


def place_point(name: str) -> tuple[float, float]:
    place = next(p for p in demo_network().places if p.name == name)
    return place.lat, place.lon


def somewhere_on(road: str, rng: random.Random) -> tuple[float, float]:
    network = demo_network()
    piece = _road(road)
    return network.point_along(piece, rng.uniform(0, network.length(piece)))


def drive(start: tuple[float, float], end: tuple[float, float], every_s: float = 10.0) -> list:
    """A car's fixes on the fastest road route from start to end: (seconds from setting off, (lat, lon)) every
    `every_s` seconds of driving, the last one the arrival (at road speeds, off-road stretches at OFF_ROAD_MPS)."""
    network = demo_network()
    (a, b), (off_a, off_b) = network.nearest([start[0], end[0]], [start[1], end[1]])
    seconds, previous = dijkstra(network.graph, directed=True, indices=int(a), return_predecessors=True)
    if not np.isfinite(seconds[b]):
        return [(float(off_a / OFF_ROAD_MPS), end)]
    path = [int(b)]
    while path[-1] != a:
        path.append(int(previous[path[-1]]))
    path.reverse()
    lead = off_a / OFF_ROAD_MPS
    fixes, due = [], every_s
    for node in path:
        at = float(lead + seconds[node])
        if at >= due:
            fixes.append((at, (float(network.lat[node]), float(network.lon[node]))))
            due = at + every_s
    fixes.append((float(lead + seconds[b] + off_b / OFF_ROAD_MPS), end))
    return fixes
