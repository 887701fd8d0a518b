"""Catalogue versions: each proposal is kept, in force or not, with who proposed and who approved it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow

PROPOSED, IN_FORCE, REJECTED, SUPERSEDED = "proposed", "in_force", "rejected", "superseded"
STATES = {PROPOSED: "待审批", IN_FORCE: "现行", REJECTED: "已驳回", SUPERSEDED: "已被取代"}


class CatalogueVersion(Base):
    __tablename__ = "catalogue_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)  # the same on both deployments
    name: Mapped[str] = mapped_column(String(200))
    items: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # items.Catalogue.canonical
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(64))  # shipped | json | xlsx | peer:<name>
    # The centre that proposed it (110 | 12345): the other one approves.
    proposed_side: Mapped[str] = mapped_column(String(8))
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_org: Mapped[str | None] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_org: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by: Mapped[str | None] = mapped_column(String(64))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")  # why it was proposed; why it was rejected
