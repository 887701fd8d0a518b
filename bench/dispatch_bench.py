"""Dispatch on roads: one recommendation (every available unit timed by road and ranked) against the baseline of
one plain Dijkstra search per unit, and the coverage recompute after one unit changes status.

    python bench/dispatch_bench.py [--units 200] [--incidents 1000] [--baseline-incidents 20]

Two networks, made the way the demo city's is (demo.roads.street_grid: a bent street grid at 90 m, 8% of links
closed, 6% one way): the demo city itself (about 30,000 nodes), and a prefecture-sized box of about 200,000 nodes
(40 km across). On each: `units` units at random points, `incidents` random incidents; for each, the time of
`geo.routing.time_units` + `dispatch.ranking.rank` (what GET /incidents/{id}/units computes once the incident is
placed; the first 10 with their reasons, as the console shows). The baseline times each unit with its own full
Dijkstra search from the unit (scipy.sparse.csgraph, the same library, so the ratio is the method, not the code)
on the first `baseline-incidents` incidents, and checks both give the same travel times. Coverage:
`geo.routing.coverage` after one unit goes busy.

The last line is one JSON object for the large network.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifeline.demo.roads import street_grid
from lifeline.dispatch.ranking import Candidate, rank
from lifeline.geo import routing
from lifeline.geo.network import OFF_ROAD_MPS

DEMO_BOX = (23.06, 113.22, 23.18, 113.40)
PREFECTURE_BOX = (23.00, 113.00, 23.37, 113.40)


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _points(rng: random.Random, box, n: int) -> list[tuple[float, float]]:
    south, west, north, east = box
    return [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(n)]


def measure(name: str, box, units: int, incidents: int, baseline_incidents: int, seed: int = 1) -> dict:
    started = time.perf_counter()
    network = street_grid(box=box, districts=(), name=name)
    build_s = time.perf_counter() - started
    _ = network.graph, network.reverse, network.tree, network.edge_lookup  # built once, as a server does on load
    rng = random.Random(seed)
    unit_points = _points(rng, box, units)
    lat = np.array([p[0] for p in unit_points])
    lon = np.array([p[1] for p in unit_points])
    candidates = [Candidate(i, i % 10, "available", *p) for i, p in enumerate(unit_points)]
    places = _points(rng, box, incidents)

    ours = []
    answers = []
    for here in places:
        t0 = time.perf_counter()
        timed = routing.time_units(network, *here, lat, lon)
        times = {t.index: (t.seconds, t.road_metres) for t in timed if t.seconds is not None}
        ranked = rank(candidates, *here, covering=set(), times=times, limit=10)
        ours.append((time.perf_counter() - t0) * 1000)
        answers.append(times)
        assert ranked

    unit_nodes, unit_offsets = network.nearest(lat, lon)
    baseline = []
    for here, times in zip(places[:baseline_incidents], answers, strict=False):
        t0 = time.perf_counter()
        (target,), (target_off,) = network.nearest([here[0]], [here[1]])
        seconds = {}
        for i, node in enumerate(unit_nodes):
            reached = dijkstra(network.graph, directed=True, indices=int(node))[target]
            seconds[i] = reached + (unit_offsets[i] + target_off) / OFF_ROAD_MPS
        order = sorted(seconds, key=seconds.get)
        baseline.append((time.perf_counter() - t0) * 1000)
        assert order
        for i, (eta, _) in times.items():  # the same travel times, whichever way they were found
            assert abs(eta - seconds[i]) < 1e-3 * max(1.0, eta), (i, eta, seconds[i])

    t0 = time.perf_counter()
    routing.coverage(network, lat, lon)
    full_s = time.perf_counter() - t0
    recompute = []
    for k in range(5):
        keep = np.ones(units, dtype=bool)
        keep[k] = False  # one unit goes busy
        t0 = time.perf_counter()
        shares, _ = routing.coverage(network, lat[keep], lon[keep])
        recompute.append(time.perf_counter() - t0)
    figures = {
        "network": name,
        "nodes": network.nodes,
        "edges": network.edges,
        "units": units,
        "incidents": incidents,
        "build_s": round(build_s, 2),
        "p50_ms": round(_p(ours, 50), 3),
        "p99_ms": round(_p(ours, 99), 3),
        "baseline_incidents": len(baseline),
        "baseline_p50_ms": round(_p(baseline, 50), 1),
        "baseline_p99_ms": round(_p(baseline, 99), 1),
        "speedup": round(statistics.median(baseline) / statistics.median(ours), 1),
        "coverage_s": round(max(recompute), 3),
        "coverage_first_s": round(full_s, 3),
        "covered_1_3_5": [round(shares[m], 3) for m in routing.COVER_MINUTES],
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--baseline-incidents", type=int, default=20)
    args = parser.parse_args()
    rows = [
        measure("demo city", DEMO_BOX, args.units, args.incidents, args.baseline_incidents),
        measure("prefecture", PREFECTURE_BOX, args.units, args.incidents, args.baseline_incidents),
    ]
    print(f"{'network':12}{'nodes':>9}{'p50 ms':>9}{'p99 ms':>9}{'base p50':>10}{'base p99':>10}", end="")
    print(f"{'speedup':>9}{'cover s':>9}")
    for r in rows:
        print(
            f"{r['network']:12}{r['nodes']:9}{r['p50_ms']:9.2f}{r['p99_ms']:9.2f}{r['baseline_p50_ms']:10.1f}"
            f"{r['baseline_p99_ms']:10.1f}{r['speedup']:8.1f}×{r['coverage_s']:9.3f}"
        )
    large = rows[-1]
    keys = ("p50_ms", "p99_ms", "baseline_p99_ms", "speedup", "coverage_s", "nodes", "units")
    print(json.dumps({k: large[k] for k in keys}))


if __name__ == "__main__":
    main()
