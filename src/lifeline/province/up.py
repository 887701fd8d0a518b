"""`lifeline province up`: a province on one machine, each city a 110 and a 12345 deployment, and the hub.

Every deployment has its own database (SQLite files in the province's folder, or databases on one PostgreSQL
server) and its own peers file; the links are signed with keys made at the first start and kept in
`province.json`, so a second start finds the same province. A supervisor starts every process and starts again one
that died, as systemd would (a city that is down is simply late: the hub and its neighbours hold its messages).
"""

from __future__ import annotations

import json
import logging
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline.province.areas import JIANGXI, City

log = logging.getLogger("lifeline.province")
HUB = "hub"
HUB_USER = "shengting"  # the province's duty officer at the hub
RESTART_SECONDS = 1.0


@dataclass(frozen=True)
class Deployment:
    name: str  # the peer name: hub, nanchang-110, nanchang-12345
    role: str  # hub | 110 | 12345
    port: int
    database: str
    peers_file: Path
    city: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_ports(count: int) -> int:
    """A first port with `count` free ports after it (on loopback), for a province of passing runs."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count < 65000 and all(_free(base + k) for k in range(count)):
            return base
    raise RuntimeError("没有连续的空闲端口 / no run of free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cities(count: int) -> list[City]:
    if not 1 <= count <= len(JIANGXI.cities):
        raise ValueError(f"城市数应为 1 到 {len(JIANGXI.cities)} / --cities must be 1 to {len(JIANGXI.cities)}")
    return list(JIANGXI.cities.values())[:count]


def plan(count: int, folder: Path, port: int, postgres: str | None = None) -> list[Deployment]:
    """The hub first, then each city's 110 and 12345, on consecutive ports from `port`."""

    def database(name: str) -> str:
        if postgres is None:
            return f"sqlite:///{folder / (name + '.db')}"
        return make_url(postgres).set(database=f"lifeline_{name.replace('-', '_')}").render_as_string(False)

    found = [Deployment(HUB, "hub", port, database(HUB), folder / "peers-hub.yaml")]
    for k, city in enumerate(cities(count)):
        for offset, (name, role) in enumerate(((city.desk, "110"), (city.hotline, "12345"))):
            found.append(Deployment(name, role, port + 1 + 2 * k + offset, database(name),
                                    folder / f"peers-{name}.yaml", city.code))  # fmt: skip
    return found


def links(deployments: list[Deployment]) -> list[tuple[str, str]]:
    """Who talks to whom: each city's 110 with its 12345, and each city's 110 with the hub."""
    pairs = []
    for d in deployments:
        if d.role == "110":
            pairs += [(d.name, f"{d.city}-12345"), (d.name, HUB)]
    return pairs


def write_files(folder: Path, deployments: list[Deployment]) -> dict:
    """province.json (the keys, kept across starts) and every deployment's peers file."""
    folder.mkdir(parents=True, exist_ok=True)
    state_path = folder / "province.json"
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {"keys": {}}
    by_name = {d.name: d for d in deployments}
    peers: dict[str, dict] = {d.name: {} for d in deployments}
    for a, b in links(deployments):
        key = state["keys"].setdefault(f"{a}|{b}", secrets.token_hex(24))
        for me, other in ((a, b), (b, a)):
            peers[me][other] = {"url": by_name[other].url, "role": by_name[other].role, "send_key": "k1",
                                "keys": {"k1": key}}  # fmt: skip
    for d in deployments:
        d.peers_file.write_text(json.dumps({"name": d.name, "peers": peers[d.name]}, ensure_ascii=False, indent=1),
                                encoding="utf-8")  # fmt: skip
    state["deployments"] = [{"name": d.name, "role": d.role, "city": d.city, "url": d.url} for d in deployments]
    state_path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    return state


def prepare_databases(deployments: list[Deployment]) -> None:
    """Each city's database made and seeded with the demo desk (its people and units); the hub's with its duty
    officer."""
    from lifeline.demo import city as demo

    for d in deployments:
        url = make_url(d.database)
        if url.get_backend_name() == "postgresql":
            admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}):
                    connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            admin.dispose()
        if d.role == "hub":
            _seed_hub(d.database)
        else:
            demo.seed(d.database)


def _seed_hub(url: str) -> None:
    """The hub's database: the province's command centre and its duty officer (the demo's password)."""
    from lifeline.auth.models import User
    from lifeline.auth.service import SYSTEM, add_org, add_user
    from lifeline.demo.city import PASSWORD
    from lifeline.store import migrate
    from lifeline.store.engine import make_engine, session_factory, transaction

    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        if session.query(User).filter_by(username=HUB_USER).first() is None:
            add_org(session, SYSTEM, "PROVINCE", f"{JIANGXI.name}公安厅指挥中心", "centre_110", None)
            add_user(session, SYSTEM, HUB_USER, "supervisor", "PROVINCE", PASSWORD, display_name="省厅值班长",
                     check_policy=False)  # fmt: skip
    engine.dispose()


class Supervisor:
    """Starts every deployment and starts again any that ends, until `stop()`."""

    def __init__(self, deployments: list[Deployment], folder: Path):
        self.deployments, self.folder = deployments, folder
        self.processes: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {d.name: 0 for d in deployments}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="lifeline-province", daemon=True)

    def command(self, d: Deployment) -> list[str]:
        return [sys.executable, "-m", "lifeline.cli", "serve", "--db", d.database, "--port", str(d.port),
                "--role", d.role, "--peers", str(d.peers_file)]  # fmt: skip

    def _start(self, d: Deployment) -> None:
        out = (self.folder / f"{d.name}.log").open("ab")
        self.processes[d.name] = subprocess.Popen(self.command(d), stdout=out, stderr=subprocess.STDOUT)

    def start(self) -> None:
        for d in self.deployments:
            self._start(d)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(RESTART_SECONDS):
            for d in self.deployments:
                process = self.processes.get(d.name)
                if process is not None and process.poll() is not None and not self._stop.is_set():
                    log.warning("%s ended (%s); starting it again", d.name, process.returncode)
                    self.restarts[d.name] += 1
                    self._start(d)

    def ready(self, timeout: float = 120) -> bool:
        import httpx

        deadline = time.monotonic() + timeout
        waiting = {d.name: d for d in self.deployments}
        while waiting and time.monotonic() < deadline:
            for name, d in list(waiting.items()):
                try:
                    if httpx.get(f"{d.url}/healthz", timeout=1).status_code == 200:
                        del waiting[name]
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        return not waiting

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
