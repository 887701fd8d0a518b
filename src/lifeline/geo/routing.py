"""Travel times on the road network (pure): how soon each unit reaches an incident, and what the units cover.

One search from the incident on the reversed graph gives the time from every node to the incident, so every unit is
timed at once (the baseline, one search per unit, is in bench/dispatch_bench.py). The search is bounded, by how far
the nearest units are in a straight line: a unit beyond the bound is ranked after the timed ones by straight-line
distance; if too few units are inside the bound it runs again twice as far (twice), and at last without one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifeline.geo.network import OFF_ROAD_MPS, Network

ENOUGH_UNITS = 3  # fewer timed units than this inside the bound: search twice as far, then the whole network
# The bound: the time to drive DETOUR times the straight line to the ENOUGH_UNITS-th nearest unit at a local
# street's speed, so the first search usually holds enough units and stops there; never under MIN_BOUND_S.
DETOUR = 1.5
LOCAL_MPS = 20 / 3.6
MIN_BOUND_S = 300.0
WIDENINGS = 3
WALK_MPS = 1.4  # a foot patrol walks the road a car would drive
SPEED_BY_KIND = {"foot": WALK_MPS}  # other kinds drive at the road's speed
COVER_MINUTES = (1, 3, 5)


@dataclass(frozen=True)
class Timed:
    index: int  # the unit's position in the list given
    seconds: float | None  # None: beyond the bound
    road_metres: float | None
    straight_metres: float


def _metres_along_tree(network: Network, predecessors: np.ndarray, reached: np.ndarray) -> np.ndarray:
    """Road metres from each reached node to the search's source along the shortest-time tree (pointer doubling
    over the reached nodes only: each round adds the stretch the node's ancestor has summed, depth d in log2 d)."""
    keys, metres = network.edge_lookup
    nodes = np.flatnonzero(reached)
    parent_node = predecessors[nodes].astype(np.int64)
    has = parent_node >= 0
    step = np.zeros(len(nodes))
    # A reversed-graph parent p of node j means the road runs j → p.
    where = np.searchsorted(keys, nodes[has] * network.nodes + parent_node[has])
    step[has] = metres[np.minimum(where, len(keys) - 1)]
    position = np.full(network.nodes, -1, dtype=np.int64)
    position[nodes] = np.arange(len(nodes))
    parent = np.where(has, position[np.maximum(parent_node, 0)], np.arange(len(nodes)))
    # Invariant: step[j] is the metres from j to parent[j]; it ends when every parent is the root.
    while (parent[parent] != parent).any():
        step = step + step[parent]
        parent = parent[parent]
    total = np.zeros(network.nodes)
    total[nodes] = step
    return total


def time_units(
    network: Network,
    lat: float,
    lon: float,
    unit_lat: np.ndarray,
    unit_lon: np.ndarray,
    kinds: list[str] | None = None,
    bound_s: float | None = None,
) -> list[Timed]:
    """Each unit's travel time to the point (seconds, by road), its road and straight-line metres."""
    unit_lat, unit_lon = np.asarray(unit_lat, dtype=np.float64), np.asarray(unit_lon, dtype=np.float64)
    if len(unit_lat) == 0:
        return []
    kinds = kinds or ["patrol_car"] * len(unit_lat)
    (target,), (target_off,) = network.nearest([lat], [lon])
    nodes, offsets = network.nearest(unit_lat, unit_lon)
    straight = np.hypot(*(network.project(unit_lat, unit_lon) - network.project(lat, lon)).T)
    if bound_s is None:
        nearest = np.partition(straight, min(ENOUGH_UNITS, len(straight)) - 1)[min(ENOUGH_UNITS, len(straight)) - 1]
        bound_s = max(MIN_BOUND_S, DETOUR * float(nearest) / LOCAL_MPS)
    limit = bound_s
    for widening in range(WIDENINGS + 1):
        if widening == WIDENINGS:
            limit = np.inf
        seconds, predecessors = dijkstra(
            network.reverse, directed=True, indices=int(target), limit=limit, return_predecessors=True
        )
        reached = np.isfinite(seconds)
        if reached[nodes].sum() >= min(ENOUGH_UNITS, len(nodes)):
            break
        limit *= 2
    road = _metres_along_tree(network, predecessors, reached)
    on_road = road[nodes] + offsets + target_off
    drive = seconds[nodes] + (offsets + target_off) / OFF_ROAD_MPS
    walk = np.array([SPEED_BY_KIND.get(kind, 0.0) for kind in kinds])
    eta = np.where(walk > 0, on_road / np.where(walk > 0, walk, 1.0), drive)
    return [
        Timed(i, float(eta[i]), float(on_road[i]), float(straight[i]))
        if reached[node]
        else Timed(i, None, None, float(straight[i]))
        for i, node in enumerate(nodes)
    ]


def coverage(network: Network, unit_lat, unit_lon, minutes=COVER_MINUTES) -> tuple[dict[int, float], np.ndarray]:
    """The share of road length an available unit reaches within each of `minutes`, and each node's best time
    (seconds from the nearest unit by road; inf beyond the largest minutes). A segment counts when a unit reaches
    its middle in time."""
    if len(unit_lat) == 0:
        return {m: 0.0 for m in minutes}, np.full(network.nodes, np.inf)
    nodes, _ = network.nearest(unit_lat, unit_lon)
    best = dijkstra(network.graph, directed=True, indices=np.unique(nodes), min_only=True, limit=max(minutes) * 60)
    middle = best[network.src] + network.seconds / 2
    total = float(network.metres.sum())
    shares = {m: float(network.metres[middle <= m * 60].sum()) / total for m in minutes}
    return shares, best


def inside(polygon, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Which points are inside a polygon of (lon, lat) vertices (ray casting, all points at once)."""
    result = np.zeros(len(lat), dtype=bool)
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        result ^= crosses & (lon < at)
    return result


def zone_share(network: Network, best: np.ndarray, polygon, minutes: float) -> float:
    """The share of a zone's road (segments starting inside it) a unit reaches within its minutes."""
    in_zone = inside(polygon, network.lat, network.lon)[network.src]
    total = float(network.metres[in_zone].sum())
    if total == 0:
        return 0.0
    middle = best[network.src] + network.seconds / 2
    return float(network.metres[in_zone & (middle <= minutes * 60)].sum()) / total


def gaps(network: Network, best: np.ndarray, limit_s: np.ndarray | float, cell_deg: float = 0.005) -> dict:
    """Squares of the map where most road is not reached in time (`limit_s`: seconds per node or one for all), as
    a GeoJSON FeatureCollection with the share missed in each."""
    middle = best[network.src] + network.seconds / 2
    limit = limit_s[network.src] if isinstance(limit_s, np.ndarray) else limit_s
    missed = middle > limit
    row = np.floor(network.lat[network.src] / cell_deg).astype(np.int64)
    col = np.floor(network.lon[network.src] / cell_deg).astype(np.int64)
    key = row * 1_000_000 + col
    cells, where = np.unique(key, return_inverse=True)
    total = np.bincount(where, weights=network.metres)
    lost = np.bincount(where, weights=network.metres * missed)
    features = []
    for k, cell in enumerate(cells):
        if total[k] > 0 and lost[k] / total[k] > 0.5:
            r, c = divmod(int(cell), 1_000_000)
            south, west = r * cell_deg, c * cell_deg
            ring = [
                [west, south],
                [west + cell_deg, south],
                [west + cell_deg, south + cell_deg],
                [west, south + cell_deg],
            ]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"missed": round(float(lost[k] / total[k]), 2)},
                    "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                }
            )
    return {"type": "FeatureCollection", "features": features}
