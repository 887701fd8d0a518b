"""Work orders. Each side of a bridge keeps its own row of an order, joined by `uid`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # the same on both sides of a bridge
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    # The peer platform that holds the other copy (None when both sides share this database).
    peer: Mapped[str | None] = mapped_column(String(64))
    # The lead organisation where this side handles the order; None when the peer routes and handles it.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The desk that raised (or, for a peer's order, took in and routed) the order: its re-route queue gets it back.
    sender_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    state: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(32))
    # The catalogue item and version that routed the order (None for orders from before the catalogue).
    catalogue_version: Mapped[int | None] = mapped_column(Integer)
    catalogue_item: Mapped[str | None] = mapped_column(String(64), index=True)
    district: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    caller_number: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(500), default="")
    sign_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    handle_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The time limit it is held to (routing.Deadline): its kind of matter, the working days when counted in them,
    # and whether a year of the count lacked the official calendar (the deadline is then an estimate).
    limit_kind: Mapped[str | None] = mapped_column(String(16))
    limit_days: Mapped[int | None] = mapped_column(Integer)
    calendar_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    urged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 催办 for the current handle_by (reset on a move)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(32))
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    visit_comment: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)
    redo_count: Mapped[int] = mapped_column(Integer, default=0)
    returns: Mapped[int] = mapped_column(Integer, default=0)  # 退回 by its handlers (twice: to the coordinator)
    # Messages about this order are applied in the order they were sent (exchange ordering).
    seq: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderOrg(Base):
    """Organisations that handle an order: the lead, and those asked to countersign (会签)."""

    __tablename__ = "order_orgs"
    __table_args__ = (UniqueConstraint("order_id", "org_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # lead | countersign | former (a lead it was re-routed from)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FollowUp(Base):
    """催办 (urge), 督办 (supervise) and 延期申请 (extension) of an order: who, when, what was asked or demanded."""

    __tablename__ = "order_followups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # urge | supervise | extension
    text: Mapped[str] = mapped_column(Text)  # the urge's words, what supervision demands, an extension's grounds
    working_days: Mapped[int | None] = mapped_column(Integer)  # extension asked / supervision's time, working days
    due: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the deadline asked for, or demanded by
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)  # an urge of the sweep, not a person
    by: Mapped[str] = mapped_column(String(64))
    by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decision: Mapped[str | None] = mapped_column(String(16))  # extension: pending | approved | refused
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
