"""The append-only event log, chained by hash so that any edit of history is detectable.

Every change in lifeline appends an event in the same transaction as the change. Each event
carries the hash of the one before it; `verify` recomputes the chain and names the first event
that does not match. Sequence numbers are handed out from one head row, so they have no gaps and a
deleted event shows up too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow

GENESIS = "0" * 64


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


def append(
    session: Session, kind: str, payload: dict, *, actor: str | None = None, incident_id=None, to_peer=None
) -> Event:
    """Append one event in the caller's transaction; with `to_peer`, the relay delivers it there."""
    head = session.execute(select(ChainHead).where(ChainHead.id == 1).with_for_update()).scalar_one()
    at = utcnow()
    seq = head.seq + 1
    body = canonical(payload)
    digest = event_hash(head.hash, seq, at, kind, actor, incident_id, body, to_peer)
    event = Event(
        seq=seq, at=at, kind=kind, actor=actor, incident_id=incident_id, to_peer=to_peer, payload=body,
        prev_hash=head.hash, hash=digest,
    )  # fmt: skip
    session.add(event)
    head.seq, head.hash = seq, digest
    session.flush()
    return event


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
