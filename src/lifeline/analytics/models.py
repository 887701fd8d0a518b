"""Summary tables of the figures: one row per local day, category and unit, so that a year's report reads a few
hundred thousand rows instead of millions. Kept correct by `summary`: every change to an incident, report,
assignment or order of a past day bumps that day's `changes`, and a day is read from here only while its rows
were built at its current count; otherwise it is counted live, as today always is."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, UTCDateTime

# The counts a row holds: the inputs of `kpis` that add up over disjoint days (analytics.service.Inputs).
COUNTS = (
    "reports", "live_calls", "answered", "incidents", "valid", "dispatch_due", "dispatched_in_a_minute",
    "arrival_due", "arrived_in_time", "diverted", "invalid", "with_number", "repeats",
    "signed", "signed_on_time", "handled", "handled_on_time", "visits", "satisfied", "basic",
)  # fmt: skip


class FigureDay(Base):
    __tablename__ = "figure_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    changes: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every change touching the day
    built: Mapped[int | None] = mapped_column(Integer)  # the `changes` its rows were built at
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FigureRow(Base):
    __tablename__ = "figure_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(Integer)  # analytics.service.incident_unit / order_unit
    hour: Mapped[int | None] = mapped_column(Integer)  # set on the per-hour call rows only (reports alone)
    # The counts: COUNTS, in that order.
    reports: Mapped[int] = mapped_column(Integer, default=0)
    live_calls: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    incidents: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_due: Mapped[int] = mapped_column(Integer, default=0)
    dispatched_in_a_minute: Mapped[int] = mapped_column(Integer, default=0)
    arrival_due: Mapped[int] = mapped_column(Integer, default=0)
    arrived_in_time: Mapped[int] = mapped_column(Integer, default=0)
    diverted: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    with_number: Mapped[int] = mapped_column(Integer, default=0)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    signed: Mapped[int] = mapped_column(Integer, default=0)
    signed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    handled_on_time: Mapped[int] = mapped_column(Integer, default=0)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    basic: Mapped[int] = mapped_column(Integer, default=0)
