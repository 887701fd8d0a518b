"""The newest event, told to whoever in this process listens, whichever process or worker appended it.

PostgreSQL: every append notifies channel `lifeline_events` in its own transaction (store.events), so the
notification arrives when, and only when, the events are committed; one thread per process LISTENs and hands the
newest sequence number to the listeners (the consoles' live feed, the relay). After a broken connection (a
failover) it reconnects and tells the newest number again, so that nothing committed meanwhile is missed.
SQLite: one thread per process reads the head of the chain every `POLL_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine, func, select

from lifeline.store.events import NOTIFY_CHANNEL, Event

log = logging.getLogger("lifeline.feed")
POLL_SECONDS = 0.3
RECONNECT_SECONDS = 1.0

Listener = Callable[[int], None]


class Feed:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.last = 0
        self._listeners: set[Listener] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lifeline-feed", daemon=True)

    def start(self) -> None:
        self.last = self._newest()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.add(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def _tell(self, seq: int) -> None:
        if seq <= self.last:
            return
        self.last = seq
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(seq)
            except Exception:  # one listener's fault must not deafen the others
                log.exception("feed listener failed")

    def _newest(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.coalesce(func.max(Event.seq), 0)))

    def _run(self) -> None:
        listen = self._listen if self.engine.dialect.name == "postgresql" else self._poll
        while not self._stop.is_set():
            try:
                listen()
            except Exception as exc:  # the database went away: try again, then catch up
                log.warning("event feed interrupted: %s", exc)
                self._stop.wait(RECONNECT_SECONDS)

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._tell(self._newest())

    def _listen(self) -> None:
        import psycopg

        # The engine's own connection arguments: with several hosts (a Patroni pair) libpq finds the primary.
        args, params = self.engine.dialect.create_connect_args(self.engine.url)
        with psycopg.connect(*args, **{"connect_timeout": 5, **params}, autocommit=True) as connection:
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self._tell(self._newest())  # what was committed while no one listened
            while not self._stop.is_set():
                for note in connection.notifies(timeout=1.0):  # a second in all, then the loop looks again
                    self._tell(int(note.payload))
                connection.execute("SELECT 1")  # a connection the server lost raises here, and is made again
