"""2,000 orders across a hostile network: the receiver killed at random, deliveries duplicated and
replayed out of order, forged copies, and a sender whose clock is five minutes ahead. Afterwards
every order exists exactly once on both sides, in the same state, and every forgery was refused
(counted in the receiver's memory, never written to its audit chain)."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from sqlalchemy import func, select
from tests.peering.conftest import KEY, free_port, launch, seed, until

from lifeline.auth.service import SYSTEM, user_by_name
from lifeline.auth.service import principal_of as as_user
from lifeline.desk import flows
from lifeline.diversion import service as diversion
from lifeline.diversion.models import WorkOrder
from lifeline.incidents import service as incidents
from lifeline.peering import peers
from lifeline.peering.peers import sign
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.store.events import Event

ORDERS = int(os.environ.get("LIFELINE_FAULT_ORDERS", 2000))
KILLS = 5
TEXTS = [
    "超市卖过期食品，要求退款不给退，第{n}次投诉",
    "小区门口烧烤摊占道经营，油烟很大，编号{n}",
    "楼上漏水泡了我家天花板，物业不管，第{n}户",
    "我车被堵在地库出不去了，车牌粤A{n:05d}",
]


class Chaos:
    """A proxy in front of the 12345 receiver that misbehaves the way networks and attackers do."""

    def __init__(self, target: str, seed_value: int = 7):
        self.target, self.rng = target, random.Random(seed_value)
        self.stash: list[tuple[bytes, dict]] = []
        self.counts = {
            "forwarded": 0, "duplicated": 0, "replayed": 0, "forged": 0, "forged_refused": 0, "forged_unreached": 0,
        }  # fmt: skip
        self.lock = threading.Lock()
        self.http = httpx.Client(timeout=10)
        chaos = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status, answer = chaos.handle(self.path, body, dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _post(self, path: str, body: bytes, headers: dict, *, ahead: int = 300, forge: bool = False):
        # The sender's clock runs five minutes ahead: re-sign with that timestamp, as such a peer would.
        stamp = (datetime.now(UTC) + timedelta(seconds=ahead)).isoformat()
        signature = "f" * 64 if forge else sign(KEY, stamp, body)
        sent = {
            "Content-Type": "application/json",
            "X-Lifeline-Peer": headers["X-Lifeline-Peer"],
            "X-Lifeline-Key-Id": headers["X-Lifeline-Key-Id"],
            "X-Lifeline-Timestamp": stamp,
            "X-Lifeline-Signature": signature,
        }
        try:
            answer = self.http.post(self.target + path, content=body, headers=sent)
            return answer.status_code, answer.content
        except httpx.HTTPError:
            return 502, b'{"detail": "receiver down"}'

    def handle(self, path: str, body: bytes, headers: dict):
        with self.lock:
            roll = self.rng.random()
            replay = self.stash.pop(0) if self.stash and self.rng.random() < 0.2 else None
            if roll < 0.05:
                self.stash.append((body, headers))
        if roll < 0.08:
            status, _ = self._post(path, body, headers, forge=True)
            with self.lock:
                self.counts["forged"] += 1
                self.counts["forged_refused"] += status == 401
                self.counts["forged_unreached"] += status == 502  # the receiver was down at that moment
        if replay is not None:  # an old message arrives again, after newer ones
            self._post(path, *replay)
            with self.lock:
                self.counts["replayed"] += 1
        status, answer = self._post(path, body, headers)
        if roll > 0.9:  # the same delivery twice
            self._post(path, body, headers)
            with self.lock:
                self.counts["duplicated"] += 1
        with self.lock:
            self.counts["forwarded"] += 1
        return status, answer

    def close(self):
        self.server.shutdown()
        self.http.close()


def _make_orders(url: str, n: int, desk: flows.Desk) -> None:
    """Create `n` diverted incidents with a work order each to the 12345 peer, straight through the services and
    the desk's explicit hand-over (a decision through the API would transfer the call instead)."""
    factory = session_factory(make_engine(url))
    with transaction(factory) as session:
        actor = as_user(user_by_name(session, "call_taker"), "token")
    for start in range(0, n, 100):
        with transaction(factory) as session:
            for k in range(start, min(n, start + 100)):
                text = TEXTS[k % len(TEXTS)].format(n=k)
                got = incidents.intake(session, actor, incidents.ReportIn(text=text, caller_number=f"139{k:08d}"))
                decision = incidents.Decision(category="dispute_consumer", disposition="divert", reason="压力测试")
                incidents.confirm(session, actor, got.incident.id, decision)
                flows.raise_order(session, SYSTEM, desk, got.incident.id, diversion.OrderIn())


def _states(url: str) -> dict[str, str]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = dict(session.execute(select(WorkOrder.uid, WorkOrder.state)).all())
        duplicates = session.scalar(select(func.count()).select_from(WorkOrder)) - len(rows)
    engine.dispose()
    assert duplicates == 0
    return rows


def test_orders_survive_kills_duplicates_reordering_forgery_and_clock_skew(tmp_path):
    db110, db12345 = f"sqlite:///{tmp_path}/110.db", f"sqlite:///{tmp_path}/12345.db"
    t110, t12345 = seed(db110, "110"), seed(db12345, "12345")
    p110, p12345 = free_port(), free_port()
    chaos = Chaos(f"http://127.0.0.1:{p12345}")
    # The 110 desk talks to 12345 through the chaos proxy, in small batches so that the proxy has many requests to
    # spoil; 12345 answers 110 directly.
    via = int(chaos.url.rsplit(":", 1)[1])
    desk = launch(tmp_path, "110", "gz-110", p110, "gz-12345", via, "12345", t110, db110, batch=5)
    hotline = launch(tmp_path, "12345", "gz-12345", p12345, "gz-110", p110, "110", t12345, db12345)
    stop = threading.Event()
    kills = []

    def killer():
        rng = random.Random(3)
        while len(kills) < KILLS and not stop.wait(rng.uniform(4, 10)):
            hotline.kill()
            kills.append(time.monotonic())
            time.sleep(rng.uniform(0.2, 1.0))
            hotline.start()

    try:
        chaos_thread = threading.Thread(target=killer, daemon=True)
        chaos_thread.start()
        _make_orders(db110, ORDERS, flows.Desk("110", peers.load(str(tmp_path / "peers-gz-110.yaml"))))
        arrived = until(lambda: len(_states(db12345)) == ORDERS, timeout=300, every=1)
        assert arrived, f"{len(_states(db12345))} of {ORDERS} orders arrived; chaos {chaos.counts}"
        chaos_thread.join()  # every planned kill happens, even when the orders arrived before them
        if hotline.process.poll() is not None:
            hotline.start()

        def settled():
            a, b = _states(db110), _states(db12345)
            return len(a) == len(b) == ORDERS and a == b and all(s == "received" for s in a.values())

        assert until(settled, timeout=120, every=1), "the two sides did not converge"
    finally:
        stop.set()
        for side in (desk, hotline):
            if side.process.poll() is None:
                side.stop()
        chaos.close()

    assert len(kills) >= 3, "the receiver was not killed often enough to mean anything"
    assert chaos.counts["duplicated"] > 10 and chaos.counts["replayed"] > 10, chaos.counts
    # Every forgery that reached the receiver was refused; none was accepted, whatever the receiver's state.
    forged, refused, unreached = (chaos.counts[k] for k in ("forged", "forged_refused", "forged_unreached"))
    assert forged > 10 and refused + unreached == forged and refused > 10, chaos.counts
    engine = make_engine(db12345)
    with session_factory(engine)() as session:
        written = session.scalar(select(func.count()).where(Event.kind.like("exchange.%")))
    engine.dispose()
    assert written == 0, "a forger wrote to the audit chain"
    print(json.dumps({**chaos.counts, "kills": len(kills), "orders": ORDERS}))
