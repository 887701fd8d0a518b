"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import cache
from typing import TypeVar
from weakref import WeakKeyDictionary

try:
    import fcntl
except ImportError:  # Windows: processes fall back on SQLite's own busy handler
    fcntl = None

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event, insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

DEFAULT_URL = "sqlite:///lifeline.db"
T = TypeVar("T")


class DatabaseURLError(ValueError):
    pass


def database_url(url: str | None = None) -> str:
    """The URL given, else LIFELINE_DATABASE_URL, else ./lifeline.db; postgresql:// means psycopg 3."""
    url = url or os.environ.get("LIFELINE_DATABASE_URL") or DEFAULT_URL
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseURLError(f"数据库地址无法解析 cannot parse database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseURLError(f"只支持 SQLite 与 PostgreSQL only SQLite and PostgreSQL are supported: {url!r}")
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class WriteLock:
    """SQLite has one writer at a time. Writers queue here instead of polling SQLite's busy handler, which
    sleeps in steps of up to 100 ms: threads of one process on a lock, processes (`serve --workers`, a CLI
    command beside a running server) on an flock of a file beside the database."""

    def __init__(self, database: str | None):
        self._threads = threading.Lock()
        self._path = f"{database}.writer-lock" if database and database != ":memory:" and fcntl else None
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def __del__(self) -> None:  # with its engine: tests and tools make many
        if self._fd is not None:
            os.close(self._fd)


_WRITE_LOCKS: WeakKeyDictionary[Engine, WriteLock] = WeakKeyDictionary()


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20)
        _configure_sqlite(engine)
        _WRITE_LOCKS[engine] = WriteLock(engine.url.database)
        return engine
    return create_engine(url, pool_size=20, max_overflow=10, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" below decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a transaction that returned from COMMIT survives a power cut, not only a killed process.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # IMMEDIATE takes the write lock at the start, so two writers queue instead of failing with SQLITE_BUSY.
        # Readers (see `reader_factory`) begin deferred: in WAL mode they never wait for a writer.
        readonly = connection.get_execution_options().get("lifeline_readonly")
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def reader_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only (live feeds, dashboards): they never take SQLite's write lock."""
    return sessionmaker(engine.execution_options(lifeline_readonly=True), expire_on_commit=False)


def core(session: Session) -> Connection:
    """The session's connection, for statements built once and run often (the ORM would build them anew
    each time). What the session holds is written first, so that they see it."""
    session.flush()
    return session.connection()


@cache
def _insert(table: Table, given: frozenset[str]) -> tuple[Insert, list[str]]:
    """INSERT ... RETURNING what the database fills in (the id, the defaults), built once per shape."""
    filled = [c for c in table.columns if c.key not in given]
    return insert(table).returning(*filled), [c.key for c in filled]


def insert_row(session: Session, obj: T) -> T:
    """Write `obj` with one INSERT ... RETURNING and keep it in the session as if it had been loaded.

    For the paths that run on every call: a unit-of-work flush does the same with about twice the CPU.
    Relationships are not followed; set loaded ones with `set_committed_value` when they are known.
    """
    table = obj.__table__
    given = {c.key: obj.__dict__[c.key] for c in table.columns if c.key in obj.__dict__}
    statement, filled = _insert(table, frozenset(given))
    row = core(session).execute(statement, given).one()
    for key, value in zip(filled, row, strict=True):
        set_committed_value(obj, key, value)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


_MEMO = "lifeline.memo"


def once(session: Session, key: str, make: Callable[[], T]) -> T:
    """`make()` once per transaction: the lookups every message of a peer's batch would repeat (organisations,
    the catalogue in force). A writer of what `key` reads calls `forget`; a rollback or a commit forgets all."""
    memo = session.info.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = make()
    return memo[key]


def forget(session: Session, *keys: str) -> None:
    memo = session.info.get(_MEMO, {})
    for key in keys:
        memo.pop(key, None)


@event.listens_for(Session, "after_soft_rollback")
@event.listens_for(Session, "after_commit")
def _forget_all(session: Session, *_args) -> None:
    session.info.pop(_MEMO, None)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    lock = _WRITE_LOCKS.get(factory.kw["bind"], nullcontext())
    with lock, factory() as session, session.begin():
        yield session
