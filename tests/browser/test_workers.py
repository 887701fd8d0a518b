"""Two workers behind one address (`lifeline serve --workers 2`), on PostgreSQL and on SQLite: a console whose live
stream one worker serves sees, live, an incident taken on the other worker (tests/browser/workers.mjs)."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.browser.conftest import Server, free_port, run_node, seed
from tests.conftest import _postgres_admin_url

from lifeline.web.process import serve_command, start


def _fresh_postgres(name: str) -> str:
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL not configured: set LIFELINE_TEST_POSTGRES_URL (CI always does)")
    admin_url = make_url(admin).set(drivername="postgresql+psycopg")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def _both_answer(url: str, timeout: float = 90) -> None:
    """/healthz answered by two workers: the first to start answers alone while the second loads its models."""
    seen, deadline = set(), time.monotonic() + timeout
    while len(seen) < 2:
        assert time.monotonic() < deadline, f"only worker {seen} answered within {timeout} s"
        with ThreadPoolExecutor(4) as pool:  # at once, on connections of their own: both workers must take some
            answers = list(pool.map(lambda _: httpx.get(f"{url}/healthz", timeout=10), range(8)))
        seen |= {a.headers["X-Lifeline-Worker"] for a in answers if a.status_code == 200}
        time.sleep(0.2)


def _one_key_one_incident_on_either_worker(url: str, token: str) -> None:
    """The same report sent at once, with one Idempotency-Key, on fresh connections: both workers answer it, and
    there is one incident."""

    def send(key: str) -> tuple[str, int]:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        with httpx.Client(base_url=url, headers=headers, timeout=10) as api:  # a connection of its own
            answer = api.post("/api/v1/reports", json={"text": "解放路有人打架，一个人头破了"})
        assert answer.status_code == 201, answer.text
        return answer.headers["X-Lifeline-Worker"], answer.json()["incident"]["id"]

    for round_ in range(5):
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(send, [f"same-{round_}"] * 16))
        assert len({incident for _, incident in answers}) == 1, answers
        if len({worker for worker, _ in answers}) == 2:
            return
    raise AssertionError("the repeats never reached both workers")


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_console_on_one_worker_sees_live_an_incident_taken_on_the_other(browser, tmp_path, backend):
    db = _fresh_postgres(f"lifeline_workers_{os.getpid()}") if backend == "postgresql" else f"sqlite:///{tmp_path}/w.db"
    tokens = seed(db)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    env = {**os.environ, "LIFELINE_PEERS": "", "LIFELINE_OUTBOX_DIR": str(tmp_path / "outbox")}
    with log.open("wb") as out:
        process = start(serve_command(db, port, "--role", "both", "--workers", "2"), url, env=env, output=out)
    server = Server(url, db, tokens, process, log)
    try:
        _both_answer(url)
        done = run_node("workers.mjs", server)
        assert done.returncode == 0, f"workers.mjs failed:\n{done.stdout}\n{done.stderr}\nserver log:\n{server.tail()}"
        seen = json.loads(next(line for line in done.stdout.splitlines() if line.startswith('{"stream_worker"')))
        assert seen["stream_worker"] != seen["intake_worker"]
        _one_key_one_incident_on_either_worker(url, tokens["call_taker"])
    finally:
        server.stop()
