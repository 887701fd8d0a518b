"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from LIFELINE_TEST_POSTGRES_URL (an admin URL; `.ci/run` sets it). When CI=true
and it is missing or unreachable, the tests fail rather than skip.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline.analytics.models import FigureDay  # noqa: F401
from lifeline.api.models import IdempotencyRecord  # noqa: F401  (every table in Base.metadata)
from lifeline.auth.service import SYSTEM, add_org, add_user, create_token
from lifeline.callers.models import CallerCase  # noqa: F401
from lifeline.catalogue.models import CatalogueVersion  # noqa: F401
from lifeline.channels.models import Contact  # noqa: F401
from lifeline.dispatch.models import Unit  # noqa: F401
from lifeline.diversion.models import FollowUp, WorkOrder  # noqa: F401
from lifeline.geo.models import RoadNetwork  # noqa: F401
from lifeline.governance.models import GovernanceCase  # noqa: F401
from lifeline.incidents.models import Incident  # noqa: F401
from lifeline.knowledge.models import Article  # noqa: F401
from lifeline.missing.models import MissingCase  # noqa: F401
from lifeline.open311.models import Open311Key  # noqa: F401
from lifeline.peering.models import PeerCursor  # noqa: F401
from lifeline.settings import Settings
from lifeline.store import migrate
from lifeline.store.base import Base
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.web.app import create_app

PASSWORD = "correct-horse-9"

# The organisation tree every test starts from: (code, name, kind, parent, serves).
ORGS = [
    ("CITY", "示范市", "city", None, None),
    ("C110", "市公安局 110 指挥中心", "centre_110", "CITY", None),
    ("C12345", "市 12345 热线中心", "centre_12345", "CITY", None),
    ("PS1", "城关派出所", "police_station", "C110", None),
    ("PS2", "东城派出所", "police_station", "C110", None),
    ("MARKET", "市场监管局", "department", "C12345", "market_regulation"),
    ("URBAN", "城管局", "department", "C12345", "urban_management"),
    ("POWER", "供电公司", "utility", "C12345", "power"),
    ("FIRE", "消防救援支队", "fire_119", "CITY", "119"),
    ("EMS", "120 急救中心", "ems_120", "CITY", "120"),
    ("ZZZX", "综治中心", "governance_centre", "C12345", "governance_centre"),
]

# One user per role, plus a second handler and officer to test scoping: (username, role, org).
USERS = [
    ("call_taker", "call_taker", "C110"),
    ("dispatcher", "dispatcher", "C110"),
    ("field_officer", "field_officer", "PS1"),
    ("hotline_operator", "hotline_operator", "C12345"),
    ("agency_handler", "agency_handler", "MARKET"),
    ("supervisor", "supervisor", "C110"),
    ("admin", "admin", "CITY"),
    ("urban_handler", "agency_handler", "URBAN"),
    ("officer_ps2", "field_officer", "PS2"),
    ("fire_handler", "agency_handler", "FIRE"),
    ("zz_handler", "agency_handler", "ZZZX"),
]


def _seed(url: str) -> dict[str, str]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    tokens = {}
    with transaction(session_factory(engine)) as session:
        for code, name, kind, parent, serves in ORGS:
            add_org(session, SYSTEM, code, name, kind, parent, serves=serves)
        for username, role, org in USERS:
            add_user(session, SYSTEM, username, role, org, PASSWORD)
            tokens[username] = create_token(session, SYSTEM, username)
    engine.dispose()
    return tokens


def _postgres_admin_url() -> str | None:
    url = os.environ.get("LIFELINE_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LIFELINE_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
        return None
    return url


class Postgres:
    """One seeded database per test session, put back to its seeded state before each test.

    Cloning a database per test costs ~2 s on a shared machine (a checkpoint each time); resetting
    the rows costs milliseconds. Seed rows stay; every other table is emptied.
    """

    SEEDED = ("organisations", "users", "api_tokens", "events", "event_chain_head")
    RESTORED = ("users", "api_tokens")  # put back as seeded, in this order

    def __init__(self, admin_url: str):
        self.admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
        self.name = f"lifeline_test_{os.getpid()}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(sql))
        engine.dispose()

    def build(self) -> dict[str, str]:
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {self.name}")
        tokens = _seed(self.url)
        self.engine = create_engine(self.url)
        with self.engine.connect() as connection:
            self.orgs = connection.execute(text("SELECT coalesce(max(id), 0) FROM organisations")).scalar()
            self.head = connection.execute(text("SELECT seq, hash FROM event_chain_head")).one()
        with self.engine.begin() as connection:  # a test may change a seeded row (a password, a revoked token)
            connection.execute(text("CREATE SCHEMA seed"))
            for table in self.RESTORED:
                connection.execute(text(f"CREATE TABLE seed.{table} AS TABLE {table}"))
        return tokens

    def reset(self) -> None:
        others = [t.name for t in Base.metadata.sorted_tables if t.name not in self.SEEDED]
        with self.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(others)} RESTART IDENTITY CASCADE"))
            connection.execute(text("DELETE FROM events WHERE seq > :s"), {"s": self.head.seq})
            connection.execute(
                text("UPDATE event_chain_head SET seq = :s, hash = :h"), {"s": self.head.seq, "h": self.head.hash}
            )
            connection.execute(text("DELETE FROM api_tokens; DELETE FROM users"))
            connection.execute(text("DELETE FROM organisations WHERE id > :m"), {"m": self.orgs})
            for table in self.RESTORED:
                connection.execute(text(f"INSERT INTO {table} SELECT * FROM seed.{table}"))

    def close(self) -> None:
        self.engine.dispose()
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    tokens = _seed(f"sqlite:///{path}")
    return path, tokens


@pytest.fixture(scope="session")
def postgres():
    url = _postgres_admin_url()
    if url is None:
        pytest.skip("PostgreSQL not configured: set LIFELINE_TEST_POSTGRES_URL (CI always does)")
    try:
        pg = Postgres(url)
        tokens = pg.build()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    yield pg, tokens
    pg.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def database(backend, request, tmp_path):
    """(database URL, tokens by username) of a fresh seeded database."""
    if backend == "sqlite":
        template, tokens = request.getfixturevalue("sqlite_template")
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}", tokens
        return
    pg, tokens = request.getfixturevalue("postgres")
    pg.reset()
    yield pg.url, tokens


class Api:
    """A test client that speaks as one of the seeded users."""

    def __init__(self, client: TestClient, tokens: dict[str, str]):
        self.client, self.tokens = client, tokens

    def _headers(self, user: str | None, extra: dict | None) -> dict:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return {**headers, **(extra or {})}

    def get(self, user, path, **kw):
        return self.client.get(f"/api/v1{path}", headers=self._headers(user, kw.pop("headers", None)), **kw)

    def post(self, user, path, json=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(user, kw.pop("headers", None)), **kw)

    def report(self, text: str, user: str = "call_taker", **fields) -> dict:
        response = self.post(user, "/reports", {"text": text, **fields})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def api(database):
    url, tokens = database
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield Api(client, tokens)
        client.app.state.engine.dispose()
