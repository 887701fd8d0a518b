"""A second demo does no harm: with its port busy, or its database served by another lifeline process, it says so
and changes nothing; the first demo keeps its busy units busy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from lifeline.demo import city
from lifeline.dispatch.models import Unit
from lifeline.store.engine import make_engine, session_factory
from lifeline.store.events import Event
from lifeline.store.hold import DatabaseHeld, hold
from lifeline.web.process import free_port, serve_command, start

BUSY = "XS01"  # a demo unit that is out on a call


def _demo_command(db: str, port: int) -> list[str]:
    return [sys.executable, "-m", "lifeline.cli", "demo", "--rate", "0", "--db", db, "--port", str(port)]


def _demo(db: str, port: int, cwd: Path) -> subprocess.CompletedProcess:
    """A demo run to its end (it is expected to refuse); it writes its layers file, if at all, into `cwd`."""
    env = {**os.environ, "COLUMNS": "400"}
    return subprocess.run(_demo_command(db, port), capture_output=True, text=True, timeout=60, env=env, cwd=cwd)


def _state(url: str) -> tuple[str, int]:
    """The busy unit's status and the number of events: any change the demo makes would add events."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        status = session.scalar(select(Unit.status).where(Unit.code == BUSY))
        events = session.scalar(select(func.count()).select_from(Event))
    engine.dispose()
    return status, events


def _seed_with_a_busy_unit(url: str) -> None:
    city.seed(url)
    engine = make_engine(url)
    with session_factory(engine)() as session, session.begin():
        session.scalar(select(Unit).where(Unit.code == BUSY)).status = "on_scene"
    engine.dispose()


def test_a_busy_port_stops_the_demo_before_it_creates_anything(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _demo(f"sqlite:///{tmp_path / 'new.db'}", port, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"端口 {port} 已被占用" in done.stderr and f"port {port} is busy" in done.stderr
    assert f"--port {port + 1}" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no database, no lock file, no layers


def test_a_second_demo_on_the_same_database_leaves_the_first_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first_port = free_port()
    first = start(_demo_command(url, first_port), f"http://127.0.0.1:{first_port}", cwd=tmp_path)
    try:
        engine = make_engine(url)
        with session_factory(engine)() as session, session.begin():
            session.scalar(select(Unit).where(Unit.code == BUSY)).status = "on_scene"  # the first demo's call
        engine.dispose()
        before = _state(url)

        same_port = _demo(url, first_port, tmp_path)
        assert same_port.returncode == 2, same_port.stdout + same_port.stderr
        assert f"port {first_port} is busy" in same_port.stderr and "--port" in same_port.stderr

        other_port = free_port()
        same_db = _demo(url, other_port, tmp_path)
        assert same_db.returncode == 2, same_db.stdout + same_db.stderr
        assert "正被另一个 lifeline 服务使用" in same_db.stderr
        assert "in use by another lifeline server" in same_db.stderr
        assert "--db" in same_db.stderr
        assert "示范市 demo city" not in same_db.stdout  # it did not seed

        assert _state(url) == before == ("on_scene", before[1])
        assert httpx.get(f"http://127.0.0.1:{first_port}/healthz", timeout=5).status_code == 200
        with socket.socket() as probe:  # the refused demo let its port go
            probe.bind(("127.0.0.1", other_port))
    finally:
        first.terminate()
        first.wait(timeout=20)


def test_a_demo_refuses_a_database_that_a_server_is_serving(database, tmp_path):
    """On SQLite and PostgreSQL: `lifeline serve` holds its database shared; a demo wants it alone."""
    url, _ = database
    _seed_with_a_busy_unit(url)
    before = _state(url)
    with hold(url, alone=False):  # what `lifeline serve` holds while it runs
        done = _demo(url, free_port(), tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "in use by another lifeline server" in done.stderr and "--db" in done.stderr
    assert _state(url) == before and before[0] == "on_scene"


def test_a_server_refuses_a_database_that_a_demo_holds(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with hold(url, alone=True):
        done = subprocess.run(
            serve_command(url, free_port()),
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "400"},
        )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "a demo holds the database" in done.stderr


def test_servers_share_a_database_and_a_demo_excludes_them(database):
    url, _ = database
    with hold(url, alone=False), hold(url, alone=False), pytest.raises(DatabaseHeld):
        hold(url, alone=True).__enter__()
    with hold(url, alone=True):
        with pytest.raises(DatabaseHeld):
            hold(url, alone=False).__enter__()
        with pytest.raises(DatabaseHeld):
            hold(url, alone=True).__enter__()
    with hold(url, alone=True):  # let go when the holder ends
        pass
