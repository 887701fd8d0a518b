"""Work orders. Each side of a bridge keeps its own row of an order, joined by `uid`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
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
