"""A nuisance caller's case: the review, warnings, referrals and legal steps, and a flag with its exit rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, JSONText, UTCDateTime, utcnow


class CallerCase(Base):
    """One number's case. A number has at most one open case: `open_number` holds the number while the case is
    open (NULL once closed) and is unique, so two supervisors cannot open two at once."""

    __tablename__ = "caller_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), index=True)
    open_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # vocabulary.NuisanceState
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The flag (标记): informs the desk at pickup, never drops or lowers a call. It ends by its exit rule, kept as
    # it was set ({"exit_days", "categories", "outcomes"}: no false call of those kinds for so many days;
    # callers.criteria.flag_state), or when a supervisor lifts it with a reason.
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    flag_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    flag_rule: Mapped[dict | None] = mapped_column(JSONText)
    flag_lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    flag_lift_reason: Mapped[str | None] = mapped_column(Text)


class CallerCaseStep(Base):
    """One step on a case: what was done (vocabulary.NuisanceStep), how (StepMeans), by whom, when, and why."""

    __tablename__ = "caller_case_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caller_cases.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    means: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    # A review's evidence as it stood (the false calls' ids, counts by window); a flag's review date and exit rule.
    detail: Mapped[dict] = mapped_column(JSONText, default=dict)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
