"""A road network with travel times, and the named places on it (pure: arrays in, arrays out).

Nodes are points; edges are directed road segments with their length and travel time (a two-way street is two
edges). Named roads keep their nodes in order along the road, so a house number can be placed by interpolation.
Places are estates, landmarks, POIs, stations, districts and house-number points, each at a position.
A network is built from any source (the demo city's generator, an OpenStreetMap extract) with `build`, keeps only
its largest strongly connected part (a unit must be able to get out of where it is), and is stored as one .npz blob.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

FORMAT = 1
EARTH_M = 6_371_000.0
# Road classes and the speeds a patrol car keeps on them in town (km/h), turns and lights included.
SPEEDS_KMH = {"motorway": 70.0, "trunk": 50.0, "primary": 40.0, "secondary": 35.0, "tertiary": 30.0, "local": 20.0}
# A unit off the network drives to its nearest node at this speed (car parks, yards, estates).
OFF_ROAD_MPS = 5.0


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # estate | landmark | poi | station | district | street | address
    lat: float
    lon: float
    district: str = ""
    road: str = ""  # an address point's road
    number: int = 0  # an address point's house number


@dataclass(frozen=True)
class Road:
    name: str
    nodes: tuple[int, ...]  # in order along the road
    district: str = ""


@dataclass(frozen=True, eq=False)
class Network:
    name: str
    lat: np.ndarray
    lon: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    metres: np.ndarray
    seconds: np.ndarray
    roads: tuple[Road, ...] = ()
    places: tuple[Place, ...] = ()
    source: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return len(self.lat)

    @property
    def edges(self) -> int:
        return len(self.src)

    @cached_property
    def origin(self) -> tuple[float, float]:
        return float(self.lat.mean()), float(self.lon.mean())

    def project(self, lat, lon) -> np.ndarray:
        """Metres east and north of the network's centre (equirectangular: exact enough within a city)."""
        lat0, lon0 = self.origin
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        x = np.radians(lon - lon0) * EARTH_M * math.cos(math.radians(lat0))
        y = np.radians(lat - lat0) * EARTH_M
        return np.stack([x, y], axis=-1)

    def unproject(self, xy: np.ndarray) -> tuple[float, float]:
        lat0, lon0 = self.origin
        lat = lat0 + math.degrees(xy[1] / EARTH_M)
        lon = lon0 + math.degrees(xy[0] / (EARTH_M * math.cos(math.radians(lat0))))
        return lat, lon

    @cached_property
    def xy(self) -> np.ndarray:
        return self.project(self.lat, self.lon)

    @cached_property
    def tree(self) -> cKDTree:
        return cKDTree(self.xy)

    @cached_property
    def graph(self) -> csr_matrix:
        """Travel seconds from node to node (row → column)."""
        return _csr(self.src, self.dst, self.seconds, self.nodes)

    @cached_property
    def reverse(self) -> csr_matrix:
        """The same edges pointing back: a search from an incident on it finds the time from every node to it."""
        return _csr(self.dst, self.src, self.seconds, self.nodes)

    @cached_property
    def edge_lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """Edge keys (src × nodes + dst), sorted, and each edge's metres: the length of a road j → k by search."""
        keys = self.src.astype(np.int64) * self.nodes + self.dst
        order = np.argsort(keys, kind="stable")
        return keys[order], self.metres[order]

    def nearest(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """The nearest node of each point and the straight-line metres to it."""
        distance, node = self.tree.query(self.project(lat, lon))
        return np.asarray(node, dtype=np.int64), np.asarray(distance)

    @cached_property
    def road_index(self) -> dict[str, list[Road]]:
        index: dict[str, list[Road]] = {}
        for road in self.roads:
            index.setdefault(road.name, []).append(road)
        return index

    def along(self, road: Road) -> np.ndarray:
        """Metres from the road's first node to each of its nodes."""
        xy = self.xy[list(road.nodes)]
        steps = np.hypot(*np.diff(xy, axis=0).T) if len(xy) > 1 else np.zeros(0)
        return np.concatenate([[0.0], np.cumsum(steps)])

    def point_along(self, road: Road, metres: float) -> tuple[float, float]:
        """The point `metres` from the road's start (clamped to the road)."""
        distances = self.along(road)
        metres = min(max(metres, 0.0), float(distances[-1]))
        xy = self.xy[list(road.nodes)]
        i = int(np.searchsorted(distances, metres, side="right")) - 1
        i = min(i, len(xy) - 2) if len(xy) > 1 else 0
        if len(xy) == 1:
            return float(self.lat[road.nodes[0]]), float(self.lon[road.nodes[0]])
        span = distances[i + 1] - distances[i]
        t = 0.0 if span == 0 else (metres - distances[i]) / span
        return self.unproject(xy[i] + t * (xy[i + 1] - xy[i]))

    def length(self, road: Road) -> float:
        return float(self.along(road)[-1])

    # Storage -----------------------------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        header = {
            "format": FORMAT,
            "name": self.name,
            "source": self.source,
            "meta": self.meta,
            "roads": [[r.name, r.district] for r in self.roads],
            "places": [[p.name, p.kind, p.lat, p.lon, p.district, p.road, p.number] for p in self.places],
        }
        road_nodes = np.concatenate(
            [np.asarray(r.nodes, dtype=np.int32) for r in self.roads] or [np.zeros(0, np.int32)]
        )
        road_sizes = np.asarray([len(r.nodes) for r in self.roads], dtype=np.int32)
        np.savez_compressed(
            buffer,
            header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8),
            lat=self.lat,
            lon=self.lon,
            src=self.src,
            dst=self.dst,
            metres=self.metres,
            seconds=self.seconds,
            road_nodes=road_nodes,
            road_sizes=road_sizes,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Network:
        with np.load(io.BytesIO(data)) as z:
            header = json.loads(z["header"].tobytes().decode())
            if header.get("format") != FORMAT:
                raise ValueError(f"road network format {header.get('format')} is not {FORMAT}")
            bounds = np.concatenate([[0], np.cumsum(z["road_sizes"])])
            road_nodes = z["road_nodes"]
            roads = tuple(
                Road(name, tuple(int(n) for n in road_nodes[bounds[i] : bounds[i + 1]]), district)
                for i, (name, district) in enumerate(header["roads"])
            )
            return cls(
                name=header["name"],
                lat=z["lat"],
                lon=z["lon"],
                src=z["src"],
                dst=z["dst"],
                metres=z["metres"],
                seconds=z["seconds"],
                roads=roads,
                places=tuple(Place(*p) for p in header["places"]),
                source=header["source"],
                meta=header["meta"],
            )


def _csr(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int) -> csr_matrix:
    # Parallel edges keep the fastest; a zero-second edge is nudged up, since csgraph reads 0 as "no edge".
    order = np.lexsort((values, cols, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    data = np.maximum(values[first].astype(np.float64), 1e-3)
    return csr_matrix((data, (rows[first], cols[first])), shape=(n, n))


def segment_metres(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle metres between arrays of points (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_M * np.arcsin(np.sqrt(h))


def build(
    name: str,
    lat: np.ndarray,
    lon: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    kmh: np.ndarray,
    roads: list[Road] = (),
    places: list[Place] = (),
    source: str = "",
    meta: dict | None = None,
) -> Network:
    """A network from directed edges and their speeds, cut to its largest strongly connected part.

    Road node lists are renumbered and lose the nodes that were cut; a road left with no node is dropped.
    """
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    n = len(lat)
    if n == 0 or len(src) == 0:
        raise ValueError("a road network needs nodes and edges")
    _, label = connected_components(_csr(src, dst, np.ones(len(src)), n), directed=True, connection="strong")
    keep = label == np.bincount(label).argmax()
    renumber = np.full(n, -1, dtype=np.int64)
    renumber[keep] = np.arange(int(keep.sum()))
    edge_kept = keep[src] & keep[dst]
    src, dst, kmh = renumber[src[edge_kept]], renumber[dst[edge_kept]], np.asarray(kmh, dtype=np.float64)[edge_kept]
    lat, lon = lat[keep], lon[keep]
    metres = segment_metres(lat[src], lon[src], lat[dst], lon[dst])
    kept_roads = []
    for road in roads:
        nodes = tuple(int(renumber[i]) for i in road.nodes if renumber[i] >= 0)
        if nodes:
            kept_roads.append(Road(road.name, nodes, road.district))
    return Network(
        name=name,
        lat=lat,
        lon=lon,
        src=src.astype(np.int32),
        dst=dst.astype(np.int32),
        metres=metres.astype(np.float32),
        seconds=(metres / (kmh / 3.6)).astype(np.float32),
        roads=tuple(kept_roads),
        places=tuple(places),
        source=source,
        meta=dict(meta or {}),
    )
