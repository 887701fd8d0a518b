"""HTTP routes of sessions, accounts, tokens, organisations and users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from lifeline.api.context import SESSION_COOKIE, IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES, Unauthorized
from lifeline.api.schemas import Id
from lifeline.auth import permissions, service
from lifeline.auth.models import Organisation, User
from lifeline.auth.schemas import (
    LoginIn,
    MeOut,
    OrgIn,
    OrgList,
    OrgOut,
    OtpCodeIn,
    OtpEnrolment,
    OtpState,
    PasswordChangeIn,
    PasswordIn,
    SessionOut,
    SessionsEnded,
    TokenList,
    TokenOut,
    Unlocked,
    UnlockIn,
    UserIn,
    UserList,
    UserOut,
)
from lifeline.errors import TooManyAttempts
from lifeline.store.engine import transaction

router = APIRouter(responses=RESPONSES)
Username = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", description="用户名 username")
]
LOCKED = {429: {"description": "尝试次数过多，见 Retry-After / too many failed logins; see Retry-After"}}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def refuse(login: service.Login) -> None:
    """The refused login's error: 429 with Retry-After while locked, else 401."""
    if login.retry_after:
        raise TooManyAttempts(login.refusal, login.retry_after)
    raise Unauthorized(login.refusal)


@router.post(
    "/session", response_model=SessionOut, tags=["auth"], summary="登录 log in (console cookie)", responses=LOCKED
)
def login(body: LoginIn, request: Request):
    with transaction(request.app.state.sessions) as session:
        now = request.app.state.clock()
        login = service.log_in(session, body.username, body.password, client_address(request), body.otp, now=now)
        if login.user is not None:
            secret, csrf = service.open_session(session, login.user, now=now)
            answer = SessionOut(username=login.user.username, role=login.user.role, csrf_token=csrf)
    if login.user is None:
        refuse(login)
    response = JSONResponse(answer.model_dump())
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=service.SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


@router.delete("/session", status_code=204, tags=["auth"], summary="退出 log out")
def logout(request: Request):
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with transaction(request.app.state.sessions) as session:
            service.close_session(session, secret)
    # No body at all: a 204 declares none, and the server refuses to send one.
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_model=MeOut, tags=["auth"], summary="当前用户 who am I")
def me(ctx: RequestContext):
    def work(session, who):
        allowed = sorted(a for a in permissions.PERMISSIONS if permissions.allowed(who.role, a))
        return MeOut(username=who.username, role=who.role, org_id=who.org_id, via=who.via, permissions=allowed)

    return ctx.run(work)


@router.post("/me/password", response_model=SessionsEnded, tags=["auth"], summary="修改本人密码 change my password")
def change_password(body: PasswordChangeIn, ctx: RequestContext):
    keep = ctx.request.cookies.get(SESSION_COOKIE) if not ctx.request.headers.get("authorization") else None

    def work(session, who):
        ended = service.change_password(session, who, body.old_password, body.new_password, keep_session=keep)
        return SessionsEnded(sessions_ended=ended)

    return ctx.run(work)


@router.delete(
    "/me/sessions", response_model=SessionsEnded, tags=["auth"], summary="结束本人所有会话 log out everywhere"
)
def end_my_sessions(ctx: RequestContext):
    return ctx.run(lambda session, who: SessionsEnded(sessions_ended=service.end_sessions(session, who, who.username)))


@router.post("/me/otp", response_model=OtpEnrolment, tags=["auth"], summary="登记动态验证码 enrol a TOTP app")
def enrol_otp(ctx: RequestContext):
    def work(session, who):
        secret, uri = service.enrol_otp(session, who)
        return OtpEnrolment(secret=secret, uri=uri)

    return ctx.run(work)


@router.post("/me/otp/confirm", response_model=OtpState, tags=["auth"], summary="以首个验证码启用 confirm TOTP")
def confirm_otp(body: OtpCodeIn, ctx: RequestContext):
    def work(session, who):
        service.confirm_otp(session, who, body.code, now=ctx.request.app.state.clock())
        return OtpState(active=True)

    return ctx.run(work)


@router.post("/me/otp/disable", response_model=OtpState, tags=["auth"], summary="停用动态验证码 turn TOTP off")
def disable_otp(body: OtpCodeIn, ctx: RequestContext):
    def work(session, who):
        service.disable_otp(session, who, body.code, now=ctx.request.app.state.clock())
        return OtpState(active=False)

    return ctx.run(work)


@router.get("/users/{username}/tokens", response_model=TokenList, tags=["auth"], summary="用户的令牌 a user's tokens")
def list_tokens(username: Username, ctx: RequestContext):
    def work(session, who):
        return TokenList(items=[TokenOut.model_validate(t) for t in service.tokens_of(session, who, username)])

    return ctx.run(work)


@router.delete("/tokens/{token_id}", response_model=TokenOut, tags=["auth"], summary="吊销令牌 revoke a token")
def revoke_token(token_id: Id, ctx: RequestContext):
    return ctx.run(lambda session, who: TokenOut.model_validate(service.revoke_token(session, who, token_id)))


@router.post("/login-locks/release", response_model=Unlocked, tags=["auth"], summary="解除登录锁定 unlock logins")
def unlock(body: UnlockIn, ctx: RequestContext):
    return ctx.run(lambda session, who: Unlocked(released=service.unlock(session, who, body.username, body.address)))


@router.get("/organisations", response_model=OrgList, tags=["organisations"], summary="机构列表")
def list_orgs(ctx: RequestContext):
    def work(session, who):
        service.require(who, "org.read")
        return OrgList(
            items=[OrgOut.model_validate(o) for o in session.scalars(select(Organisation).order_by(Organisation.id))]
        )

    return ctx.run(work)


@router.post("/organisations", status_code=201, response_model=OrgOut, tags=["organisations"], summary="新增机构")
def add_org(body: OrgIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        service.require(who, "org.write")
        fields = body.model_dump(exclude={"code", "name", "kind", "parent"})
        return OrgOut.model_validate(
            service.add_org(session, who, body.code, body.name, body.kind, body.parent, **fields)
        )

    return ctx.run(work, status=201, key=key, body=body)


@router.get("/users", response_model=UserList, tags=["users"], summary="用户列表")
def list_users(ctx: RequestContext):
    def work(session, who):
        service.require(who, "user.read")
        return UserList(items=[UserOut.model_validate(u) for u in session.scalars(select(User).order_by(User.id))])

    return ctx.run(work)


@router.post("/users", status_code=201, response_model=UserOut, tags=["users"], summary="新增用户")
def add_user(body: UserIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        service.require(who, "user.write")
        user = service.add_user(
            session, who, body.username, body.role, body.org, body.password, display_name=body.display_name
        )
        return UserOut.model_validate(user)

    return ctx.run(work, status=201, key=key, body=body)


@router.post("/users/{username}/deactivate", response_model=UserOut, tags=["users"], summary="停用用户")
def deactivate(username: Username, ctx: RequestContext):
    return ctx.run(lambda session, who: UserOut.model_validate(service.set_active(session, who, username, False)))


@router.post("/users/{username}/reactivate", response_model=UserOut, tags=["users"], summary="恢复用户")
def reactivate(username: Username, ctx: RequestContext):
    return ctx.run(lambda session, who: UserOut.model_validate(service.set_active(session, who, username, True)))


@router.post("/users/{username}/password", response_model=SessionsEnded, tags=["users"], summary="重置密码")
def reset_password(username: Username, body: PasswordIn, ctx: RequestContext):
    def work(session, who):
        return SessionsEnded(sessions_ended=service.reset_password(session, who, username, body.password))

    return ctx.run(work)


@router.delete("/users/{username}/sessions", response_model=SessionsEnded, tags=["users"], summary="结束其全部会话")
def end_sessions(username: Username, ctx: RequestContext):
    return ctx.run(lambda session, who: SessionsEnded(sessions_ended=service.end_sessions(session, who, username)))


@router.delete("/users/{username}/otp", response_model=OtpState, tags=["users"], summary="移除其动态验证码")
def reset_otp(username: Username, ctx: RequestContext):
    def work(session, who):
        service.reset_otp(session, who, username)
        return OtpState(active=False)

    return ctx.run(work)
