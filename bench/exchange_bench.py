"""Work orders between two lifeline processes: end-to-end rate and latency, against raw HTTP round trips.

    python bench/exchange_bench.py [--orders 3000] [--probes 100]

A 110 process and a 12345 process, each with its own SQLite database, linked by a peers file.
1. Throughput: `orders` diverted incidents with a work order each are written to the 110 database
   before the servers start; then both start and the relay drains the backlog in batches. Orders/s is
   the number received at 12345 over the time from the first arrival to the last.
2. Latency: with the servers idle, `probes` orders are raised one at a time the way a call-taker raises
   them (POST /reports, then confirm via an order, on the 110 API); p50/p99 from an order's creation at
   110 to its arrival at 12345 (both read from the two databases).
3. In the same run, raw signed HTTP round trips (POST /exchange/v1/ping) from one client to the same
   12345 process: the ceiling of a relay that sends one message a round trip. The drain rate is
   printed as a multiple of it. The last line is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from lifeline.auth.service import SYSTEM, add_org, add_user, create_token, principal_of, user_by_name
from lifeline.desk import flows
from lifeline.diversion import service as diversion
from lifeline.diversion.models import WorkOrder
from lifeline.incidents import service as incidents
from lifeline.peering.peers import parse
from lifeline.peering.relay import signed_headers
from lifeline.store import migrate
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.web.process import free_port, serve_command, start

KEY = "bench-key-0123456789abcdef"


def peers_yaml(me: str, other: str, port: int, role: str) -> str:
    return (
        f"name: {me}\npeers:\n  {other}:\n    url: http://127.0.0.1:{port}\n    role: '{role}'\n"
        f"    send_key: k1\n    keys: {{k1: '{KEY}'}}\n"
    )


def prepare(url: str, orgs: list[tuple], user: tuple | None) -> str | None:
    """The schema and organisations; with `user`, that user and a token of theirs (returned)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    token = None
    with transaction(session_factory(engine)) as session:
        for code, kind, parent, serves in orgs:
            add_org(session, SYSTEM, code, code, kind, parent, serves=serves)
        if user:
            add_user(session, SYSTEM, *user, "correct-horse-staple-9")
            token = create_token(session, SYSTEM, user[0])
    engine.dispose()
    return token


def serve(tmp: Path, role: str, db: str, port: int, peers: str) -> subprocess.Popen:
    path = tmp / f"peers-{role}.yaml"
    path.write_text(peers, encoding="utf-8")
    return start(serve_command(db, port, "--role", role, "--peers", str(path)), f"http://127.0.0.1:{port}")


def create_orders(url: str, n: int, peers: str, batch: int = 200) -> None:
    """`n` diverted incidents, each with a work order to the 12345 peer, written straight to the database."""
    desk = flows.Desk("110", parse(peers))
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        actor = principal_of(user_by_name(session, "desk"), "token")
    for first in range(0, n, batch):
        with transaction(factory) as session:
            for k in range(first, min(n, first + batch)):
                got = incidents.intake(session, actor, incidents.ReportIn(text=f"超市卖过期食品，要求退款，第{k}单"))
                decision = incidents.Decision(category="dispute_consumer", disposition="divert", reason="bench")
                incidents.confirm(session, actor, got.incident.id, decision)
                flows.raise_order(session, SYSTEM, desk, got.incident.id, diversion.OrderIn())
    engine.dispose()


def raise_probes(port: int, token: str, n: int) -> None:
    """Orders raised one at a time through the 110 API, as a call-taker's console raises them."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {token}"}) as api:
        for k in range(n):
            report = api.post("/reports", json={"text": f"超市卖过期食品，要求退款不给退，第{k}次"})
            report.raise_for_status()
            incident = report.json()["incident"]["id"]
            api.post(f"/incidents/{incident}/confirm", json={"via": "order"}).raise_for_status()
            time.sleep(0.05)


def wait_for(url: str, count: int) -> None:
    deadline = time.monotonic() + 600
    while len(read_times(url, WorkOrder.received_at)) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def read_times(url: str, column) -> dict[str, float]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = {uid: at.timestamp() for uid, at in session.execute(select(WorkOrder.uid, column)) if at}
    engine.dispose()
    return rows


def raw_round_trips(port: int, seconds: float) -> float:
    peer = parse(peers_yaml("desk", "hotline", port, "12345")).peers["hotline"]
    done, stop_at = 0, time.perf_counter() + seconds
    with httpx.Client(timeout=10) as http:
        start = time.perf_counter()
        while time.perf_counter() < stop_at:
            http.post(
                f"http://127.0.0.1:{port}/exchange/v1/ping", content=b"{}", headers=signed_headers("desk", peer, b"{}")
            ).raise_for_status()
            done += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--probes", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db110, db12345 = f"sqlite:///{tmp}/110.db", f"sqlite:///{tmp}/12345.db"
        token = prepare(db110, [("C110", "centre_110", None, None)], ("desk", "call_taker", "C110"))
        prepare(
            db12345,
            [("C12345", "centre_12345", None, None), ("MARKET", "department", "C12345", "market_regulation")],
            None,
        )
        p110, p12345 = free_port(), free_port()
        create_orders(db110, args.orders, peers_yaml("desk", "hotline", p12345, "12345"))  # before the servers start
        servers = [
            serve(tmp, "110", db110, p110, peers_yaml("desk", "hotline", p12345, "12345")),
            serve(tmp, "12345", db12345, p12345, peers_yaml("hotline", "desk", p110, "110")),
        ]
        try:
            wait_for(db12345, args.orders)
            drained = read_times(db12345, WorkOrder.received_at)
            before = set(read_times(db110, WorkOrder.sent_at))
            raise_probes(p110, token, args.probes)
            wait_for(db12345, args.orders + args.probes)
            sent = {uid: at for uid, at in read_times(db110, WorkOrder.sent_at).items() if uid not in before}
            received = read_times(db12345, WorkOrder.received_at)
            raw = raw_round_trips(p12345, 5)
        finally:
            for server in servers:
                server.terminate()
                server.wait()
    latencies = sorted(received[uid] - at for uid, at in sent.items() if uid in received)
    span = max(drained.values()) - min(drained.values())
    rate = len(drained) / span
    p50, p99 = statistics.median(latencies) * 1000, latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
    print(f"backlog: {len(drained)} of {args.orders} orders drained to 12345 in {span:.1f} s")
    print(f"relay  {rate:7.1f} orders/s end to end (signed, acknowledged, applied and committed at 12345)")
    print(f"latency create→received over {len(latencies)} single orders: p50 {p50:.0f} ms  p99 {p99:.0f} ms")
    print(f"raw    {raw:7.1f} signed HTTP round trips/s (one client, same 12345 process, same run)")
    print(f"relay / raw = {rate / raw:.2f}")
    figures = {"drain_per_s": round(rate, 1), "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
               "raw_per_s": round(raw, 1), "drain_over_raw": round(rate / raw, 2), "orders": len(drained),
               "probes": len(latencies)}  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
