"""HTTP routes of sessions, organisations and users."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from lifeline.api.context import SESSION_COOKIE, IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES, Unauthorized
from lifeline.auth import permissions, service
from lifeline.auth.models import Organisation, User
from lifeline.auth.schemas import LoginIn, MeOut, OrgIn, OrgList, OrgOut, SessionOut, UserIn, UserList, UserOut
from lifeline.store.engine import transaction

router = APIRouter(responses=RESPONSES)


@router.post("/session", response_model=SessionOut, tags=["auth"], summary="登录 log in (console cookie)")
def login(body: LoginIn, request: Request):
    with transaction(request.app.state.sessions) as session:
        user = service.check_password(session, body.username, body.password)
        if user is None:
            raise Unauthorized("用户名或密码错误 / wrong username or password")
        secret, csrf = service.open_session(session, user)
        answer = SessionOut(username=user.username, role=user.role, csrf_token=csrf)
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
    response = JSONResponse(None, status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_model=MeOut, tags=["auth"], summary="当前用户 who am I")
def me(ctx: RequestContext):
    def work(session, who):
        allowed = sorted(a for a in permissions.PERMISSIONS if permissions.allowed(who.role, a))
        return MeOut(username=who.username, role=who.role, org_id=who.org_id, via=who.via, permissions=allowed)

    return ctx.run(work)


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
