"""One request, one transaction: who is asking, what they may do, and the answer a retry gets again."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifeline.api.models import IdempotencyRecord
from lifeline.api.problems import Unauthorized
from lifeline.auth import service as auth
from lifeline.auth.service import Principal
from lifeline.common import sha256
from lifeline.errors import Forbidden, Invalid
from lifeline.store.engine import transaction

SESSION_COOKIE = "lifeline_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Ctx:
    def __init__(self, request: Request):
        self.request = request
        self.factory = request.app.state.sessions
        # Checked here, before the body is validated, so that a caller without credentials hears 401 first.
        if not request.headers.get("authorization") and not request.cookies.get(SESSION_COOKIE):
            raise Unauthorized("请先登录或提供令牌 / log in or send a bearer token")

    def principal(self, session: Session) -> Principal:
        header = self.request.headers.get("authorization")
        if header:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise Unauthorized(
                    "Authorization 头应为 'Bearer <令牌>' / the Authorization header must be 'Bearer <token>'"
                )
            found = auth.principal_for_token(session, secret.strip())
            if found is None:
                raise Unauthorized("令牌无效或已吊销 / the token is unknown or revoked")
            return found
        cookie = self.request.cookies.get(SESSION_COOKIE)
        if cookie:
            found_session = auth.principal_for_session(session, cookie)
            if found_session is None:
                raise Unauthorized("会话已过期，请重新登录 / the session has expired; log in again")
            who, csrf = found_session
            sent = self.request.headers.get(CSRF_HEADER, "")
            if self.request.method in UNSAFE and not hmac.compare_digest(sent.encode(), csrf.encode()):
                raise Forbidden(f"缺少或错误的 {CSRF_HEADER} / missing or wrong {CSRF_HEADER} header")
            return who
        raise Unauthorized("请先登录或提供令牌 / log in or send a bearer token")

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


RequestContext = Annotated[Ctx, Depends(Ctx)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="同一键重复提交只生效一次 the same key twice returns the first answer",
    ),
]
