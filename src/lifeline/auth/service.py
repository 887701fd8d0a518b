"""Organisations, users, passwords (argon2), failed-login locks, TOTP, bearer tokens and browser sessions."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lifeline.auth import passwords, permissions, throttle
from lifeline.auth.models import ORG_KINDS, ROLES, ApiToken, BrowserSession, LoginThrottle, Organisation, User
from lifeline.common import CHINA, sha256
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import core, forget, once
from lifeline.vocabulary import Role

SESSION_HOURS = 12
SESSION_IDLE = timedelta(minutes=30)
# last_seen is written at most this often, so that a console's many reads stay reads.
SESSION_TOUCH = timedelta(minutes=1)
TOKEN_LIFETIME = timedelta(days=90)
OTP_ISSUER = "lifeline"
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
        raise Invalid(f"未知机构类型 {kind!r} / unknown organisation kind {kind!r}; allowed: {', '.join(ORG_KINDS)}")
    if session.scalar(select(Organisation).where(Organisation.code == code)) is not None:
        raise Conflict(f"机构代码 {code!r} 已存在 / organisation code {code!r} already exists")
    parent_org = org_by_code(session, parent) if parent else None
    org = Organisation(code=code, name=name, kind=kind, parent_id=parent_org.id if parent_org else None, **fields)
    session.add(org)
    session.flush()
    forget(session, ORGS_TREE, ORGS_ROUTING)  # what was read earlier in this transaction lacks it
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
        raise NotFound(f"没有代码为 {code!r} 的机构 / no organisation with code {code!r}")
    return org


_ORG_TREE = select(Organisation.id, Organisation.parent_id, Organisation.kind)
ORGS_TREE, ORGS_ROUTING = "orgs.tree", "orgs.routing"  # per-transaction reads of the organisations (store.once)


def _org_tree(session: Session) -> dict[int, tuple[int | None, str]]:
    """Every organisation's parent and kind, read once per transaction (an intake asks twice)."""
    return once(
        session, ORGS_TREE, lambda: {oid: (parent, kind) for oid, parent, kind in core(session).execute(_ORG_TREE)}
    )


def subtree(session: Session, org_id: int) -> set[int]:
    """The organisation and everything under it."""
    children: dict[int | None, list[int]] = {}
    for oid, (parent, _kind) in _org_tree(session).items():
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
    tree = _org_tree(session)
    seen: set[int] = set()
    while org_id in tree and org_id not in seen:
        seen.add(org_id)
        parent, found = tree[org_id]
        if found == kind:
            return True
        org_id = parent
    return False


# Users --------------------------------------------------------------------------------------


def require_strong(password: str, username: str) -> None:
    found = passwords.problems(password, username)
    if found:
        raise Invalid("密码不符合要求 / the password is too weak: " + "；".join(found))


def add_user(
    session: Session,
    actor: Principal,
    username: str,
    role: str,
    org_code: str,
    password: str,
    display_name: str = "",
    *,
    check_policy: bool = True,
) -> User:
    """A new user. `check_policy=False` is for the demo city only, whose one password is published on purpose."""
    require(actor, "user.write")
    if role not in ROLES:
        raise Invalid(f"未知角色 {role!r} / unknown role {role!r}; allowed: {', '.join(ROLES)}")
    if check_policy:
        require_strong(password, username)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"用户名 {username!r} 已存在 / user {username!r} already exists")
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
        raise NotFound(f"没有用户 {username!r} / no user {username!r}")
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


def set_active(session: Session, actor: Principal, username: str, active: bool) -> User:
    """Deactivate or reactivate a user. A deactivated user's tokens and sessions stop at the next request."""
    require(actor, "user.write")
    user = user_by_name(session, username)
    if not active and user.id == actor.user_id:
        raise Conflict("不能停用自己的账号 / you cannot deactivate your own account")
    if user.active != active:
        user.active = active
        if not active:
            _end_sessions(session, user.id)
        events.append(
            session, "user.reactivated" if active else "user.deactivated", {"username": username}, actor=actor.username
        )
    return user


def change_password(session: Session, actor: Principal, old: str, new: str, *, keep_session: str | None = None) -> int:
    """One's own password, given the old one. Ends one's other console sessions; returns how many."""
    user = session.get(User, actor.user_id)
    if user is None or check_password(session, user.username, old) is None:
        raise Forbidden("原密码错误 / the current password is wrong")
    require_strong(new, user.username)
    user.password_hash = _hasher.hash(new)
    ended = _end_sessions(session, user.id, keep=keep_session)
    events.append(
        session, "user.password_changed", {"username": user.username, "sessions_ended": ended}, actor=actor.username
    )
    return ended


def reset_password(session: Session, actor: Principal, username: str, new: str) -> int:
    """An administrator sets another's password (forgotten, or taken). Ends all that user's sessions."""
    require(actor, "user.write")
    user = user_by_name(session, username)
    require_strong(new, username)
    user.password_hash = _hasher.hash(new)
    ended = _end_sessions(session, user.id)
    events.append(session, "user.password_reset", {"username": username, "sessions_ended": ended}, actor=actor.username)
    return ended


# Logins: the password, the second factor, and the locks after failures ------------------------------------


@dataclass(frozen=True)
class Login:
    """A login's outcome: the user, or why not (and, when locked, the seconds to wait)."""

    user: User | None
    refusal: str = ""
    retry_after: int = 0


WRONG_LOGIN = "用户名或密码错误 / wrong username or password"


def log_in(
    session: Session, username: str, password: str, address: str, otp: str = "", *, now: datetime | None = None
) -> Login:
    """Check a login, counting failures per account name and per client address.

    While either is locked the password is not even checked and nothing is written: a locked attacker adds
    nothing to the audit chain. A refusal is returned, not raised, so that its count is committed.
    """
    now = now or utcnow()
    keys = {f"account:{username}": throttle.FAILURES_PER_ACCOUNT, f"address:{address}": throttle.FAILURES_PER_ADDRESS}
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    wait = max((throttle.retry_after(_count(row), now) for row in rows), default=0)
    if wait:
        return Login(None, _locked_message(now, wait), wait)
    user = check_password(session, username, password)
    refusal = WRONG_LOGIN if user is None else _second_factor(user, otp, now)
    if not refusal:
        session.execute(delete(LoginThrottle).where(LoginThrottle.key == f"account:{username}"))
        return Login(user)
    _count_failure(session, keys, username, address, refusal, now)
    return Login(None, refusal)


def _count(row: LoginThrottle) -> throttle.Count:
    return throttle.Count(row.failures, row.locks, row.locked_until)


def _locked_message(now: datetime, wait: int) -> str:
    until = (now + timedelta(seconds=wait)).astimezone(CHINA).strftime("%H:%M")
    minutes = -(-wait // 60)
    return (
        f"登录失败次数过多，已暂时锁定：请于 {until}（约 {minutes} 分钟后）再试，或请管理员解锁"
        f" / too many failed logins: try again after {until} China time (in about {minutes} min),"
        " or ask an administrator to unlock"
    )


def _count_failure(
    session: Session, keys: dict[str, int], username: str, address: str, reason: str, now: datetime
) -> None:
    # Rows older than the longest lock are forgotten; the table stays as small as the recent failures.
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - throttle.FORGET_AFTER))
    _insert_missing(session, [{"key": k, "failures": 0, "locks": 0, "last_failure_at": now} for k in sorted(keys)])
    # Locked (in one order, so two workers cannot deadlock) and read afresh: two failures at once both count.
    locked = select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key).with_for_update()
    rows = session.scalars(locked.execution_options(populate_existing=True)).all()
    who = {"username": username, "address": address}
    entries = [events.Entry("login.failed", {**who, "reason": reason})]
    for row in rows:
        counted = throttle.after_failure(_count(row), now, keys[row.key])
        if counted.locks > row.locks:
            entries.append(
                events.Entry(
                    "login.locked",
                    {
                        **who,
                        "locked": row.key.partition(":")[0],
                        "until": counted.locked_until.isoformat(),
                        "lock": counted.locks,
                    },
                )
            )
        row.failures, row.locks, row.locked_until = counted.failures, counted.locks, counted.locked_until
        row.last_failure_at = now
    events.append_all(session, entries)


def _insert_missing(session: Session, rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: another worker may be adding the same row."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(LoginThrottle).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def unlock(session: Session, actor: Principal, username: str | None = None, address: str | None = None) -> int:
    """An administrator lifts the locks (and forgets the failures) of an account name and/or an address."""
    require(actor, "user.write")
    keys = [f"account:{username}"] * bool(username) + [f"address:{address}"] * bool(address)
    if not keys:
        raise Invalid("请给出用户名或地址 / name a user or an address to unlock")
    released = session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys))).rowcount
    events.append(session, "login.unlocked", {"username": username, "address": address}, actor=actor.username)
    return released


# TOTP second factor (supervisors and administrators) -------------------------------------------------------


def _second_factor(user: User, otp: str, now: datetime) -> str:
    """Why the second factor fails ("" when it holds or is not enrolled)."""
    if not user.totp_active:
        return ""
    if not otp:
        return "请输入动态验证码 / enter the one-time code from your authenticator app"
    return "" if _accept_code(user, otp, now) else "动态验证码错误 / wrong one-time code"


def _accept_code(user: User, code: str, now: datetime) -> bool:
    """The code of this 30-second step or a neighbour, each good once."""
    totp = pyotp.TOTP(user.totp_secret)
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if candidate > (user.totp_last_step or -1) and hmac.compare_digest(totp.generate_otp(candidate), code):
            user.totp_last_step = candidate
            return True
    return False


def _own(session: Session, actor: Principal, action: str) -> User:
    require(actor, action)
    user = session.get(User, actor.user_id)
    if user is None:
        raise Forbidden("只有用户本人可以这样做 / only a user may do this for themselves")
    return user


def enrol_otp(session: Session, actor: Principal) -> tuple[str, str]:
    """Start (or restart) enrolment: (secret, otpauth URI), shown once; a first code confirms it."""
    user = _own(session, actor, "account.otp")
    if user.totp_active:
        raise Conflict("动态验证码已启用，请先停用 / a second factor is already on: disable it first")
    user.totp_secret, user.totp_last_step = pyotp.random_base32(), None
    events.append(session, "otp.enrolling", {"username": user.username}, actor=actor.username)
    return user.totp_secret, pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=OTP_ISSUER)


def confirm_otp(session: Session, actor: Principal, code: str, *, now: datetime | None = None) -> None:
    user = _own(session, actor, "account.otp")
    if user.totp_secret is None or user.totp_active:
        raise Conflict("没有待确认的动态验证码登记 / there is no enrolment to confirm")
    if not _accept_code(user, code, now or utcnow()):
        raise Invalid("动态验证码错误，请输入验证器上当前的 6 位数字 / wrong code: type the 6 digits the app shows now")
    user.totp_active = True
    events.append(session, "otp.enabled", {"username": user.username}, actor=actor.username)


def disable_otp(session: Session, actor: Principal, code: str, *, now: datetime | None = None) -> None:
    user = _own(session, actor, "account.otp")
    if not user.totp_active:
        raise Conflict("动态验证码未启用 / the second factor is not on")
    if not _accept_code(user, code, now or utcnow()):
        raise Invalid("动态验证码错误 / wrong one-time code")
    _clear_otp(session, user, actor)


def reset_otp(session: Session, actor: Principal, username: str) -> None:
    """An administrator removes a user's second factor (a lost phone); the user may enrol again."""
    require(actor, "user.write")
    _clear_otp(session, user_by_name(session, username), actor)


def _clear_otp(session: Session, user: User, actor: Principal) -> None:
    user.totp_secret, user.totp_active, user.totp_last_step = None, False, None
    events.append(session, "otp.disabled", {"username": user.username}, actor=actor.username)


# Tokens ---------------------------------------------------------------------------------------


def create_token(
    session: Session,
    actor: Principal,
    username: str,
    lifetime: timedelta = TOKEN_LIFETIME,
    *,
    now: datetime | None = None,
) -> str:
    if lifetime <= timedelta(0):
        raise Invalid("令牌有效期须为正 / a token's lifetime must be positive")
    user = user_by_name(session, username)
    secret = "ll_" + secrets.token_urlsafe(32)
    now = now or utcnow()
    token = ApiToken(user_id=user.id, token_hash=sha256(secret), created_at=now, expires_at=now + lifetime)
    session.add(token)
    session.flush()
    events.append(
        session,
        "token.created",
        {"username": username, "token": token.id, "expires_at": token.expires_at.isoformat()},
        actor=actor.username,
    )
    return secret


# Built once: every request with a token runs it.
_BY_TOKEN = (
    select(User.id, User.username, User.role, User.org_id, ApiToken.expires_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None), User.active.is_(True))
)


def principal_for_token(session: Session, secret: str, *, now: datetime | None = None) -> Principal | None:
    """The token's user; None when unknown or revoked. An expired token is refused with its own message."""
    row = core(session).execute(_BY_TOKEN, {"digest": sha256(secret)}).one_or_none()
    if row is None:
        return None
    if row.expires_at <= (now or utcnow()):
        day = row.expires_at.astimezone(CHINA).date().isoformat()
        raise Unauthorized(f"令牌已于 {day} 过期，请向管理员申请新令牌 / the token expired on {day}; ask for a new one")
    return Principal(*row[:4], "token")


def tokens_of(session: Session, actor: Principal, username: str) -> list[ApiToken]:
    """A user's tokens (never their secrets): for the user and for administrators."""
    user = user_by_name(session, username)
    _owner_or_admin(actor, user.id)
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(session: Session, actor: Principal, token_id: int, *, now: datetime | None = None) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or not (token.user_id == actor.user_id or permissions.allowed(actor.role, "user.write")):
        raise NotFound(f"没有令牌 {token_id} / no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        events.append(session, "token.revoked", {"token": token_id, "user_id": token.user_id}, actor=actor.username)
    return token


def _owner_or_admin(actor: Principal, user_id: int) -> None:
    if actor.user_id != user_id and not permissions.allowed(actor.role, "user.write"):
        raise Forbidden("只有本人或管理员可以这样做 / only the user or an administrator may do this")


# Console sessions ---------------------------------------------------------------------------------


def open_session(session: Session, user: User, *, now: datetime | None = None) -> tuple[str, str]:
    """A new console session: (cookie secret, CSRF token)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = now or utcnow()
    session.add(
        BrowserSession(
            id=sha256(secret),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    events.append(session, "session.opened", {"username": user.username}, actor=user.username)
    return secret, csrf


@dataclass(frozen=True)
class ConsoleSession:
    principal: Principal
    csrf: str
    stale: bool  # last_seen is over SESSION_TOUCH old: `touch_session` it


_BY_SESSION = (
    select(
        User.id,
        User.username,
        User.role,
        User.org_id,
        BrowserSession.csrf_token,
        BrowserSession.expires_at,
        BrowserSession.last_seen,
    )
    .join(BrowserSession, BrowserSession.user_id == User.id)
    .where(BrowserSession.id == bindparam("digest"), User.active.is_(True))
)


def look_up_session(session: Session, secret: str, *, now: datetime | None = None) -> ConsoleSession | None:
    """A live session (not past its 12 hours, not idle for 30 minutes) of an active user; reads only."""
    row = core(session).execute(_BY_SESSION, {"digest": sha256(secret)}).one_or_none()
    now = now or utcnow()
    if row is None or row.expires_at <= now or row.last_seen + SESSION_IDLE <= now:
        return None
    return ConsoleSession(Principal(*row[:4], "session"), row.csrf_token, row.last_seen + SESSION_TOUCH <= now)


def touch_session(session: Session, secret: str, *, now: datetime | None = None) -> None:
    session.execute(update(BrowserSession).where(BrowserSession.id == sha256(secret)).values(last_seen=now or utcnow()))


def close_session(session: Session, secret: str) -> None:
    row = session.get(BrowserSession, sha256(secret))
    if row is not None:
        session.delete(row)


def end_sessions(session: Session, actor: Principal, username: str, *, keep: str | None = None) -> int:
    """End all of a user's console sessions (but `keep`'s); the user or an administrator. Returns how many."""
    user = user_by_name(session, username)
    _owner_or_admin(actor, user.id)
    ended = _end_sessions(session, user.id, keep=keep)
    events.append(session, "session.ended_all", {"username": username, "sessions_ended": ended}, actor=actor.username)
    return ended


def _end_sessions(session: Session, user_id: int, *, keep: str | None = None) -> int:
    query = delete(BrowserSession).where(BrowserSession.user_id == user_id)
    if keep:
        query = query.where(BrowserSession.id != sha256(keep))
    return session.execute(query).rowcount
