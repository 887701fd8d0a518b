"""Who is serving a database: servers share it, a demo holds it alone.

`lifeline demo` seeds the demo city and sends home the units a stopped demo left on a call. That is harmless only
when no other server works on the same database, so every `lifeline serve` and `lifeline demo` holds the database
for as long as it runs: a server shares it with other servers, a demo takes it alone and without waiting, and a
demo that cannot have it alone touches nothing.

SQLite: an flock on a file beside the database (`lifeline.db.server-lock`); the kernel lets it go when the process
ends, however it ends. PostgreSQL: a session advisory lock on one connection kept open for the purpose; the server
lets it go when the connection ends. Advisory locks belong to one database, as the flock belongs to one file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # Windows: no hold; the demo still checks its port
    fcntl = None

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from lifeline.store.engine import database_url

ADVISORY_KEY = int.from_bytes(b"lifeline")  # one key for "serving this database"; fits PostgreSQL's bigint


class DatabaseHeld(Exception):
    """Another process holds the database in a way that excludes this one."""


def lock_path(url: str) -> str | None:
    """The file beside a SQLite database whose flock is the hold; None for PostgreSQL or an in-memory database."""
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return f"{parsed.database}.server-lock"


@contextmanager
def hold(url: str, *, alone: bool) -> Iterator[None]:
    """Hold the database at `url` until the block ends: `alone` (a demo) or shared (a server).

    Raises DatabaseHeld at once, without waiting, when another process holds it so that this one may not.
    """
    url = database_url(url)
    if make_url(url).get_backend_name() == "postgresql":
        with _advisory(url, alone):
            yield
        return
    path = lock_path(url)
    if path is None or fcntl is None:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:  # no such folder: no database there for anyone to serve
        yield
        return
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if alone else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseHeld(url) from None
        yield
    finally:
        os.close(fd)  # closing lets the lock go


@contextmanager
def _advisory(url: str, alone: bool) -> Iterator[None]:
    # Autocommit: the lock belongs to the session, and an open transaction held for hours would keep
    # PostgreSQL from cleaning up dead rows.
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            take = "pg_try_advisory_lock" if alone else "pg_try_advisory_lock_shared"
            if not connection.execute(text(f"SELECT {take}(:k)"), {"k": ADVISORY_KEY}).scalar():
                raise DatabaseHeld(url)
            yield  # the connection's end lets the lock go
    finally:
        engine.dispose()
