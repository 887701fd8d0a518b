"""Work orders between two lifeline processes: end-to-end rate and latency, against raw HTTP round trips.

    python bench/exchange_bench.py [--orders 1000] [--probes 50]

A 110 process and a 12345 process, each with its own SQLite database, linked by a peers file.
1. Throughput: `orders` diverted incidents with a work order each are written to the 110 database
   before the servers start; then both start and the relay drains the backlog. Orders/s is the
   number received at 12345 over the time from the first arrival to the last.
2. Latency: with the servers idle, `probes` orders are raised one at a time; p50/p99 from an order's
   creation at 110 to its arrival at 12345 (both read from the two databases).
3. In the same run, raw signed HTTP round trips (POST /exchange/v1/ping) from one client to the same
   12345 process: the relay delivers one message at a time, so this is its ceiling. The relay's
   rate is printed as a fraction of it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from lifeline.auth.service import SYSTEM, add_org, add_user, principal_of, user_by_name
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


def prepare(url: str, orgs: list[tuple], user: tuple | None) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        for code, kind, parent, serves in orgs:
            add_org(session, SYSTEM, code, code, kind, parent, serves=serves)
        if user:
            add_user(session, SYSTEM, *user, "correct-horse-staple-9")
    engine.dispose()


def serve(tmp: Path, role: str, db: str, port: int, peers: str) -> subprocess.Popen:
    path = tmp / f"peers-{role}.yaml"
    path.write_text(peers, encoding="utf-8")
    return start(serve_command(db, port, "--role", role, "--peers", str(path)), f"http://127.0.0.1:{port}")


def create_orders(url: str, n: int, batch: int = 200, pause: float = 0.0) -> None:
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
                diversion.create(session, SYSTEM, got.incident.id, diversion.OrderIn(), "hotline")
        time.sleep(pause)
    engine.dispose()


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
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db110, db12345 = f"sqlite:///{tmp}/110.db", f"sqlite:///{tmp}/12345.db"
        prepare(db110, [("C110", "centre_110", None, None)], ("desk", "call_taker", "C110"))
        prepare(
            db12345,
            [("C12345", "centre_12345", None, None), ("MARKET", "department", "C12345", "market_regulation")],
            None,
        )
        p110, p12345 = free_port(), free_port()
        create_orders(db110, args.orders)  # the backlog, before the servers start
        servers = [
            serve(tmp, "110", db110, p110, peers_yaml("desk", "hotline", p12345, "12345")),
            serve(tmp, "12345", db12345, p12345, peers_yaml("hotline", "desk", p110, "110")),
        ]
        try:
            wait_for(db12345, args.orders)
            drained = read_times(db12345, WorkOrder.received_at)
            before = set(read_times(db110, WorkOrder.sent_at))
            create_orders(db110, args.probes, batch=1, pause=0.05)
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
    print(f"backlog: {len(drained)} of {args.orders} orders drained to 12345 in {span:.1f} s")
    print(f"relay  {rate:7.1f} orders/s end to end (signed, acknowledged, applied and committed at 12345)")
    print(
        f"latency create→received over {len(latencies)} single orders: p50 {statistics.median(latencies) * 1000:.0f} ms"
        f"  p99 {latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000:.0f} ms"
    )
    print(f"raw    {raw:7.1f} signed HTTP round trips/s (one client, same 12345 process, same run)")
    print(f"relay / raw = {rate / raw:.3f}")


if __name__ == "__main__":
    main()
