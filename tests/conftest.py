"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from LIFELINE_TEST_POSTGRES_URL (an admin URL; `.ci/run` sets it). When CI=true
and it is missing or unreachable, the tests fail rather than skip.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline.auth.service import SYSTEM, add_org, add_user, create_token
from lifeline.store import migrate
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
    """Databases cloned from a migrated, seeded template: a fresh copy per test in ~0.1 s."""

    def __init__(self, admin_url: str):
        self.admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.template = f"lifeline_tpl_{os.getpid()}"
        self.counter = itertools.count()

    def url_of(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def build_template(self) -> dict[str, str]:
        self._execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self._execute(f"CREATE DATABASE {self.template}")
        return _seed(self.url_of(self.template))

    def clone(self) -> str:
        name = f"lifeline_t_{os.getpid()}_{next(self.counter)}"
        self._execute(f"CREATE DATABASE {name} TEMPLATE {self.template} STRATEGY FILE_COPY")
        return name

    def drop(self, name: str) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.admin.dispose()


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
        tokens = pg.build_template()
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
    name = pg.clone()
    yield pg.url_of(name), tokens
    pg.drop(name)


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
    with TestClient(create_app(url)) as client:
        yield Api(client, tokens)
        client.app.state.engine.dispose()
