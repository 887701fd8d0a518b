"""Organisations, users, passwords (argon2), bearer tokens and browser sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from lifeline.auth import permissions
from lifeline.auth.models import ORG_KINDS, ROLES, ApiToken, BrowserSession, Organisation, User
from lifeline.common import sha256
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import core
from lifeline.vocabulary import Role

SESSION_HOURS = 12
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is acting: enough to check a permission and scope a query without another read."""

    user_id: int
    username: str
    role: str
    org_id: int
    via: str = "token"  # token | session | system


SYSTEM = Principal(0, "system", "admin", 0, via="system")


def peer_principal(peer: str, org_id: int) -> Principal:
    """Another platform acting through a signed message, at the desk (`org_id`) that takes its messages in."""
    return Principal(0, f"peer:{peer}", Role.PEER, org_id, via="peer")


def require(actor: Principal, action: str) -> None:
    if not permissions.allowed(actor.role, action):
        raise Forbidden(f"角色 {actor.role} 无权执行 {action} / role {actor.role} may not {action}")


def principal_of(user: User, via: str) -> Principal:
    return Principal(user.id, user.username, user.role, user.org_id, via)


# Organisations ------------------------------------------------------------------------------


def add_org(
    session: Session, actor: Principal, code: str, name: str, kind: str, parent: str | None = None, **fields
) -> Organisation:
    require(actor, "org.write")
    if kind not in ORG_KINDS:
        raise Invalid(f"未知机构类型 unknown organisation kind {kind!r}; 可选 allowed: {', '.join(ORG_KINDS)}")
    if session.scalar(select(Organisation).where(Organisation.code == code)) is not None:
        raise Conflict(f"机构代码已存在 organisation code {code!r} already exists")
    parent_org = org_by_code(session, parent) if parent else None
    org = Organisation(code=code, name=name, kind=kind, parent_id=parent_org.id if parent_org else None, **fields)
    session.add(org)
    session.flush()
    events.append(
        session,
        "org.added",
        {"code": code, "name": name, "kind": kind, "parent": parent, **fields},
        actor=actor.username,
    )
    return org


def org_by_code(session: Session, code: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise NotFound(f"没有代码为 {code!r} 的机构 no organisation with code {code!r}")
    return org


_ORG_TREE = select(Organisation.id, Organisation.parent_id)


def subtree(session: Session, org_id: int) -> set[int]:
    """The organisation and everything under it."""
    children: dict[int | None, list[int]] = {}
    for oid, parent in core(session).execute(_ORG_TREE):
        children.setdefault(parent, []).append(oid)
    found, todo = set(), [org_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def under(session: Session, org_id: int, kind: str) -> bool:
    """Whether the organisation is of `kind` or sits below one that is (a police station under a 110 centre)."""
    tree = {oid: (parent, k) for oid, parent, k in core(session).execute(_ORG_KINDS)}
    seen: set[int] = set()
    while org_id in tree and org_id not in seen:
        seen.add(org_id)
        parent, found = tree[org_id]
        if found == kind:
            return True
        org_id = parent
    return False


_ORG_KINDS = select(Organisation.id, Organisation.parent_id, Organisation.kind)


# Users --------------------------------------------------------------------------------------


def add_user(
    session: Session, actor: Principal, username: str, role: str, org_code: str, password: str, display_name: str = ""
) -> User:
    require(actor, "user.write")
    if role not in ROLES:
        raise Invalid(f"未知角色 unknown role {role!r}; 可选 allowed: {', '.join(ROLES)}")
    if len(password) < 8:
        raise Invalid("密码至少 8 位 the password needs at least 8 characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"用户名已存在 user {username!r} already exists")
    org = org_by_code(session, org_code)
    user = User(
        username=username, role=role, org_id=org.id, password_hash=_hasher.hash(password), display_name=display_name
    )
    session.add(user)
    session.flush()
    events.append(session, "user.added", {"username": username, "role": role, "org": org_code}, actor=actor.username)
    return user


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"没有用户 {username!r} no user {username!r}")
    return user


def check_password(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so names cannot be probed
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


# Tokens and sessions --------------------------------------------------------------------------


def create_token(session: Session, actor: Principal, username: str) -> str:
    user = user_by_name(session, username)
    secret = "ll_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=sha256(secret)))
    session.flush()
    events.append(session, "token.created", {"username": username}, actor=actor.username)
    return secret


# Built once: every request with a token runs it.
_BY_TOKEN = (
    select(User.id, User.username, User.role, User.org_id)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None), User.active.is_(True))
)


def principal_for_token(session: Session, secret: str) -> Principal | None:
    row = core(session).execute(_BY_TOKEN, {"digest": sha256(secret)}).one_or_none()
    return Principal(*row, "token") if row else None


def open_session(session: Session, user: User) -> tuple[str, str]:
    """A new console session: (cookie secret, CSRF token)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        BrowserSession(
            id=sha256(secret), user_id=user.id, csrf_token=csrf, expires_at=utcnow() + timedelta(hours=SESSION_HOURS)
        )
    )
    events.append(session, "session.opened", {"username": user.username}, actor=user.username)
    return secret, csrf


def principal_for_session(session: Session, secret: str) -> tuple[Principal, str] | None:
    row = session.execute(
        select(User, BrowserSession)
        .join(BrowserSession, BrowserSession.user_id == User.id)
        .where(BrowserSession.id == sha256(secret), User.active.is_(True))
    ).one_or_none()
    if row is None or row.BrowserSession.expires_at <= utcnow():
        return None
    return principal_of(row.User, "session"), row.BrowserSession.csrf_token


def close_session(session: Session, secret: str) -> None:
    row = session.get(BrowserSession, sha256(secret))
    if row is not None:
        session.delete(row)
