"""Browser hardening: every answer carries a CSP without inline script and the frame, sniffing and referrer guards;
the login cookie is Secure when the deployment says it runs behind TLS, whatever scheme the request came in on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import PASSWORD

from lifeline.api.limits import MAX_BODY_BYTES
from lifeline.settings import Settings
from lifeline.web.app import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "src/lifeline/web/templates"


def directives(answer) -> dict[str, str]:
    csp = answer.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.partition(" ")[2] for part in csp.split("; ")}


def test_every_answer_carries_the_browser_guards(api):
    api.client.post("/login", data={"username": "call_taker", "password": PASSWORD})
    answers = [
        api.client.get("/login"),
        api.client.get("/console/calls"),
        api.client.get("/static/app.js"),
        api.get("call_taker", "/incidents"),
        api.get("call_taker", "/nowhere"),  # a problem
        api.client.get("/open311/v2/services.json"),
        api.client.get("/healthz"),
        api.post("call_taker", "/reports", content=b"x" * (MAX_BODY_BYTES + 1)),  # BodyLimit's own 413
    ]
    for answer in answers:
        where = f"{answer.request.method} {answer.request.url.path} → {answer.status_code}"
        rules = directives(answer)
        assert rules["script-src"] == "'self'", where  # no 'unsafe-inline', no 'unsafe-eval'
        assert rules["frame-ancestors"] == "'none'" and rules["object-src"] == "'none'", where
        assert "unsafe" not in rules["style-src"], where
        assert answer.headers["x-frame-options"] == "DENY", where
        assert answer.headers["x-content-type-options"] == "nosniff", where
        assert answer.headers["referrer-policy"] in ("no-referrer", "same-origin"), where


def test_the_tile_server_of_the_deployment_may_serve_images(database, monkeypatch):
    monkeypatch.setenv("LIFELINE_TILE_URL", "https://{s}.tiles.city.local/{z}/{x}/{y}.png")
    url, _ = database
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert directives(client.get("/login"))["img-src"] == "'self' data: https://*.tiles.city.local"
        client.app.state.engine.dispose()


def test_no_template_has_inline_script_or_handlers():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b([^>]*)>", text)
        assert all("src=" in s or 'type="application/json"' in s for s in scripts), template  # data is not run
        assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", text), template
        assert not re.search(r"\sstyle\s*=", text), template  # style-src 'self': no inline styles either
        assert "javascript:" not in text, template


@pytest.mark.parametrize("secure", [True, False])
def test_the_login_cookie_is_secure_as_the_settings_say(database, secure):
    url, _ = database
    with TestClient(create_app(Settings(database_url=url, secure_cookies=secure))) as client:  # plain http
        for answer in (
            client.post("/login", data={"username": "call_taker", "password": PASSWORD}, follow_redirects=False),
            client.post("/api/v1/session", json={"username": "call_taker", "password": PASSWORD}),
        ):
            cookie = answer.headers["set-cookie"]
            assert cookie.startswith("lifeline_session=") and "HttpOnly" in cookie
            assert ("Secure" in cookie) is secure, cookie
        client.app.state.engine.dispose()
