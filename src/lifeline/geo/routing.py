"""Travel times on the road network (pure): how soon each unit reaches an incident, and what the units cover.

One search from the incident on the reversed graph gives the time from every node to the incident, so every unit is
timed at once (the baseline, one search per unit, is in bench/dispatch_bench.py). The search is bounded: a unit
beyond the bound is ranked after the timed ones by straight-line distance, and if too few units are inside the
bound it runs again without one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifeline.geo.network import OFF_ROAD_MPS, Network

BOUND_S = 20 * 60.0  # the search stops at 20 minutes: no one sends a unit from further when nearer ones exist
ENOUGH_UNITS = 3  # fewer timed units than this inside the bound: search the whole network
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
    bound_s: float = BOUND_S,
) -> list[Timed]:
    """Each unit's travel time to the point (seconds, by road), its road and straight-line metres."""
    unit_lat, unit_lon = np.asarray(unit_lat, dtype=np.float64), np.asarray(unit_lon, dtype=np.float64)
    if len(unit_lat) == 0:
        return []
    kinds = kinds or ["patrol_car"] * len(unit_lat)
    (target,), (target_off,) = network.nearest([lat], [lon])
    nodes, offsets = network.nearest(unit_lat, unit_lon)
    limit = bound_s
    while True:
        seconds, predecessors = dijkstra(
            network.reverse, directed=True, indices=int(target), limit=limit, return_predecessors=True
        )
        reached = np.isfinite(seconds)
        if reached[nodes].sum() >= min(ENOUGH_UNITS, len(nodes)) or limit == np.inf:
            break
        limit = np.inf
    road = _metres_along_tree(network, predecessors, reached)
    here = network.project(lat, lon)
    straight = np.hypot(*(network.project(unit_lat, unit_lon) - here).T)
    timed = []
    for i, (node, off) in enumerate(zip(nodes, offsets, strict=True)):
        if not reached[node]:
            timed.append(Timed(i, None, None, float(straight[i])))
            continue
        metres = float(road[node] + off + target_off)
        walk = SPEED_BY_KIND.get(kinds[i])
        drive = (off + target_off) / OFF_ROAD_MPS + float(seconds[node])
        timed.append(Timed(i, metres / walk if walk else drive, metres, float(straight[i])))
    return timed


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
