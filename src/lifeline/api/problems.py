"""RFC 9457 problem details: every error is application/problem+json with a message a person can act on."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifeline.errors import LifelineError, TooManyAttempts
from lifeline.errors import Unauthorized as Unauthorized  # routes import it from here; services raise it too

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("lifeline.api")


class Problem(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str | None = None


def problem(
    status: int, title: str, detail: str, request: Request | None = None, headers=None, **extra
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    if request is not None:
        body["instance"] = request.url.path
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


TITLES = {
    400: "请求有误 Bad request",
    401: "未登录 Unauthorized",
    403: "无权操作 Forbidden",
    404: "未找到 Not found",
    405: "方法不允许 Method not allowed",
    406: "不可接受 Not acceptable",
    409: "状态冲突 Conflict",
    413: "请求过大 Content too large",
    415: "不支持的媒体类型 Unsupported media type",
    422: "内容无效 Unprocessable content",
    429: "尝试次数过多 Too many attempts",
    500: "服务器内部错误 Internal server error",
    503: "服务暂不可用 Service unavailable",
}

# Documented on every route so that clients and the schema fuzzer know what an error looks like.
RESPONSES = {
    status: {"model": Problem, "description": TITLES[status], "content": {MEDIA_TYPE: {}}}
    for status in (400, 401, 403, 404, 409, 413, 422)
}


def _where(loc) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(LifelineError)
    def domain_error(request: Request, exc: LifelineError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after)}
        return problem(exc.status, exc.title, exc.detail, request, headers=headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError):
        errors = [{"field": _where(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        detail = "；".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, TITLES[422], f"请求内容无效 invalid request — {detail}", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):
        title = TITLES.get(exc.status_code, "错误 Error")
        return problem(exc.status_code, title, str(exc.detail), request, headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    def database_away(request: Request, exc: OperationalError):
        # The database cannot be reached or is busy: a failover, a restart. Nothing was written; the same request
        # may be sent again in a moment (the client's Idempotency-Key makes a repeat harmless).
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        detail = "数据库暂不可用（可能正在切换主库），请几秒后重试 / the database is unavailable (failing over?); retry"
        return problem(503, TITLES[503], detail, request, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    def crash(request: Request, exc: Exception):
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(
            500, TITLES[500], "服务器出错，请重试或联系值班管理员 / the server failed; retry or call the admin", request
        )
