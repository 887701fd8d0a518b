"""Missing-person cases (走失人员查找): the person, the grade, the search's tasks, sightings, reviews, public appeals
and the case's own timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, JSONText, UTCDateTime, utcnow


class MissingCase(Base):
    __tablename__ = "missing_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # vocabulary.MissingState
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # the centre that opened it
    station_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)  # who searches
    searchers: Mapped[list] = mapped_column(JSONText, default=list)  # names or usernames

    # The person
    name: Mapped[str] = mapped_column(String(100), default="")
    age: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(8), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # height, clothes, what they carry
    medical_needs: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(100), default="")  # the family's number (masked like a caller's)
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    last_seen_place: Mapped[str] = mapped_column(String(500), default="")
    last_seen_lat: Mapped[float | None] = mapped_column(Float)
    last_seen_lon: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # 研判: the grade a person set, and what the software suggested beside it
    grade: Mapped[str] = mapped_column(String(16))  # vocabulary.RiskGrade
    grade_reasons: Mapped[list] = mapped_column(JSONText, default=list)  # [[zh, en], …]
    suggested_grade: Mapped[str] = mapped_column(String(16))
    graded_by: Mapped[str | None] = mapped_column(String(64))  # None while only the software's suggestion stands
    next_review_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    alert_km: Mapped[int] = mapped_column(Integer)  # how far the regional alert (协查通报) reaches now

    # 反馈: how it ended
    outcome: Mapped[str | None] = mapped_column(String(16))  # vocabulary.MissingOutcome
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    found_place: Mapped[str] = mapped_column(String(500), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    safe_well_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 平安核查
    safe_well_by: Mapped[str | None] = mapped_column(String(64))
    safe_well_note: Mapped[str] = mapped_column(Text, default="")

    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # when the family reported it
    opened_by: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the province's hub was last told of the alert ("active:300", "withdrawn"); None: nothing yet
    province_told: Mapped[str | None] = mapped_column(String(32))


class RegionalAlert(Base):
    """Another city's 协查通报, received through the province's hub because this city lies within its reach: who
    is missing, where and when last seen, how far it reaches; withdrawn when the person is found."""

    __tablename__ = "missing_alerts"
    __table_args__ = (UniqueConstraint("from_peer", "case_ref", name="uq_missing_alerts_from_peer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_peer: Mapped[str] = mapped_column(String(64))  # the city's 110 desk
    from_city: Mapped[str] = mapped_column(String(64), default="")
    case_ref: Mapped[int] = mapped_column(Integer)  # the case's number at its city
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    age: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(8), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    medical_needs: Mapped[str] = mapped_column(Text, default="")
    last_seen_place: Mapped[str] = mapped_column(String(500), default="")
    last_seen_lat: Mapped[float | None] = mapped_column(Float)
    last_seen_lon: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grade: Mapped[str] = mapped_column(String(16))
    alert_km: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))  # vocabulary.MissingOutcome, once withdrawn
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MissingPhoto(Base):
    """A photo of the person, stored once by its content hash."""

    __tablename__ = "missing_photos"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(32))  # checked from the bytes, not the upload's claim
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchTask(Base):
    __tablename__ = "missing_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # vocabulary.MissingTask
    title: Mapped[str] = mapped_column(String(200))
    assignee: Mapped[str] = mapped_column(String(100), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Sighting(Base):
    __tablename__ = "missing_sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(500), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")  # who saw (a caller, a camera, an officer)
    note: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Appeal(Base):
    """A public appeal (寻人启事) given to a partner that publishes it (a news app): what it may publish, until when."""

    __tablename__ = "missing_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    partner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    text: Mapped[str] = mapped_column(Text)  # exactly what may be published
    with_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdraw_by: Mapped[datetime | None] = mapped_column(UTCDateTime)  # taken down at the latest then
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")


class CaseEntry(Base):
    """The case's timeline, in order: every step, review and sighting in words (also appended to the event log)."""

    __tablename__ = "missing_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("missing_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
