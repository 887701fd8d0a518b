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
