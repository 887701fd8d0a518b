"""Request size limits, enforced before a body is read into memory."""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException

MAX_BODY_BYTES = 256 * 1024  # a report is a few KB; 256 KB leaves room for long SMS threads
# Routes that take a photo: a phone's picture is a few MB (missing.service.PHOTO_MAX_BYTES, and a form's wrapping).
PHOTO_BODY_BYTES = 6 * 1024 * 1024
PHOTO_ROUTES = re.compile(r"^/(api/v1|console)/missing/[0-9]+/photo$")
# An app alarm carries photos and a short video (channels.media: 10 MB a photo, 50 MB a video, three files at most);
# a post's press, a snapshot; a video call's snapshot from the console.
MEDIA_BODY_BYTES = 64 * 1024 * 1024
MEDIA_ROUTES = re.compile(
    r"^/api/v1/channels/(app/alarms|posts/[^/]+/press)$|^/(api/v1|console)/contacts/[0-9]+/snapshot$"
)


class BodyLimit:
    """ASGI middleware: 413 when Content-Length or the streamed body passes the limit."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = PHOTO_BODY_BYTES if PHOTO_ROUTES.match(path) else MEDIA_BODY_BYTES if MEDIA_ROUTES.match(path) else \
            self.limit  # fmt: skip
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await self._reject(send, limit)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._reject(send, limit)

    async def _reject(self, send, limit: int):
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "请求过大 Content too large",
                "status": 413,
                "detail": f"请求体超过 {limit // 1024} KB / the request body is over {limit // 1024} KB",
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """An HTTPException, so that FastAPI passes it through its body parsing to the problem handler."""

    def __init__(self):
        super().__init__(413, "请求体过大 / the request body is too large")
