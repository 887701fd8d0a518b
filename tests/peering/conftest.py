"""Two real lifeline processes on loopback, a 110 desk and a 12345 desk, each with its own database."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.conftest import Api

from lifeline.auth.service import SYSTEM, add_org, add_user, create_token
from lifeline.peering.models import PeerInbox
from lifeline.peering.peers import Peers, parse
from lifeline.peering.relay import signed_headers
from lifeline.settings import Settings
from lifeline.store import migrate
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.web.app import create_app
from lifeline.web.process import free_port, serve_command, start

KEY = "k1-0123456789abcdef0123456789"

SIDES = {
    "110": {
        "orgs": [
            ("C110", "市公安局 110 指挥中心", "centre_110", None, None),
            ("PS1", "城关派出所", "police_station", "C110", None),
        ],
        "users": [
            ("call_taker", "call_taker", "C110"),
            ("dispatcher", "dispatcher", "C110"),
            ("supervisor", "supervisor", "C110"),
        ],
    },
    "12345": {
        "orgs": [
            ("C12345", "市 12345 热线中心", "centre_12345", None, None),
            ("MARKET", "市场监管局", "department", "C12345", "market_regulation"),
            ("URBAN", "城管局", "department", "C12345", "urban_management"),
            ("POWER", "供电公司", "utility", "C12345", "power"),
        ],
        "users": [
            ("hotline_operator", "hotline_operator", "C12345"),
            ("agency_handler", "agency_handler", "MARKET"),
            ("urban_handler", "agency_handler", "URBAN"),
            ("hotline_supervisor", "supervisor", "C12345"),
        ],
    },
}  # fmt: skip


def seed(url: str, side: str) -> dict[str, str]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    tokens = {}
    with transaction(session_factory(engine)) as session:
        for code, name, kind, parent, serves in SIDES[side]["orgs"]:
            add_org(session, SYSTEM, code, name, kind, parent, serves=serves)
        for username, role, org in SIDES[side]["users"]:
            add_user(session, SYSTEM, username, role, org, "correct-horse-9")
            tokens[username] = create_token(session, SYSTEM, username)
    engine.dispose()
    return tokens


def peers_file(path, me: str, other: str, url: str, role: str, key: str = KEY, batch: int = 200) -> str:
    peer = f"  {other}:\n    url: {url}\n    role: '{role}'\n    send_key: k1\n    keys: {{k1: '{key}'}}\n"
    peer += f"    batch: {batch}\n"
    path.write_text(f"name: {me}\npeers:\n{peer}", encoding="utf-8")
    return str(path)


@dataclass
class Side:
    name: str
    url: str
    db: str
    tokens: dict[str, str]
    process: subprocess.Popen
    args: list[str]

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1", headers={"Authorization": f"Bearer {self.tokens[user]}"}, timeout=10
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def start(self) -> None:
        self.process = _launch(self.args, self.url)


def _launch(args: list[str], url: str) -> subprocess.Popen:
    return start(args, url)


def launch(
    tmp_path, role: str, me: str, port: int, peer_name: str, peer_port: int, peer_role: str, tokens, db, batch=200
):
    url = f"http://127.0.0.1:{peer_port}"
    peers = peers_file(tmp_path / f"peers-{me}.yaml", me, peer_name, url, peer_role, batch=batch)
    args = serve_command(db, port, "--role", role, "--peers", peers)
    url = f"http://127.0.0.1:{port}"
    return Side(me, url, db, tokens, _launch(args, url), args)


@pytest.fixture
def bridge(tmp_path):
    db110, db12345 = f"sqlite:///{tmp_path}/110.db", f"sqlite:///{tmp_path}/12345.db"
    t110, t12345 = seed(db110, "110"), seed(db12345, "12345")
    p110, p12345 = free_port(), free_port()
    desk = launch(tmp_path, "110", "gz-110", p110, "gz-12345", p12345, "12345", t110, db110)
    hotline = launch(tmp_path, "12345", "gz-12345", p12345, "gz-110", p110, "110", t12345, db12345)
    yield desk, hotline
    for side in (desk, hotline):
        if side.process.poll() is None:
            side.stop()


def until(check, timeout: float = 10.0, every: float = 0.05):
    """The first truthy answer of `check` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


# One deployment and the peers that talk to it, in-process: signed messages go straight to its receiver. --------

GAS_KEY, HOTLINE_KEY, NEIGHBOUR_KEY, DESK_KEY, HUB_KEY = (
    f"{name}-0123456789abcdef" for name in ("gas", "hotline", "nb", "desk", "hub")
)
PEERS_OF = {
    # At a 110 deployment: the 12345 centre, the gas company (a linkage utility), a neighbouring 110 centre and the
    # province's hub.
    "110": {
        "gz-12345": ("12345", [], HOTLINE_KEY),
        "gas": ("linkage", ["gas"], GAS_KEY),
        "nb-110": ("110", [], NEIGHBOUR_KEY),
        "hub": ("hub", [], HUB_KEY),  # the province's hub
    },
    # At a 12345 deployment: the 110 centre and the gas company.
    "12345": {"gz-110": ("110", [], DESK_KEY), "gas": ("linkage", ["gas"], GAS_KEY)},
}


class Exchange(Api):
    """The `api` client, plus signed messages from each configured peer, numbered in order per peer."""

    def __init__(self, client, tokens, peers):
        super().__init__(client, tokens)
        self.peers = peers
        self.seq: dict[str, int] = {}

    def send(self, peer: str, kind: str, body, *, seq: int | None = None, prev: int | None = None):
        last = self.seq.get(peer, 0)
        seq = last + 1 if seq is None else seq
        message = {"message_id": f"{peer}:{seq}", "from": peer, "seq": seq, "prev": last if prev is None else prev,
                   "kind": kind, "body": body}  # fmt: skip
        answer = self.signed(peer, json.dumps(message, ensure_ascii=False).encode())
        if answer.status_code < 500 and answer.status_code != 409:
            self.seq[peer] = max(last, seq)
        return answer

    def signed(self, peer: str, raw: bytes):
        config = self.peers.peers[peer]
        headers = signed_headers(peer, config, raw)
        return self.client.post("/exchange/v1/messages", content=raw, headers=headers)

    def applied_seq(self, peer: str) -> int:
        with self.client.app.state.sessions() as session:
            inbox = session.get(PeerInbox, peer)
            return inbox.applied_seq if inbox else 0


def peers_config(me: str, role: str) -> Peers:
    lines = [f"name: {me}", "peers:"]
    for name, (peer_role, serves, key) in PEERS_OF[role].items():
        lines += [f"  {name}:", "    url: http://127.0.0.1:9", f"    role: '{peer_role}'", f"    serves: {serves}",
                  "    send_key: k1", f"    keys: {{k1: '{key}'}}"]  # fmt: skip
    return parse("\n".join(lines))


def _exchange(database, role: str):
    url, tokens = database
    peers = peers_config(f"gz-{role}", role)
    with TestClient(create_app(Settings(database_url=url, role=role), peers=peers)) as client:
        yield Exchange(client, tokens, peers)
        client.app.state.engine.dispose()


@pytest.fixture
def desk110(database):
    """A 110 deployment with a 12345 peer, a gas-company peer and a neighbouring 110 peer."""
    yield from _exchange(database, "110")


@pytest.fixture
def hotline(database):
    """A 12345 deployment with a 110 peer and a gas-company peer."""
    yield from _exchange(database, "12345")
