"""Domain errors. The web layer turns each into an RFC 9457 problem with its status."""

from __future__ import annotations


class LifelineError(Exception):
    status = 400
    title = "请求有误 Bad request"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(LifelineError):
    status = 404
    title = "未找到 Not found"


class Forbidden(LifelineError):
    status = 403
    title = "无权操作 Forbidden"


class Conflict(LifelineError):
    status = 409
    title = "状态冲突 Conflict"


class Invalid(LifelineError):
    status = 422
    title = "内容无效 Unprocessable content"


class Unauthorized(LifelineError):
    status = 401
    title = "未登录 Unauthorized"


class TooManyAttempts(LifelineError):
    """Refused for a while: the answer carries `Retry-After` (seconds)."""

    status = 429
    title = "尝试次数过多 Too many attempts"

    def __init__(self, detail: str, retry_after: int, **extra):
        super().__init__(detail, **extra)
        self.retry_after = retry_after
