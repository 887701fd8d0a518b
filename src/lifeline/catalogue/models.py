"""Catalogue versions: each proposal is kept, in force or not, with who proposed and who approved it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
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


class Consultation(Base):
    """会商: a matter of a `consult` item whose owner is unclear. The first receiver holds it (首接负责) and its clock
    runs until the two desks agree who owns it (by a three-party call where the line allows, a record either way)."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True, unique=True)
    item: Mapped[str] = mapped_column(String(64))
    catalogue_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(8), index=True)  # open | agreed
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    owner: Mapped[str | None] = mapped_column(String(8))  # what was agreed: police | divert
    three_way: Mapped[bool] = mapped_column(Boolean, default=False)  # agreed on a three-party call
    other_party: Mapped[str] = mapped_column(String(200), default="")  # who agreed for the other desk
    record: Mapped[str] = mapped_column(Text, default="")
    agreed_by: Mapped[str | None] = mapped_column(String(64))
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposal: Mapped[int | None] = mapped_column(Integer)  # the catalogue version the dispute proposed, if any
