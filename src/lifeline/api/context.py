"""One request, one transaction: who is asking, what they may do, and the answer a retry gets again."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifeline.api.models import IdempotencyRecord
from lifeline.api.problems import Unauthorized
from lifeline.auth import policy
from lifeline.auth import service as auth
from lifeline.auth.service import Principal
from lifeline.common import sha256
from lifeline.errors import Forbidden, Invalid
from lifeline.store.engine import transaction

SESSION_COOKIE = "lifeline_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def credentials(request: Request) -> tuple[Principal, str | None] | None:
    """Who sent the request: a bearer token, else a live console session with its CSRF token. Read without the
    write lock; a session's idle clock is restarted at most once a minute (a short write of its own)."""
    now = request.app.state.clock()
    header, cookie = request.headers.get("authorization"), request.cookies.get(SESSION_COOKIE)
    with request.app.state.readers() as session:
        if header:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise Unauthorized("Authorization 头应为 'Bearer <令牌>' / the header must be 'Bearer <token>'")
            found = auth.principal_for_token(session, secret.strip(), now=now)
            if found is None:
                raise Unauthorized("令牌无效或已吊销 / the token is unknown or revoked")
            return found, None
        live = auth.look_up_session(session, cookie, now=now) if cookie else None
    if live is None:
        return None
    if live.stale:
        with transaction(request.app.state.sessions) as session:
            auth.touch_session(session, cookie, now=now)
    return live.principal, live.csrf


def _csrf_missing(request: Request, csrf: str | None) -> bool:
    """A console session writing to the API must send its CSRF token (a bearer token needs none)."""
    if csrf is None or not request.url.path.startswith(policy.API) or request.method not in UNSAFE:
        return False
    return not hmac.compare_digest(request.headers.get(CSRF_HEADER, "").encode(), csrf.encode())


async def guard(request: Request) -> None:
    """The route's rule (auth.policy), checked before the route runs or its body is validated: a person without
    the right hears 401 or 403 whatever they sent. Consoles are sent to the login page or their own page instead."""
    rule = request.app.state.rules[request.scope["endpoint"]]
    if rule.action in policy.NOT_PEOPLE:
        return
    found = await run_in_threadpool(credentials, request)  # one thread hop, and none for public routes
    request.state.principal, request.state.csrf = found or (None, None)
    verdict = policy.verdict(rule, found[0].role if found else None)
    if verdict == "allow":
        if _csrf_missing(request, found[1]):
            raise Forbidden(f"缺少或错误的 {CSRF_HEADER} / missing or wrong {CSRF_HEADER} header")
        return
    if request.url.path.startswith(policy.API):
        if verdict == "login":
            if request.cookies.get(SESSION_COOKIE):
                raise Unauthorized("会话已过期，请重新登录 / the session has expired; log in again")
            raise Unauthorized("请先登录或提供令牌 / log in or send a bearer token")
        raise Forbidden(f"角色 {found[0].role} 无权执行 {rule.action} / role {found[0].role} may not {rule.action}")
    if request.method == "GET" and rule.rows == policy.NONE:  # a console page: go where you belong
        target = "/login" if verdict == "login" else "/"
        raise HTTPException(303, "请先登录 / log in first", headers={"Location": target})
    raise HTTPException(401 if verdict == "login" else 403, "无权操作 / not allowed")


class Ctx:
    def __init__(self, request: Request):
        self.request = request
        self.factory = request.app.state.sessions

    def principal(self, session: Session) -> Principal:
        """Found by `guard` before the route ran (in the same request)."""
        who = getattr(self.request.state, "principal", None)
        if who is None:
            raise Unauthorized("请先登录或提供令牌 / log in or send a bearer token")
        return who

    def fetch(self, work: Callable[[Session, Principal], object]) -> object:
        """Run `work` in one transaction and hand back what it returns: a file to send, not a JSON body."""
        with transaction(self.factory) as session:
            return work(session, self.principal(session))

    def run(
        self,
        work: Callable[[Session, Principal], BaseModel],
        *,
        status: int = 200,
        key: str | None = None,
        body: BaseModel | None = None,
    ) -> Response:
        """Run `work` in one transaction; with an Idempotency-Key, a repeat gets the first answer."""
        fingerprint = self._fingerprint(body)
        for attempt in range(2):
            try:
                with transaction(self.factory) as session:
                    who = self.principal(session)
                    if key:
                        earlier = session.scalar(
                            select(IdempotencyRecord).where(
                                IdempotencyRecord.user_id == who.user_id, IdempotencyRecord.key == key
                            )
                        )
                        if earlier is not None:
                            return self._replay(earlier, fingerprint)
                    payload = work(session, who).model_dump_json()
                    if key:
                        session.add(
                            IdempotencyRecord(
                                user_id=who.user_id,
                                key=key,
                                method=self.request.method,
                                path=self.request.url.path,
                                request_hash=fingerprint,
                                status_code=status,
                                body=payload,
                            )
                        )
                return Response(payload, status_code=status, media_type="application/json")
            except IntegrityError:
                # Two requests with one key at once: the loser reads the winner's answer.
                if not key or attempt:
                    raise
        raise AssertionError("unreachable")

    def _fingerprint(self, body: BaseModel | None) -> str:
        text = f"{self.request.method} {self.request.url.path}\n{body.model_dump_json() if body else ''}"
        return sha256(text)

    def _replay(self, earlier: IdempotencyRecord, fingerprint: str) -> Response:
        if earlier.request_hash != fingerprint:
            raise Invalid(
                "同一 Idempotency-Key 已用于不同的请求 / this Idempotency-Key was already used for a different request"
            )
        return Response(
            earlier.body,
            status_code=earlier.status_code,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )


async def _context(request: Request) -> Ctx:
    return Ctx(request)  # built on the event loop: `guard` already took the request's one thread hop


RequestContext = Annotated[Ctx, Depends(_context)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="同一键重复提交只生效一次 the same key twice returns the first answer",
    ),
]
