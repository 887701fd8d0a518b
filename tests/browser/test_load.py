"""The consoles under a busy hour: 500 open incidents waiting for units, 200 units, 100 open work orders.

Every console page and partial renders in under a second (server time with httpx; the whole page in Chromium,
tests/browser/load.mjs), and the live stream keeps up with 20 events a second.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select
from tests.browser.conftest import MARKET_AT, PASSWORD, run_node, seed, serve

from lifeline.auth.service import SYSTEM, add_org, principal_of, user_by_name
from lifeline.desk import flows
from lifeline.dispatch import service as dispatch
from lifeline.incidents import service as incidents
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.store.events import Event
from lifeline.triage import triage

OPEN_INCIDENTS, UNITS, ORDERS = 500, 200, 100
# The target is 1 s per page on the demo machine. On a shared CI machine a timed assertion at
# the target would flake, so the suite asserts three times it (a pathological regression fails) and
# prints the figures; `LIFELINE_LOAD_BUDGET=1.0 pytest tests/browser/test_load.py -s` checks the target.
BUDGET = float(os.environ.get("LIFELINE_LOAD_BUDGET", "3.0"))  # seconds, for a page or a partial
RATE, SECONDS = 20, 5  # events generated for the stream test
POLICE = [
    "{}有人持刀抢劫，抢了一个包往东跑了",
    "{}两伙人打架，有人拿着棍子",
    "{}有个男的一直跟着一个女孩，女孩在喊救命",
]
DIVERT = ["{}的超市卖过期食品，要求退款不给退", "{}的饭店卖的肉是臭的，商家不肯退钱"]
STREETS = ["人民路", "解放路", "中山路", "东风路", "建设路", "和平街", "文化路", "胜利街", "城关街道", "东城街道"]
PAGES = [  # (user, path, what must be in the answer)
    ("call_taker", "/console/calls", 'data-key="F2"'),
    ("dispatcher", "/console/dispatch", 'id="pending"'),
    ("dispatcher", "/console/dispatch/pending", "data-incident"),
    ("dispatcher", "/console/dispatch/units", "unit-counts"),
    ("dispatcher", "/console/dispatch/follow", "waiting-table"),
    ("dispatcher", "/console/search?q=人民路", "search"),
    ("dispatcher", "/console/map.json", "units"),
    ("hotline_operator", "/console/orders/inbox", "data-order"),
]


def busy_hour(url: str) -> dict[str, str]:
    """The seeded desk plus 20 more stations, 200 units, 500 confirmed police calls and 100 open work orders."""
    tokens = seed(url)
    rng = random.Random(110)
    engine = make_engine(url)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        for n in range(20):
            add_org(session, SYSTEM, f"PS{n + 10}", f"第{n + 10}派出所", "police_station", "C110",
                    jurisdiction=f"{STREETS[n % len(STREETS)]}{n}号片区")  # fmt: skip
        have = len(dispatch.visible(session, SYSTEM))
        for n in range(UNITS - have):
            lat, lon = MARKET_AT[0] + rng.uniform(-0.05, 0.05), MARKET_AT[1] + rng.uniform(-0.05, 0.05)
            dispatch.add(session, SYSTEM, f"U{n:03d}", f"巡逻{n:03d}组", f"PS{10 + n % 20}", lat, lon)
    for batch in range(0, OPEN_INCIDENTS + ORDERS, 50):
        with transaction(sessions) as session:
            actor = principal_of(user_by_name(session, "call_taker"), "test")
            for n in range(batch, min(batch + 50, OPEN_INCIDENTS + ORDERS)):
                kinds = POLICE if n < OPEN_INCIDENTS else DIVERT
                template = kinds[n % len(kinds)]
                place = f"{STREETS[n % len(STREETS)]}{n}号"
                lat, lon = MARKET_AT[0] + rng.uniform(-0.08, 0.08), MARKET_AT[1] + rng.uniform(-0.08, 0.08)
                data = incidents.ReportIn(text=template.format(place), location_text=place, lat=lat, lon=lon)
                # The call-taker's key: police waits for dispatch, a diverted call becomes a local work order.
                flows.take_call(session, actor, flows.Desk(), data, incidents.Decision(), triage(data.text))
    engine.dispose()
    return tokens


def logged_in(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30, follow_redirects=True)
    answer = client.post("/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text  # redirected to the user's console
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', answer.text).group(1)
    client.headers["X-CSRF-Token"] = csrf
    return client


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("busy")
    db = f"sqlite:///{folder}/busy.db"
    started = time.perf_counter()
    tokens = busy_hour(db)
    print(f"seeded {OPEN_INCIDENTS} incidents, {ORDERS} orders, {UNITS} units in {time.perf_counter() - started:.1f} s")
    running = serve(db, tokens, folder / "server.log")
    yield running
    running.stop()


def test_every_console_page_and_partial_renders_within_a_second_under_load(busy):
    clients = {user: logged_in(busy.url, user) for user, _, _ in PAGES}
    pending = clients["dispatcher"].get("/console/dispatch/pending").text
    assert pending.count("data-incident=") == OPEN_INCIDENTS
    assert clients["dispatcher"].get("/console/dispatch/units").text.count("data-unit=") == UNITS
    assert clients["hotline_operator"].get("/console/orders/inbox").text.count("data-order=") == ORDERS
    slow = []
    for user, path, marker in PAGES:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            answer = clients[user].get(path)
            times.append(time.perf_counter() - started)
            assert answer.status_code == 200 and marker in answer.text, (path, answer.status_code)
        print(f"{path:<28} {len(answer.content):>8} bytes  median {statistics.median(times) * 1000:6.1f} ms"
              f"  max {max(times) * 1000:6.1f} ms")  # fmt: skip
        if max(times) >= BUDGET:
            slow.append(f"{path} took {max(times):.2f} s")
    assert not slow, slow


def test_console_pages_load_within_a_second_in_chromium_under_load(browser, busy):
    done = run_node(
        "load.mjs",
        busy,
        LIFELINE_EXPECT=f"{OPEN_INCIDENTS},{UNITS},{ORDERS}",
        LIFELINE_BUDGET_MS=str(int(BUDGET * 1000)),
    )
    assert done.returncode == 0, f"load.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{busy.tail()}"


class Listener(threading.Thread):
    """Reads /console/stream and notes when each signal came and the event seq it carried."""

    def __init__(self, client: httpx.Client):
        super().__init__(daemon=True)
        self.client, self.signals, self.ready = client, [], threading.Event()
        self.response = None

    def run(self) -> None:
        with self.client.stream("GET", "/console/stream", timeout=httpx.Timeout(5, read=None)) as response:
            self.response = response
            self.ready.set()
            name = None
            try:
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: ") and name:
                        self.signals.append((time.monotonic(), name, int(line[6:])))
            except httpx.HTTPError:
                pass  # closed by the test when it has seen enough

    def seen(self) -> int:
        return max((seq for _, _, seq in self.signals), default=0)


def test_the_live_stream_keeps_up_with_twenty_events_a_second(busy):
    listener = Listener(logged_in(busy.url, "dispatcher"))
    listener.start()
    assert listener.ready.wait(10)
    time.sleep(0.5)  # the stream starts from the newest event when it opens
    api = httpx.Client(
        base_url=f"{busy.url}/api/v1", headers={"Authorization": f"Bearer {busy.tokens['call_taker']}"}, timeout=10
    )
    engine = make_engine(busy.db)
    with engine.connect() as connection:
        first = connection.scalar(select(func.max(Event.seq)))

    def report(n: int) -> float:
        time.sleep(max(0.0, start + n / RATE - time.monotonic()))
        began = time.monotonic()
        answer = api.post("/reports", json={"text": f"和平街{n}号门口有人打架", "location_text": f"和平街{n}号"})
        assert answer.status_code == 201, answer.text
        return time.monotonic() - began

    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        latencies = list(pool.map(report, range(RATE * SECONDS)))
    ended = time.monotonic()
    with engine.connect() as connection:
        final = connection.scalar(select(func.max(Event.seq)))
    engine.dispose()
    deadline = ended + 3
    while listener.seen() < final and time.monotonic() < deadline:
        time.sleep(0.01)
    caught_up = time.monotonic() - ended
    listener.response.close()

    during = [t for t, _, _ in listener.signals if start <= t <= ended]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    events = final - first
    print(f"{len(latencies)} reports in {ended - start:.2f} s ({len(latencies) / (ended - start):.1f}/s, "
          f"{events} events, {events / (ended - start):.1f} events/s); POST p50 "
          f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")  # fmt: skip
    print(f"stream: {len(listener.signals)} signals, longest silence while busy {max(gaps, default=0) * 1000:.0f} ms, "
          f"final seq {final} seen {caught_up * 1000:.0f} ms after the last report")  # fmt: skip
    assert ended - start < SECONDS + 1.5, "the generator itself fell behind 20 reports a second"
    assert listener.seen() >= final, f"the stream stopped at seq {listener.seen()}, the log is at {final}"
    assert caught_up < BUDGET, f"the stream reached the last event {caught_up:.2f} s after it was written"
    assert max(gaps, default=1) < BUDGET, "the stream went quiet while events were written"
