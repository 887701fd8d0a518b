"""A desk with registered channel senders, and a sender that signs its requests the documented way."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Api

from lifeline.auth.service import SYSTEM
from lifeline.channels import service as channels
from lifeline.peering.peers import sign
from lifeline.settings import Settings
from lifeline.store.engine import transaction
from lifeline.web.app import create_app

POST_AT = (32.0853, 118.7976)  # 南京站北广场


def until(check, seconds: float = 10.0):
    """What `check` returns once it is truthy; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def jpeg(seed: int = 0) -> bytes:
    """A small real JPEG (from the media tests' maker when there, else a minimal baseline file)."""
    from tests.channels.pictures import photo

    return photo(seed)


class Sender:
    """A registered gateway or device: it signs each request with its secret."""

    def __init__(self, client: TestClient, name: str, secret: str):
        self.client, self.name, self.secret = client, name, secret

    def headers(self, body: bytes, stamp: str | None = None, secret: str | None = None) -> dict:
        stamp = stamp or datetime.now(UTC).isoformat()
        return {"X-Lifeline-Sender": self.name, "X-Lifeline-Timestamp": stamp,
                "X-Lifeline-Signature": sign(secret or self.secret, stamp, body)}  # fmt: skip

    def post_json(self, path: str, payload: dict, **kw):
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {**self.headers(body, **kw), "Content-Type": "application/json"}
        return self.client.post(f"/api/v1{path}", content=body, headers=headers)

    def post_form(self, path: str, field: str, payload: dict, files: list[tuple[str, bytes, str]] = (), **kw):
        """multipart/form-data built here, so that the signature covers exactly the bytes sent."""
        boundary = "lifeline-test-boundary-7d9"
        out = io.BytesIO()
        parts = [(field, None, json.dumps(payload, ensure_ascii=False).encode(), "application/json")]
        parts += [(name, f"{name}{i}.bin", data, kind) for i, (name, data, kind) in enumerate(files)]
        for name, filename, data, kind in parts:
            out.write(f"--{boundary}\r\n".encode())
            disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
            out.write(f"Content-Disposition: {disposition}\r\nContent-Type: {kind}\r\n\r\n".encode())
            out.write(data + b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
        body = out.getvalue()
        headers = {**self.headers(body, **kw), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.client.post(f"/api/v1{path}", content=body, headers=headers), body, headers


class Desk(Api):
    def __init__(self, client, tokens, outbox):
        super().__init__(client, tokens)
        self.outbox = outbox
        self.senders: dict[str, Sender] = {}

    def session(self):
        return transaction(self.client.app.state.sessions)

    def register(self, name: str, kind: str) -> Sender:
        with self.session() as session:
            _, secret = channels.add_sender(session, SYSTEM, name, kind, "C110")
        self.senders[name] = Sender(self.client, name, secret)
        return self.senders[name]

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.session() as session:
            return session.execute(text(f"SELECT count(*) FROM {table}")).scalar()


@pytest.fixture
def desk(database, tmp_path):
    url, tokens = database
    settings = Settings(database_url=url, outbox_dir=tmp_path / "outbox")
    with TestClient(create_app(settings)) as client:
        found = Desk(client, tokens, tmp_path / "outbox")
        found.register("gw-sms", "sms")
        found.register("app-110", "app")
        found.register("pbx", "phone")
        found.register("posts", "post")
        with found.session() as session:
            channels.add_post(session, SYSTEM, "NJ-001", "南京站北广场 1 号柱", *POST_AT, "posts", "南京站北广场",
                              heartbeat_seconds=30)  # fmt: skip
        yield found
        client.app.state.engine.dispose()
