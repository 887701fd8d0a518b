"""Losing the database's machine under load: a PostgreSQL primary and a synchronous standby managed by Patroni with
etcd (docs/HA.md), lifeline serving on both hosts' address list. The primary's Patroni and PostgreSQL are killed
(SIGKILL, as a machine lost) while call-takers send reports; every report the desk acknowledged is on the new
primary, the audit chain holds, and the desk takes reports again within a measured time."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from tests.conftest import _seed

from lifeline.incidents.models import Incident
from lifeline.store import events
from lifeline.store.engine import make_engine, session_factory
from lifeline.web.process import free_port, serve_command, start

PATRONI, ETCD = shutil.which("patroni"), shutil.which("etcd")
PGBIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
PASSWORD = "failover-secret-0123"
TAKEOVER_LIMIT = 90  # seconds: the leader key's TTL (20 s) and a few Patroni loops, with room for a busy machine

if not (PATRONI and ETCD and PGBIN):
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but patroni, etcd or PostgreSQL is missing (.ci/run installs them)", pytrace=False)
    pytest.skip("patroni, etcd-server and postgresql are needed for the failover test", allow_module_level=True)


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


def _node(tmp: Path, name: str, pg_port: int, api_port: int, etcd_port: int) -> Path:
    """One Patroni node's configuration, as docs/HA.md has it (ports and folders of this test)."""
    config = {
        "scope": "lifeline",
        "name": name,
        "restapi": {"listen": f"127.0.0.1:{api_port}", "connect_address": f"127.0.0.1:{api_port}"},
        "etcd3": {"hosts": f"127.0.0.1:{etcd_port}"},
        "bootstrap": {
            "dcs": {
                "ttl": 20,
                "loop_wait": 2,
                "retry_timeout": 5,
                "maximum_lag_on_failover": 0,
                "synchronous_mode": True,
                "postgresql": {
                    "use_pg_rewind": False,
                    "parameters": {"synchronous_commit": "on", "max_connections": 200},
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C"}],
            "pg_hba": [
                "local all all trust",
                "host replication replicator 127.0.0.1/32 md5",
                "host all all 127.0.0.1/32 md5",
            ],
        },
        "postgresql": {
            "listen": f"127.0.0.1:{pg_port}",
            "connect_address": f"127.0.0.1:{pg_port}",
            "data_dir": str(tmp / name / "data"),
            "bin_dir": str(PGBIN),
            "pgpass": str(tmp / name / "pgpass"),
            "authentication": {
                "superuser": {"username": "postgres", "password": PASSWORD},
                "replication": {"username": "replicator", "password": PASSWORD},
            },
            "parameters": {"unix_socket_directories": str(tmp / name)},
        },
    }
    (tmp / name).mkdir(mode=0o700)
    path = tmp / f"{name}.yml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.etcd_port, etcd_peer = free_port(), free_port()
        self.pg_ports = {"pg1": free_port(), "pg2": free_port()}
        self.api_ports = {"pg1": free_port(), "pg2": free_port()}
        self.processes: dict[str, subprocess.Popen] = {}
        self.lost: set[str] = set()
        self.logs = {}
        etcd_url, peer_url = f"http://127.0.0.1:{self.etcd_port}", f"http://127.0.0.1:{etcd_peer}"
        self._run("etcd", [ETCD, "--name", "etcd1", "--data-dir", str(tmp / "etcd"), "--listen-client-urls", etcd_url,
                           "--advertise-client-urls", etcd_url, "--listen-peer-urls", peer_url,
                           "--initial-advertise-peer-urls", peer_url, "--initial-cluster", f"etcd1={peer_url}"],
                  as_postgres=False)  # fmt: skip
        if os.getuid() == 0:
            shutil.chown(tmp, "postgres")
        for name in ("pg1", "pg2"):
            path = _node(tmp, name, self.pg_ports[name], self.api_ports[name], self.etcd_port)
            if os.getuid() == 0:
                for item in (path, tmp / name):
                    shutil.chown(item, "postgres")
            self._run(name, [PATRONI, str(path)])
            if name == "pg1":
                self.wait_for(lambda: self.role("pg1") == "primary", 60, "pg1 did not become the primary")

    def _run(self, name: str, command: list[str], as_postgres: bool = True) -> None:
        log = (self.tmp / f"{name}.log").open("wb")
        self.logs[name] = self.tmp / f"{name}.log"
        prefix = _as_postgres() if as_postgres else []
        self.processes[name] = subprocess.Popen(prefix + command, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)  # fmt: skip

    def role(self, name: str) -> str | None:
        """primary or replica (Patroni before 4 says master for primary)."""
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.api_ports[name]}/patroni", timeout=2)
            role = answer.json().get("role")
        except (httpx.HTTPError, ValueError):
            return None
        return "primary" if role == "master" else role

    def synchronous(self) -> bool:
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.api_ports['pg1']}/cluster", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return False
        return any(m.get("role") == "sync_standby" and m.get("state") in ("running", "streaming")
                   for m in answer.get("members", []))  # fmt: skip

    def wait_for(self, check, timeout: float, why: str) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            ended = [n for n, p in self.processes.items() if p.poll() is not None and n not in self.lost]
            if ended or time.monotonic() > deadline:
                raise AssertionError(f"{why} (ended: {ended})\n{self.tail()}")
            time.sleep(0.5)

    def url(self, database: str) -> str:
        hosts = "&".join(f"host=127.0.0.1:{p}" for p in self.pg_ports.values())
        return f"postgresql://postgres:{PASSWORD}@/{database}?{hosts}&target_session_attrs=read-write"

    def lose(self, name: str) -> None:
        """The machine is gone: its Patroni and its PostgreSQL killed without a word."""
        pid_file = self.tmp / name / "data" / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        self.lost.add(name)
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        if postmaster:
            with contextlib.suppress(ProcessLookupError):
                os.kill(postmaster, signal.SIGKILL)

    def tail(self) -> str:
        return "\n".join(f"--- {n}\n{p.read_text(errors='replace')[-2000:]}" for n, p in self.logs.items())

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM if name != "etcd" else signal.SIGKILL)
        for name in ("pg1", "pg2"):
            pid_file = self.tmp / name / "data" / "postmaster.pid"
            if pid_file.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


class Load:
    """Call-takers sending reports as fast as the desk answers; each acknowledged incident id is kept."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.acknowledged: list[tuple[float, int]] = []
        self.failures: Counter[str] = Counter()  # what the desk answered instead, by status
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=10) as api:
            while not self.stop.is_set():
                n += 1
                try:
                    answer = api.post("/api/v1/reports", json={"text": f"人民路{n}号门口两个人打架，有人受伤了"})
                except httpx.HTTPError as exc:
                    self.failures[type(exc).__name__] += 1
                    continue
                if answer.status_code == 201:
                    self.acknowledged.append((time.monotonic(), answer.json()["incident"]["id"]))
                else:
                    self.failures[str(answer.status_code)] += 1
                    time.sleep(0.1)
                time.sleep(0.02)

    def after(self, moment: float) -> list[int]:
        return [i for at, i in self.acknowledged if at > moment]


def test_every_acknowledged_report_survives_losing_the_primary(tmp_path):
    # Patroni runs as the postgres user, who cannot enter pytest's folders: the cluster lives in one of its own.
    home = Path(tempfile.mkdtemp(prefix="lifeline-ha-"))
    cluster = Cluster(home)
    server = load = None
    try:
        cluster.wait_for(lambda: cluster.role("pg2") in ("replica", "standby"), 90, "pg2 did not join")
        cluster.wait_for(cluster.synchronous, 90, "no synchronous standby")
        admin = create_engine(cluster.url("postgres").replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")  # fmt: skip
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE lifeline"))
        admin.dispose()
        url = cluster.url("lifeline")
        tokens = _seed(url)
        port = free_port()
        env = {**os.environ, "LIFELINE_PEERS": "", "LIFELINE_OUTBOX_DIR": str(tmp_path / "outbox")}
        log = (tmp_path / "lifeline.log").open("wb")
        server = start(serve_command(url, port, "--role", "both"), f"http://127.0.0.1:{port}", env=env, output=log)
        load = Load(f"http://127.0.0.1:{port}", tokens["call_taker"])
        load.thread.start()
        cluster.wait_for(lambda: len(load.acknowledged) >= 50, 60, "the desk did not take reports before the loss")

        cluster.lose("pg1")
        lost_at = time.monotonic()
        cluster.wait_for(lambda: len(load.after(lost_at)) >= 20, TAKEOVER_LIMIT, "the desk did not come back")
        back = min(at for at, _ in load.acknowledged if at > lost_at) - lost_at
        load.stop.set()
        load.thread.join(timeout=15)
        assert cluster.role("pg2") == "primary"

        engine = make_engine(url)
        with session_factory(engine)() as session:
            stored = set(session.scalars(select(Incident.id)))
            chain = events.verify(session)
        engine.dispose()
        acknowledged = {i for _, i in load.acknowledged}
        missing = acknowledged - stored
        assert not missing, f"{len(missing)} acknowledged reports lost: {sorted(missing)[:20]}"
        assert chain.ok, chain.reason
        # While there was no primary the desk said so (503, retry), never a bare 500.
        assert set(load.failures) <= {"503"}, load.failures
        after = len(load.after(lost_at))
        print(json.dumps({"acknowledged": len(acknowledged), "before_loss": len(acknowledged) - after,
                          "refused_during_failover": dict(load.failures), "back_after_s": round(back, 1)}))  # fmt: skip
    finally:
        if load is not None:
            load.stop.set()
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)
