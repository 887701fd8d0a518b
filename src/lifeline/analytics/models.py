"""Summary tables of the figures: rows per (category, unit) for each settled local day, and the same rolled up
per month and per year, so that a year's report reads a few thousand rows instead of millions. Kept correct by
`summary`: every change to an incident, report, assignment or order of a past day bumps that day's `changes`;
a day is read from here only while its rows were built at its current count, a month or year only while every
one of its days is and the sum of their counts is the one it was built at; otherwise it is counted live, as
today always is."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String
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


SPANS = ("day", "month", "year")


class FigureSpan(Base):
    """A month's or a year's rolled-up rows: fresh while its days are and their `changes` still add up to
    `built_sum`."""

    __tablename__ = "figure_spans"

    span: Mapped[str] = mapped_column(String(5), primary_key=True)  # month | year
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    built_sum: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FigureRow(Base):
    __tablename__ = "figure_rows"
    __table_args__ = (Index("ix_figure_rows_span_day", "span", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    span: Mapped[str] = mapped_column(String(5))  # SPANS
    day: Mapped[date] = mapped_column(Date)  # the span's first day
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
