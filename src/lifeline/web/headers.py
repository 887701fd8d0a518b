"""Browser hardening on every response: a Content-Security-Policy without inline script, no framing, no sniffing,
no referrer leaving the site. And which worker process answered (X-Lifeline-Worker), for whoever runs several."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

# FastAPI's interactive docs load Swagger UI and ReDoc from a CDN with an inline script; they hold no console.
DOCS = ("/docs", "/redoc")
DOCS_SOURCES = " https://cdn.jsdelivr.net 'unsafe-inline'"


def tile_source(tile_url: str) -> str:
    """The tile server's origin as a CSP source ({s}.tiles.example → *.tiles.example), or "" when there is none."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def policy(tile_url: str = "", *, docs: bool = False) -> str:
    """The Content-Security-Policy: scripts and styles only from /static (htmx, Leaflet and ECharts are
    vendored there), images also from the deployment's tile server, nothing may frame the consoles."""
    extra = DOCS_SOURCES if docs else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{extra}",
            f"style-src 'self'{extra}",
            f"img-src 'self' data:{tile_source(tile_url)}{' https:' if docs else ''}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """ASGI middleware: the headers go on every answer, the 413 of BodyLimit and the static files included."""

    def __init__(self, app, tile_url: str = ""):
        self.app = app
        fixed = [
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-lifeline-worker", str(os.getpid()).encode()),  # built in the worker (web.app.create_app)
        ]
        self.headers = [(b"content-security-policy", policy(tile_url).encode()), *fixed]
        self.docs_headers = [(b"content-security-policy", policy(tile_url, docs=True).encode()), *fixed]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        added = self.docs_headers if scope["path"].startswith(DOCS) else self.headers

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
