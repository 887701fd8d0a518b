"""Governance cases (矛盾纠纷调处): repeat trouble referred to the governance centre, and the parties of incidents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow


class GovernanceCase(Base):
    """Repeat trouble at one place or between two parties: referred to the governance centre as a work order,
    mediated there, visited again by the police, then closed; a new dispute within the window reopens it."""

    __tablename__ = "governance_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # vocabulary.CaseState
    # Where: the first incident's point and address (None/"" when the case is only about the parties).
    place: Mapped[str] = mapped_column(String(500), default="")
    lat: Mapped[float | None] = mapped_column(Float, index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    # Between whom: two party keys (rules.party_key), sorted; None when the case is only about the place.
    party_a: Mapped[str | None] = mapped_column(String(120), index=True)
    party_b: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32))  # the dispute that opened it
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # the desk of its incidents
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)  # the governance centre
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))  # the referral in force
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    mediation: Mapped[str | None] = mapped_column(String(16))  # vocabulary.MediationOutcome
    mediation_note: Mapped[str | None] = mapped_column(Text)
    mediated_by: Mapped[str | None] = mapped_column(String(64))
    mediated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visit_officer: Mapped[str | None] = mapped_column(String(100))  # who of the station went back
    visit_found: Mapped[str | None] = mapped_column(Text)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visit_recorded_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseIncident(Base):
    """The incidents a case is made of (one row each, however often it is evaluated)."""

    __tablename__ = "governance_case_incidents"
    __table_args__ = (UniqueConstraint("case_id", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("governance_cases.id"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IncidentParty(Base):
    """The other party of an incident as the desk recorded it (楼下 302 住户 王某, a phone number, or both)."""

    __tablename__ = "incident_parties"
    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    key: Mapped[str] = mapped_column(String(120), index=True)  # rules.party_key
    name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
