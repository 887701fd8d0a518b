"""Reports (what came in on a channel) and incidents (警情: what the desk decided and did)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifeline.store.base import Base, JSONText, UTCDateTime, utcnow
from lifeline.vocabulary import Channel

REPORT_CHANNELS = Channel.labels()


class Incident(Base):
    __tablename__ = "incidents"
    # Duplicates look for open incidents of one category in the last hour (migration 0005).
    __table_args__ = (Index("ix_incidents_category_received_at", "category", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    # The call-taker's decision; `suggestion` keeps what triage proposed, beside it.
    category: Mapped[str] = mapped_column(String(32))
    disposition: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    destinations: Mapped[list] = mapped_column(JSONText, default=list)
    suggestion: Mapped[dict] = mapped_column(JSONText)
    # The catalogue item (catalogue/) the matter is: suggested at intake beside the category, kept with the decision.
    catalogue_item: Mapped[str | None] = mapped_column(String(64))
    override_reason: Mapped[str | None] = mapped_column(Text)
    needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where a call that needs a call-back stands (vocabulary.CallbackState); None when none is needed.
    callback_state: Mapped[str | None] = mapped_column(String(16), index=True)

    caller_number: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # Where lat/lon came from (vocabulary.LocationSource), what place the address matched and how surely (0..1).
    location_source: Mapped[str | None] = mapped_column(String(16))
    location_place: Mapped[str | None] = mapped_column(String(200))
    location_confidence: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text, default="")

    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # 处置反馈: what the unit on the scene did (its words) and how it ended (vocabulary.FieldOutcome).
    result: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first crew that took the order (接单)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reports: Mapped[list[Report]] = relationship(
        back_populates="incident", order_by="Report.id", foreign_keys="Report.incident_id"
    )
    assignments: Mapped[list[Assignment]] = relationship(order_by="Assignment.id")


class Report(Base):
    __tablename__ = "reports"
    # A caller's history counts one number's calls in the last 30 days (migration 0005).
    __table_args__ = (Index("ix_reports_caller_number_received_at", "caller_number", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    # The incident the report first made; merging moves `incident_id`, unmerging moves it back.
    origin_incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    caller_name: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    location_text: Mapped[str] = mapped_column(String(500), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Another platform's id for the same report (a 12345 push, say), so a resend is recognised.
    external_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="reports", foreign_keys=[incident_id])


class Assignment(Base):
    """An organisation an incident was handed to: scoping reads this (a handler sees what was sent to them)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("incident_id", "org_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # dispatch | transfer | joint
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CallbackAttempt(Base):
    """One call-back to a silent, cut-off or whispered call: who tried, when, and what came of it."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # vocabulary.CallbackOutcome
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
