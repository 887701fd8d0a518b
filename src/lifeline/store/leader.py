"""Exactly one process leads a background job (the relay, the sweep) among the workers sharing a database.

PostgreSQL: a session advisory lock on a connection kept open for it; the server lets it go the moment that
connection ends (the process died, the machine was lost, the primary failed over), and another worker takes it on
its next try, within `RETRY_SECONDS`. SQLite: an flock of a file beside the database, which the kernel lets go when
the process ends, however it ends. An in-memory database has one process: it always leads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time

try:
    import fcntl
except ImportError:  # Windows: every process leads; the receiver's message ids keep repeats harmless
    fcntl = None

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger("lifeline.leader")
RETRY_SECONDS = 1.0  # a follower tries to take the lead this often; a dead leader is replaced within it
CHECK_SECONDS = 1.0  # a leader checks its lock's connection this often


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for the job's name (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(f"lifeline.leader.{name}".encode()).digest()[:8], "big", signed=True)


class Leader:
    """`leads()` says whether this process leads `name` now, taking the lead when it is free."""

    def __init__(self, engine: Engine, name: str):
        self.name = name
        self.postgres = engine.dialect.name == "postgresql"
        # Its own connection, outside the pool: a pooled one would keep the lock after `release`. Autocommit: the
        # lock belongs to the session, and a transaction held open for hours keeps PostgreSQL from cleaning up.
        self._engine = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT") if self.postgres \
            else None  # fmt: skip
        database = engine.url.database
        in_file = not self.postgres and database not in (None, "", ":memory:")
        self._path = f"{database}.{name}.leader" if in_file else None
        self._connection: Connection | None = None
        self._fd: int | None = None
        self._leading, self._checked = False, 0.0

    def leads(self) -> bool:
        now = time.monotonic()
        if self._leading and now - self._checked < CHECK_SECONDS:
            return True
        if not self._leading and now - self._checked < RETRY_SECONDS:
            return False
        self._checked = now
        was = self._leading
        self._leading = self._try_postgres() if self.postgres else self._try_file()
        if self._leading != was:
            log.info("%s %s", "leading" if self._leading else "no longer leading", self.name)
        return self._leading

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # closing the session lets the advisory lock go
            self._connection = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._leading = False

    def _try_postgres(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            if self._leading:
                self._connection.execute(text("SELECT 1"))  # the lock lives as long as this connection
                return True
            taken = self._connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": advisory_key(self.name)})
            return bool(taken.scalar())
        except Exception as exc:  # the connection broke (a failover): the lock went with it
            log.warning("leader lock %s lost: %s", self.name, exc)
            self.release()
            return False

    def _try_file(self) -> bool:
        if self._path is None or fcntl is None:
            return True
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True
