"""One leader among the workers of a database, taken over when its process dies; and the feed that tells every
worker what any of them committed."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from lifeline.store import events
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.store.feed import Feed
from lifeline.store.leader import RETRY_SECONDS, Leader

HOLD = """
import sys, time
from lifeline.store.engine import make_engine
from lifeline.store.leader import Leader
leader = Leader(make_engine(sys.argv[1]), "relay")
print("leading" if leader.leads() else "following", flush=True)
time.sleep(600)
"""


def test_one_process_leads_and_another_takes_over_within_seconds_when_it_is_killed(database):
    url, _ = database
    holder = subprocess.Popen([sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "leading"
        mine = Leader(make_engine(url), "relay")
        assert not mine.leads()
        assert Leader(make_engine(url), "sweep").leads(), "another job's lead is its own"
        holder.kill()  # SIGKILL: no goodbye; the kernel or the server lets the lock go
        killed = time.monotonic()
        while not mine.leads():
            assert time.monotonic() - killed < 10, "nobody took over"
            time.sleep(0.05)
        took = time.monotonic() - killed
        assert took <= RETRY_SECONDS + 2
        print(f"took over in {took:.2f} s")
        mine.release()
    finally:
        holder.kill()
        holder.wait()


def test_a_leader_that_releases_lets_the_next_lead(database):
    url, _ = database
    first, second = Leader(make_engine(url), "relay"), Leader(make_engine(url), "relay")
    assert first.leads() and not second.leads()
    first.release()
    second._checked = 0.0  # its next try, without waiting for it
    assert second.leads()
    second.release()


def test_the_feed_tells_each_process_what_another_committed(database):
    url, _ = database
    feed = Feed(make_engine(url))
    heard, arrived = [], threading.Event()
    feed.subscribe(lambda seq: (heard.append(seq), arrived.set()))
    feed.start()
    try:
        time.sleep(0.5)  # the listener is connected
        with transaction(session_factory(make_engine(url))) as session:  # another "worker"
            events.append(session, "incident.created", {"n": 1}, actor="t")
        assert arrived.wait(5), "the feed did not hear the commit"
        with session_factory(make_engine(url))() as session:
            newest = session.scalar(events.select(events.Event.seq).order_by(events.Event.seq.desc()).limit(1))
        assert heard[-1] == newest
    finally:
        feed.stop()
