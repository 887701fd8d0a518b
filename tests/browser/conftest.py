"""Browser tests: a seeded database, a real `lifeline serve` process, and Node scripts driving Debian's Chromium.

The scripts use playwright-core (tests/browser/package.json, installed by `make test` with `npm ci`), which
downloads no browser: it starts /usr/bin/chromium. When CI=true, a missing Chromium, Node.js or
node_modules fails the tests; elsewhere they skip and say what is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lifeline.auth.service import SYSTEM, add_org, add_user, create_token
from lifeline.demo import city
from lifeline.dispatch import service as dispatch
from lifeline.store import migrate
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.web.process import free_port, serve_command, start

HERE = Path(__file__).parent
ARTIFACTS = HERE.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-9"

# (code, name, kind, parent, extra fields): a 110 centre with two stations, a 12345 centre with a department.
ORGS = [
    ("CITY", "示范市", "city", None, {}),
    ("C110", "市公安局 110 指挥中心", "centre_110", "CITY", {}),
    ("PS1", "城关派出所", "police_station", "C110", {"jurisdiction": "城关街道 菜市场 人民路"}),
    ("PS2", "东城派出所", "police_station", "C110", {"jurisdiction": "东城街道"}),
    ("C12345", "市 12345 热线中心", "centre_12345", "CITY", {}),
    ("MARKET", "市场监管局", "department", "C12345", {"serves": "market_regulation"}),
    ("URBAN", "城管局", "department", "C12345", {"serves": "urban_management"}),
]
USERS = [
    ("call_taker", "call_taker", "C110"),
    ("dispatcher", "dispatcher", "C110"),
    ("supervisor", "supervisor", "C110"),
    ("hotline_operator", "hotline_operator", "C12345"),
    ("agency_handler", "agency_handler", "MARKET"),
    ("field_officer", "field_officer", "PS1"),
    ("urban_handler", "agency_handler", "URBAN"),  # where a returned order is re-routed
]
CREWS = {"PS1-01": ["field_officer"]}  # the officer whose phone shows PS1-01's orders
# The market the calls speak of, and the units: the station covering it first, another one nearer.
MARKET_AT = (23.1291, 113.2644)
UNITS = [
    ("PS1-01", "城关巡逻一组", "PS1", 23.1330, 113.2690),
    ("PS2-01", "东城巡逻一组", "PS2", 23.1295, 113.2646),
]


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)"
    if shutil.which("node") is None:
        return "node is missing (Node.js 20+)"
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        return "tests/browser/node_modules is missing (make test runs npm ci --prefix tests/browser)"
    return None


def need_browser() -> None:
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the browser tests cannot run: {reason}")
    pytest.skip(f"browser tests need Chromium, Node.js and playwright-core: {reason}")


def seed(url: str) -> dict[str, str]:
    """Organisations, one user per role (tokens by username) and the units; the schema first."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    tokens = {}
    with transaction(session_factory(engine)) as session:
        for code, name, kind, parent, fields in ORGS:
            add_org(session, SYSTEM, code, name, kind, parent, **fields)
        for username, role, org in USERS:
            add_user(session, SYSTEM, username, role, org, PASSWORD)
            tokens[username] = create_token(session, SYSTEM, username)
        for code, name, org, lat, lon in UNITS:
            unit = dispatch.add(session, SYSTEM, code, name, org, lat, lon)
            if code in CREWS:
                dispatch.set_crew(session, SYSTEM, unit.id, CREWS[code])
    engine.dispose()
    return tokens


@dataclass
class Server:
    url: str
    db: str
    tokens: dict[str, str]
    process: subprocess.Popen
    log: Path
    # A role's first user, and every user by name (for a role with two users).
    users: dict[str, str] = field(
        default_factory=lambda: {role: name for name, role, _ in reversed(USERS)} | {name: name for name, _, _ in USERS}
    )

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def serve(db: str, tokens: dict[str, str], log: Path) -> Server:
    """`lifeline serve --role both` on a free port, once /healthz answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The demo city's districts are the maps' layers (offline: no tile server).
    layers = city.write_layers(log.parent / "city.geojson")
    env = {**os.environ, "LIFELINE_PEERS": "", "LIFELINE_CITY_LAYERS": str(layers),
           "LIFELINE_OUTBOX_DIR": str(log.parent / "outbox")}  # fmt: skip
    with log.open("wb") as out:
        try:
            process = start(serve_command(db, port, "--role", "both"), url, env=env, output=out)
        except RuntimeError as exc:
            raise AssertionError(f"{exc}\n{log.read_text(errors='replace')[-3000:]}") from exc
    return Server(url, db, tokens, process, log)


def run_node(script: str, server: Server, timeout: float = 240, **extra: str) -> subprocess.CompletedProcess:
    """Run a Node script of this folder against the server; its output is printed (pytest shows it on failure)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LIFELINE_URL": server.url,
        "LIFELINE_PASSWORD": PASSWORD,
        "LIFELINE_USERS": json.dumps(server.users),
        "LIFELINE_ARTIFACTS": str(ARTIFACTS),
        "LIFELINE_CHROMIUM": CHROMIUM,
        "LIFELINE_TOKENS": json.dumps(server.tokens),
        **extra,
    }
    done = subprocess.run(
        ["node", str(HERE / script)], cwd=HERE, env=env, capture_output=True, text=True, timeout=timeout
    )
    print(done.stdout)
    print(done.stderr, file=sys.stderr)
    return done


@pytest.fixture
def browser():
    """Chromium, Node.js and playwright-core are here (skip, or fail when CI=true, before any server starts)."""
    need_browser()


@pytest.fixture
def server(tmp_path):
    db = f"sqlite:///{tmp_path}/browser.db"
    running = serve(db, seed(db), tmp_path / "server.log")
    yield running
    running.stop()
