"""The append-only event log, chained by hash so that any edit of history is detectable.

Every change in lifeline appends an event in the same transaction as the change. Each event
carries the hash of the one before it; `verify` recomputes the chain and names the first event
that does not match. Sequence numbers are handed out from one head row, so they have no gaps and a
deleted event shows up too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, bindparam, insert, select, text, update
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Mapped, Session, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow
from lifeline.store.engine import core

GENESIS = "0" * 64
NOTIFY_CHANNEL = "lifeline_events"  # PostgreSQL: every append tells the listening workers at commit (store.feed)


class Event(Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # A peer platform this event is addressed to: the relay delivers these (the event log is the outbox).
    to_peer: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def data(self) -> dict:
        return json.loads(self.payload)


class ChainHead(Base):
    """One row: the last sequence number and hash. Locking it serialises appends."""

    __tablename__ = "event_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


def canonical(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(
    prev_hash: str, seq: int, at: datetime, kind: str, actor, incident_id, payload: str, to_peer: str | None = None
) -> str:
    fields = {"seq": seq, "at": at.isoformat(), "kind": kind, "actor": actor, "incident_id": incident_id}
    if to_peer is not None:
        fields["to_peer"] = to_peer
    body = canonical({**fields, "payload": payload})
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One event to append: what happened, to which incident, by whom, and the peer it is addressed to."""

    kind: str
    payload: dict
    actor: str | None = None
    incident_id: int | None = None
    to_peer: str | None = None


def append(
    session: Session, kind: str, payload: dict, *, actor: str | None = None, incident_id=None, to_peer=None
) -> None:
    """Append one event in the caller's transaction; with `to_peer`, the relay delivers it there."""
    append_all(session, [Entry(kind, payload, actor, incident_id, to_peer)])


# Built once: every change appends events, and building a statement costs more than running it.
_HEAD = select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1).with_for_update()
_INSERT = insert(Event.__table__)
_MOVE_HEAD = update(ChainHead.__table__).where(ChainHead.id == 1).values(seq=bindparam("s"), hash=bindparam("h"))
_NOTIFY = text(f"SELECT pg_notify('{NOTIFY_CHANNEL}', :s)")


_DEFERRED, _MARKS = "lifeline.deferred_events", "lifeline.deferred_marks"


@contextmanager
def deferred(session: Session) -> Iterator[None]:
    """Events appended in the block are written together when it ends without an error (one read and one write
    of the chain head, one multi-row insert): a peer's batch of hundreds of messages. Nothing in the block may
    read back the events it appended; on an error they are dropped with the work that made them, and so are
    those of a savepoint rolled back inside it."""
    if _DEFERRED in session.info:
        yield
        return
    entries = session.info[_DEFERRED] = []
    try:
        yield
    finally:
        session.info.pop(_DEFERRED)
        session.info.pop(_MARKS, None)
    if entries:
        append_all(session, entries)


@listens_for(Session, "after_transaction_create")
def _mark(session: Session, transaction) -> None:
    waiting = session.info.get(_DEFERRED)
    if waiting is not None and transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(waiting)


@listens_for(Session, "after_soft_rollback")
def _drop(session: Session, transaction) -> None:
    """A savepoint inside a deferred block rolled back: the events appended since it began go with it."""
    mark = session.info.get(_MARKS, {}).pop(transaction, None)
    waiting = session.info.get(_DEFERRED)
    if mark is not None and waiting is not None:
        del waiting[mark:]


def append_all(session: Session, entries: list[Entry]) -> None:
    """Append events in order, in the caller's transaction: one read and one write of the head for all of them."""
    waiting = session.info.get(_DEFERRED)
    if waiting is not None:
        waiting.extend(entries)
        return
    connection = core(session)
    seq, prev = connection.execute(_HEAD).one()
    at = utcnow()
    rows = []
    for e in entries:
        seq += 1
        body = canonical(e.payload)
        digest = event_hash(prev, seq, at, e.kind, e.actor, e.incident_id, body, e.to_peer)
        rows.append(
            {"seq": seq, "at": at, "kind": e.kind, "actor": e.actor, "incident_id": e.incident_id,
             "to_peer": e.to_peer, "payload": body, "prev_hash": prev, "hash": digest}
        )  # fmt: skip
        prev = digest
    connection.execute(_INSERT, rows)
    connection.execute(_MOVE_HEAD, {"s": seq, "h": prev})
    if connection.dialect.name == "postgresql":  # delivered at commit, and not at all on a rollback
        connection.execute(_NOTIFY, {"s": str(seq)})


@dataclass
class ChainCheck:
    events: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(session: Session) -> ChainCheck:
    """Walk the chain from the first event; stop at the first event that does not match."""
    prev, expected_seq, count = GENESIS, 1, 0
    for event in session.execute(select(Event).order_by(Event.seq).execution_options(yield_per=1000)).scalars():
        if event.seq != expected_seq:
            return ChainCheck(count, expected_seq, f"事件 {expected_seq} 缺失 event {expected_seq} is missing")
        if event.prev_hash != prev:
            return ChainCheck(count, event.seq, "前一事件哈希不符 previous hash does not match")
        digest = event_hash(
            prev, event.seq, event.at, event.kind, event.actor, event.incident_id, event.payload, event.to_peer
        )
        if digest != event.hash:
            return ChainCheck(count, event.seq, "内容被修改 contents were modified")
        prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = session.get(ChainHead, 1)
    if head is not None and (head.seq != count or head.hash != prev):
        return ChainCheck(count, count + 1, "链尾与记录不符 the chain head does not match the last event")
    return ChainCheck(count)
