"""Delivery state between peers. The outbox itself is the event log: events addressed to a peer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow


class PeerCursor(Base):
    """How far the relay has delivered the events addressed to one peer (strictly in order)."""

    __tablename__ = "peer_cursors"

    peer: Mapped[str] = mapped_column(String(64), primary_key=True)
    delivered_seq: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PeerInbox(Base):
    """The last message applied from one peer: the next must name it as its predecessor."""

    __tablename__ = "peer_inbox"

    peer: Mapped[str] = mapped_column(String(64), primary_key=True)
    applied_seq: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeadLetter(Base):
    """A signed message that could not be applied: parked with its reason while the peer's stream moved on.

    An admin replays it (after the cause was fixed) or drops it; either way the row stays, with who and when.
    """

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    peer: Mapped[str] = mapped_column(String(64), index=True)
    message_id: Mapped[str] = mapped_column(String(200))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)  # JSON text, ASCII-escaped: any NUL or odd character stays storable
    status: Mapped[int] = mapped_column(Integer)  # the answer the peer got: 403 or 422
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), index=True)  # parked | replayed | dropped
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
