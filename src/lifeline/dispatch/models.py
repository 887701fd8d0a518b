"""Patrol units: where they are and what they are doing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, JSONText, UTCDateTime, utcnow
from lifeline.vocabulary import UnitStatus

UNIT_STATUSES = UnitStatus.labels()
UNIT_KINDS = frozenset({"patrol_car", "motorbike", "foot", "special"})


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # its police station
    kind: Mapped[str] = mapped_column(String(16), default="patrol_car")
    status: Mapped[str] = mapped_column(String(16), index=True, default="available")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    # When the status last changed: a position report moves updated_at, not this (the board's status timers).
    status_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnitCrew(Base):
    """The officers on a unit for their shift: an officer reports his own unit and reads its incident's caller."""

    __tablename__ = "unit_crews"
    __table_args__ = (UniqueConstraint("user_id", name="uq_unit_crews_user_id"),)  # one unit per officer at a time

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class RunCard(Base):
    """A response plan (预案): for incidents of a category in an area at some hours, which kinds of unit and how
    many. Editing a card keeps it and adds the next version; only the newest version of a card is in force."""

    __tablename__ = "run_cards"
    __table_args__ = (UniqueConstraint("card", "version", name="uq_run_cards_card_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card: Mapped[str] = mapped_column(String(64), index=True)  # the card's name across its versions
    version: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(64), default="")  # a police station's code; "" anywhere
    category: Mapped[str] = mapped_column(String(32), default="")  # a triage category; "" any
    from_hour: Mapped[int] = mapped_column(Integer, default=0)  # local hours [from, to); to < from wraps midnight
    to_hour: Mapped[int] = mapped_column(Integer, default=24)
    units: Mapped[dict] = mapped_column(JSONText)  # unit kind → how many
    note: Mapped[str] = mapped_column(String(500), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
