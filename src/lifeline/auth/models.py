"""Organisations form a tree with jurisdictions; users hold one role in one organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifeline.store.base import Base, UTCDateTime, utcnow
from lifeline.vocabulary import USER_ROLES

ROLES = {role.value: role.zh for role in USER_ROLES}

ORG_KINDS = {
    "city": "市级",
    "centre_110": "110 指挥中心",
    "centre_12345": "12345 热线中心",
    "police_bureau": "公安分局（区）",  # a district's bureau over its stations: the district of the figures
    "police_station": "派出所",
    "department": "职能部门",
    "utility": "公用事业单位",
    "fire_119": "119 消防",
    "ems_120": "120 急救",
    "governance_centre": "综治中心",
    # An insurer: a linkage organisation for the minor-accident flow (快处快赔), its orders in its own inbox.
    "insurer": "保险公司",
    # A partner that publishes what the police give it (a news app's 寻人 appeals), and nothing else.
    "media_partner": "发布合作方",
}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Free text of the area served, e.g. "天河区" or "天河区 石牌街道"; maps come with dispatch.
    jurisdiction: Mapped[str] = mapped_column(String(500), default="")
    # The taxonomy destination this organisation answers for (power, water, 119, ...), if any.
    serves: Mapped[str | None] = mapped_column(String(64))
    # A police station's zone: the minutes within which police must arrive there (Anhui's 1, 3 and 5 minutes).
    arrive_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # TOTP second factor: a secret is kept from enrolment; it guards logins once confirmed (totp_active).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_active: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last time step whose code was accepted: a code is good once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    org: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for a service; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BrowserSession(Base):
    """A console login: the cookie carries a secret whose hash is the key; writes need the CSRF token."""

    __tablename__ = "browser_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Touched at most once a minute: an idle session ends after auth.service.SESSION_IDLE.
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed logins of one account name or one client address (`key`), shared by every worker."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "account:<name>" or "address:<ip>"
    failures: Mapped[int] = mapped_column(Integer, default=0)  # since the last lock
    locks: Mapped[int] = mapped_column(Integer, default=0)  # in a row: each lasts longer
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
