"""Open311 api_keys (each acts as one user) and the public answers of published work orders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow


class Open311Key(Base):
    """An Open311 api_key: it acts as one user (their role and organisation); only its SHA-256 is kept."""

    __tablename__ = "open311_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PublicAnswer(Base):
    """A work order the 12345 centre published, with its answer to the public: the Open311 list shows only these."""

    __tablename__ = "public_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    answer: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
