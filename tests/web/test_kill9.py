"""Kill -9 of the server under load: every report that got a 2xx answer is in the database."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
from sqlalchemy import select

from lifeline.auth.service import SYSTEM
from lifeline.incidents.models import Report
from lifeline.incidents.service import audit
from lifeline.store.engine import make_engine, session_factory
from lifeline.web.process import free_port, serve_command, start

WRITERS = 8


def test_every_acknowledged_report_survives_kill_9(database):
    url, tokens = database
    port = free_port()
    server = start(serve_command(url, port), f"http://127.0.0.1:{port}")
    acked: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            i = 0
            while not stop.is_set():
                text = f"写入者{n}第{i}次：幸福小区{n}栋有人打架"
                try:
                    answer = client.post(
                        "/api/v1/reports",
                        json={"text": text, "caller_number": f"1380000{n:04d}"},
                        headers={"Authorization": f"Bearer {tokens['call_taker']}"},
                    )
                except httpx.HTTPError:
                    return  # the server is gone; only what was acknowledged counts
                if answer.status_code == 201:
                    with lock:
                        acked[answer.json()["report_id"]] = text
                i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    time.sleep(2.5)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join()

    assert len(acked) > 20, f"the load did not get going: {len(acked)} acknowledged"
    print(f"{len(acked)} reports acknowledged before kill -9")
    engine = make_engine(url)
    with session_factory(engine)() as session:
        stored = dict(session.execute(select(Report.id, Report.text).where(Report.id.in_(list(acked)))).all())
        result = audit(session, SYSTEM)
    engine.dispose()
    missing = sorted(set(acked) - set(stored))
    assert not missing, f"{len(missing)} acknowledged reports lost: {missing[:10]}"
    assert all(stored[i] == text for i, text in acked.items())
    assert result.ok, result.problem
