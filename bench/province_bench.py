"""A province under load and under fire: `lifeline province up` with every city taking calls, processes killed,
a city cut off, then every acknowledged report and referral counted.

    python bench/province_bench.py [--cities 11] [--rate 25] [--seconds 300] [--refer 0.1]

11 cities (each a 110 and a 12345 process with its own SQLite database) and the hub, started and supervised as
`lifeline province up` does. Call-takers in every city send `rate` reports a second across the province (10× the
average rate of Guangzhou's 6.63 million calls in 11 months, 2.3/s), each at a random city; a `refer` share of
them is about a place in another city and is referred through the hub. During the run:
- three processes are killed with SIGKILL (a city's 110, the hub, a city's 12345) at 20%, 45% and 70% of the run;
  the supervisor starts each again;
- one city's 110 is cut off from the hub for 60 s from 30% of the run: its links to and from the hub run through
  a proxy (bench/netcut.py) that drops their traffic, while the city goes on taking its own calls; what either
  side sends meanwhile waits in its outbox until the link is mended.
A report counts as acknowledged when its POST answered 201; a request that timed out or was refused is not
acknowledged (the caller would be answered again) and is counted apart. Afterwards:
- lost: acknowledged reports missing from their city's database, and acknowledged referrals that never reached
  the city of their place (each must be 0);
- duplicated: a report or a referral stored more than once (must be 0);
- the hub's figures of the day equal the sum of the cities' (calls, each city asked directly).
Intake latency is the POST /reports round trip; cross-city latency is from the refer call's answer at the first
city to the incident's triage at the second (the same machine's clock). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from netcut import Link
from sqlalchemy import select

from lifeline.auth.service import SYSTEM, create_token
from lifeline.incidents.models import Incident, Report
from lifeline.province import up
from lifeline.province.areas import JIANGXI
from lifeline.store.engine import make_engine, session_factory, transaction

TEXTS = ["{place}有人持刀抢劫，抢了一个包", "{place}两个人打架，有人头破了", "{place}超市卖过期食品，要求退款",
         "{place}楼上装修噪音很大，晚上还在砸墙", "{place}我的车被别人的车堵住了", "{place}家里老人走丢了"]  # fmt: skip


def token(db: str, user: str) -> str:
    engine = make_engine(db)
    with transaction(session_factory(engine)) as session:
        made = create_token(session, SYSTEM, user)
    engine.dispose()
    return made


class Load:
    def __init__(self, deployments: dict, cities: list[str], rate: float, refer: float, seed: int = 110):
        self.deployments, self.cities, self.rate, self.refer = deployments, cities, rate, refer
        self.rng = random.Random(seed)
        self.tokens = {c: token(deployments[f"{c}-110"].database, "jiejing") for c in cities}
        self.acknowledged: list[tuple[str, str]] = []  # (city, marker)
        self.referred: list[tuple[str, str, float]] = []  # (to city, marker, when the refer was acknowledged)
        self.latencies: list[float] = []
        self.refused = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def one(self, n: int) -> None:
        city = self.rng.choice(self.cities)
        other = self.rng.choice([c for c in self.cities if c != city]) if len(self.cities) > 1 else city
        cross = other != city and self.rng.random() < self.refer
        place_city = JIANGXI.cities[other if cross else city]
        marker = f"#P{n:07d}"
        text = self.rng.choice(TEXTS).format(place=f"{place_city.name}市{place_city.districts[0]}") + marker
        api = f"{self.deployments[f'{city}-110'].url}/api/v1"
        headers = {"Authorization": f"Bearer {self.tokens[city]}"}
        started = time.perf_counter()
        try:
            answer = httpx.post(f"{api}/reports", json={"text": text}, headers=headers, timeout=10)
        except httpx.HTTPError:
            answer = None
        if answer is None or answer.status_code != 201:
            with self.lock:
                self.refused += 1
            return
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
            self.acknowledged.append((city, marker))
        if not cross:
            return
        incident = answer.json()["incident"]["id"]
        try:
            referred = httpx.post(f"{api}/incidents/{incident}/refer", json={"reason": "地点在外市", "city": other},
                                  headers=headers, timeout=10)  # fmt: skip
        except httpx.HTTPError:
            return
        if referred.status_code == 200:
            with self.lock:
                self.referred.append((other, marker, time.time()))

    def run(self, seconds: float) -> None:
        with ThreadPoolExecutor(32) as pool:
            start, n = time.perf_counter(), 0
            while time.perf_counter() - start < seconds and not self.stop.is_set():
                n += 1
                pool.submit(self.one, n)
                time.sleep(max(0.0, start + n / self.rate - time.perf_counter()))


def count_markers(db: str, markers: set[str], referred: bool) -> tuple[dict[str, int], dict[str, float]]:
    """How many times each marker is stored in `db` (as a report, or as a referral from the hub), and when the
    referred ones were triaged there."""
    engine = make_engine(db)
    found, when = {}, {}
    with session_factory(engine)() as session:
        query = select(Report.text, Incident.triaged_at).join(Incident, Incident.id == Report.incident_id)
        query = query.where(Report.external_ref.like("hub:%") if referred else Report.external_ref.is_(None))
        for text, triaged in session.execute(query):
            marker = text[text.rfind("#P") :][:9] if "#P" in text else None
            if marker in markers:
                found[marker] = found.get(marker, 0) + 1
                if triaged is not None:
                    when[marker] = triaged.timestamp()
    engine.dispose()
    return found, when


def calls_today(deployment) -> int:
    """The city's own figure, as its figures page has it (GET /api/v1/kpis, the duty officer)."""
    headers = {"Authorization": f"Bearer {token(deployment.database, 'zhiban')}"}
    answer = httpx.get(f"{deployment.url}/api/v1/kpis", params={"period": "day"}, headers=headers, timeout=30)
    return next(f["value"] for f in answer.json()["figures"] if f["key"] == "calls")


def cut_off_through_proxies(folder: Path, city, hub) -> list[Link]:
    """The city's links with the hub, both ways, through proxies that can drop their traffic (the peers files that
    `up.write_files` made are pointed at them)."""
    links = []
    for me, other in ((hub, city), (city, hub)):
        link = Link(other.port)
        peers = json.loads(me.peers_file.read_text(encoding="utf-8"))
        peers["peers"][other.name]["url"] = link.url
        me.peers_file.write_text(json.dumps(peers, ensure_ascii=False, indent=1), encoding="utf-8")
        links.append(link)
    return links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=11)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--refer", type=float, default=0.1)
    parser.add_argument("--cutoff", type=float, default=60.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lifeline-province-"))
    deployments = up.plan(args.cities, folder, up.free_ports(1 + 2 * args.cities))
    by_name = {d.name: d for d in deployments}
    cities = [d.city for d in deployments if d.role == "110"]
    up.write_files(folder, deployments)
    cut = f"{cities[-1]}-110"
    links = cut_off_through_proxies(folder, by_name[cut], by_name["hub"])
    t0 = time.perf_counter()
    up.prepare_databases(deployments)
    supervisor = up.Supervisor(deployments, folder)
    supervisor.start()
    print(f"province of {args.cities} cities: {len(deployments)} processes, databases made in "
          f"{time.perf_counter() - t0:.0f} s, in {folder}")  # fmt: skip
    try:
        if not supervisor.ready(300):
            raise SystemExit("the province did not start")
        load = Load(by_name, cities, args.rate, args.refer)
        victims = [f"{cities[1 % len(cities)]}-110", "hub", f"{cities[2 % len(cities)]}-12345"]
        events = []

        def chaos() -> None:
            plan = [(0.20, "kill", victims[0]), (0.30, "cut", cut), (0.45, "kill", victims[1]),
                    (0.70, "kill", victims[2])]  # fmt: skip
            begin = time.perf_counter()
            for at, what, name in plan:
                if load.stop.wait(max(0.0, begin + at * args.seconds - time.perf_counter())):
                    return
                if what == "kill":
                    os.kill(supervisor.processes[name].pid, signal.SIGKILL)
                    events.append(f"{time.perf_counter() - begin:5.0f} s  killed {name}")
                else:
                    for link in links:
                        link.cut()
                        threading.Timer(args.cutoff, link.mend).start()
                    events.append(
                        f"{time.perf_counter() - begin:5.0f} s  cut {name} off the hub for {args.cutoff:.0f} s"
                    )

        chaos_thread = threading.Thread(target=chaos, daemon=True)
        chaos_thread.start()
        load.run(args.seconds)
        load.stop.set()
        print("\n".join(events))
        print(f"load done: {len(load.acknowledged)} acknowledged, {load.refused} not, {len(load.referred)} referred;"
              f" restarts {json.dumps({k: v for k, v in supervisor.restarts.items() if v})}")  # fmt: skip
        time.sleep(args.cutoff + 5)  # the cut-off city is back, and what was held for it delivered
        expected: dict[str, set[str]] = {c: set() for c in cities}
        for city, marker in load.acknowledged:
            expected[city].add(marker)
        lost = duplicated = 0
        for city in cities:
            found, _ = count_markers(by_name[f"{city}-110"].database, expected[city], referred=False)
            lost += len(expected[city] - set(found))
            if expected[city] - set(found):
                print(f"reports lost at {city}: {sorted(expected[city] - set(found))[:10]}")
            duplicated += sum(n - 1 for n in found.values())
        deadline, cross = time.monotonic() + 120, []
        while True:
            missing, cross, dup = 0, [], 0
            for city in cities:
                wanted = {m: at for c, m, at in load.referred if c == city}
                found, when = count_markers(by_name[f"{city}-110"].database, set(wanted), referred=True)
                missing += len(set(wanted) - set(found))
                if time.monotonic() > deadline and set(wanted) - set(found):
                    print(f"referrals to {city} missing: {sorted(set(wanted) - set(found))[:10]}")
                dup += sum(n - 1 for n in found.values())
                cross += [when[m] - wanted[m] for m in found if m in when]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(2)
        lost, duplicated = lost + missing, duplicated + dup
        hub = by_name["hub"]
        headers = {"Authorization": f"Bearer {token(hub.database, up.HUB_USER)}"}
        for _ in range(3):  # a city still busy with the load's tail may not answer the first time
            rolled = httpx.get(f"{hub.url}/api/v1/province/figures", params={"period": "day"}, timeout=120,
                               headers=headers).json()  # fmt: skip
            if rolled["complete"]:
                break
        hub_calls = rolled["province"]["calls"]["value"]
        own_calls = sum(calls_today(by_name[f"{c}-110"]) for c in cities)
    finally:
        supervisor.stop()
        for link in links:
            link.close()
    print(f"the cut dropped {sum(link.dropped for link in links)} connections between {cut} and the hub")
    latencies = sorted(load.latencies)
    p50, p99 = statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.99) - 1] * 1000
    cross = sorted(cross)
    cross_p99 = cross[max(0, int(len(cross) * 0.99) - 1)] * 1000 if cross else None
    print(f"intake p50 {p50:.0f} ms, p99 {p99:.0f} ms over {len(latencies)} reports; cross-city p99 "
          f"{cross_p99 if cross_p99 is None else round(cross_p99)} ms over {len(cross)} referrals")  # fmt: skip
    print(f"lost {lost}, duplicated {duplicated}; calls at the hub {hub_calls}, sum of the cities {own_calls}"
          f" ({'equal' if hub_calls == own_calls else 'DIFFERENT'}; complete: {rolled['complete']})")  # fmt: skip
    print(json.dumps({"cities": args.cities, "reports": len(load.acknowledged), "not_acknowledged": load.refused,
                      "referrals": len(load.referred), "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
                      "cross_city_p99_ms": cross_p99 and round(cross_p99, 1), "lost": lost, "duplicated": duplicated,
                      "hub_calls": hub_calls, "cities_calls": own_calls, "seconds": args.seconds}))  # fmt: skip


if __name__ == "__main__":
    main()
