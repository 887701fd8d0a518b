"""Accounts: failed logins locked out, a password policy, deactivation, revocation, password changes, idle
sessions, expiring tokens and a second factor (issue 13, "Accounts")."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from datetime import timedelta

import httpx
import pyotp
import pytest
import uvicorn
from sqlalchemy import select
from tests.conftest import PASSWORD
from typer.testing import CliRunner

from lifeline.api.context import SESSION_COOKIE
from lifeline.auth import passwords, service, throttle
from lifeline.auth.models import BrowserSession
from lifeline.cli import app as cli
from lifeline.settings import Settings
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction
from lifeline.store.events import Event
from lifeline.web.app import create_app

runner = CliRunner()
NEW_PASSWORD = "another-horse-77"


def login(api, username="call_taker", password=PASSWORD, **fields):
    return api.client.post("/api/v1/session", json={"username": username, "password": password, **fields})


def audit(api, *kinds) -> list[tuple[str, dict]]:
    with api.client.app.state.readers() as session:
        found = session.scalars(select(Event).where(Event.kind.in_(kinds)).order_by(Event.seq))
        return [(e.kind, e.data) for e in found]


def move_clock(api, **delta) -> None:
    later = utcnow() + timedelta(**delta)
    api.client.app.state.clock = lambda: later


def session_secret(api, username="call_taker", password=PASSWORD) -> tuple[str, str]:
    """A new console session's (cookie, CSRF token), leaving the client's cookie jar empty."""
    api.client.cookies.clear()
    answer = login(api, username, password)
    assert answer.status_code == 200, answer.text
    secret = answer.cookies[SESSION_COOKIE]
    api.client.cookies.clear()
    return secret, answer.json()["csrf_token"]


def as_session(api, secret: str):
    api.client.cookies.clear()
    api.client.cookies.set(SESSION_COOKIE, secret)
    return api.client


# Failed logins ---------------------------------------------------------------------------------------------


def test_the_sixth_wrong_password_in_a_row_answers_429_with_retry_after_the_lock_is_audited_and_then_ends(api):
    for _ in range(5):
        assert login(api, password="wrong-password").status_code == 401
    locked = login(api)  # the right password, but too late
    assert locked.status_code == 429
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert "再试" in locked.json()["detail"] and "administrator" in locked.json()["detail"]
    trail = audit(api, "login.failed", "login.locked")
    assert [kind for kind, _ in trail] == ["login.failed"] * 5 + ["login.locked"]
    assert trail[-1][1]["username"] == "call_taker" and trail[-1][1]["address"] == "testclient"
    for _ in range(10):  # while locked, nothing more is written
        assert login(api, password="wrong-password").status_code == 429
    assert len(audit(api, "login.failed", "login.locked")) == 6
    move_clock(api, minutes=16)
    assert login(api).status_code == 200


def test_a_lock_repeated_lasts_longer_up_to_a_day():
    assert [throttle.lock_length(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (15, 30, 60)]
    assert throttle.lock_length(8) == throttle.lock_length(80) == timedelta(hours=24)


def test_a_second_lock_of_the_same_account_lasts_twice_as_long(api):
    for _ in range(5):
        login(api, password="wrong-password")
    move_clock(api, minutes=16)
    for _ in range(5):
        login(api, password="wrong-password")
    assert 29 * 60 < int(login(api).headers["Retry-After"]) <= 30 * 60


def test_a_successful_login_resets_the_accounts_failure_count(api):
    for _ in range(4):
        login(api, password="wrong-password")
    assert login(api).status_code == 200
    for _ in range(4):
        login(api, password="wrong-password")
    assert login(api).status_code == 200


def test_failures_from_one_address_lock_it_for_every_name(api):
    for n in range(throttle.FAILURES_PER_ADDRESS):
        assert login(api, f"nobody{n}", "wrong-password").status_code == 401
    assert login(api, "dispatcher").status_code == 429
    released = api.post("admin", "/login-locks/release", {"address": "testclient"})
    assert released.status_code == 200 and released.json()["released"] == 1
    assert login(api, "dispatcher").status_code == 200
    assert audit(api, "login.unlocked")[0][1]["address"] == "testclient"


def test_an_admin_unlocks_an_account_and_only_an_admin(api, database):
    for _ in range(5):
        login(api, password="wrong-password")
    assert api.post("supervisor", "/login-locks/release", {"username": "call_taker"}).status_code == 403
    assert api.post("admin", "/login-locks/release", {}).status_code == 422
    assert api.post("admin", "/login-locks/release", {"username": "call_taker"}).status_code == 200
    assert login(api).status_code == 200
    for _ in range(5):
        login(api, password="wrong-password")
    done = runner.invoke(cli, ["user", "unlock", "call_taker", "--db", database[0]])
    assert done.exit_code == 0, done.output
    assert login(api).status_code == 200


def test_the_console_login_obeys_the_lock_and_says_when_to_try_again(api):
    client = api.client
    for _ in range(5):
        assert client.post("/login", data={"username": "call_taker", "password": "nope"}).status_code == 401
    page = client.post("/login", data={"username": "call_taker", "password": PASSWORD}, follow_redirects=False)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in page.text and "管理员解锁" in page.text


# Password policy -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("12345678", "至少 10 个字符"),
        (" " * 8, "只有空格"),
        (" " * 12, "只有空格"),
        ("1234567890", "常见"),
        ("lifeline-demo", "常见"),
        ("Password123", "常见"),
        ("zhang-san-2024", "用户名"),
    ],
)
def test_weak_passwords_are_refused_saying_what_to_change(password, says):
    found = passwords.problems(password, "zhang-san")
    assert found and any(says in problem for problem in found)


def test_a_strong_password_passes_the_policy():
    assert passwords.problems(PASSWORD, "call_taker") == []


def test_the_api_refuses_a_weak_password_for_a_new_user_with_a_422(api):
    for weak in ("12345678", " " * 8):
        body = {"username": "weak1", "role": "call_taker", "org": "C110", "password": weak}
        answer = api.post("admin", "/users", body)
        assert answer.status_code == 422, answer.text
        assert "密码" in answer.json()["detail"]
    body = {"username": "strong1", "role": "call_taker", "org": "C110", "password": NEW_PASSWORD}
    assert api.post("admin", "/users", body).status_code == 201


def test_the_cli_refuses_a_weak_password(database):
    url = database[0]
    args = ["user", "add", "li", "--role", "call_taker", "--org", "C110", "--password-stdin", "--db", url]
    weak = runner.invoke(cli, args, input="12345678\n")
    assert weak.exit_code != 0 and "10" in weak.output
    assert runner.invoke(cli, args, input=f"{NEW_PASSWORD}\n").exit_code == 0


# Deactivation, revocation, password changes, ending sessions ----------------------------------------------


def test_a_deactivated_users_token_and_session_stop_working_at_once(api, database):
    secret, _ = session_secret(api, "dispatcher")
    assert as_session(api, secret).get("/api/v1/me").status_code == 200
    assert as_session(api, secret).get("/console/dispatch", follow_redirects=False).status_code == 200
    api.client.cookies.clear()
    assert api.post("dispatcher", "/users/call_taker/deactivate").status_code == 403
    off = api.post("admin", "/users/dispatcher/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False
    assert api.get("dispatcher", "/me").status_code == 401
    assert as_session(api, secret).get("/api/v1/me").status_code == 401
    assert as_session(api, secret).get("/console/dispatch", follow_redirects=False).status_code == 303
    api.client.cookies.clear()
    assert login(api, "dispatcher").status_code == 401
    assert api.post("admin", "/users/dispatcher/reactivate").json()["active"] is True
    assert api.get("dispatcher", "/me").status_code == 200
    assert api.post("admin", "/users/admin/deactivate").status_code == 409  # not oneself
    assert [k for k, _ in audit(api, "user.deactivated", "user.reactivated")] == [
        "user.deactivated",
        "user.reactivated",
    ]
    assert runner.invoke(cli, ["user", "deactivate", "dispatcher", "--db", database[0]]).exit_code == 0
    assert api.get("dispatcher", "/me").status_code == 401
    assert runner.invoke(cli, ["user", "reactivate", "dispatcher", "--db", database[0]]).exit_code == 0
    assert api.get("dispatcher", "/me").status_code == 200


def test_a_token_is_revoked_by_its_owner_or_an_admin_and_stops_at_once(api, database):
    listed = api.get("call_taker", "/users/call_taker/tokens")
    assert listed.status_code == 200
    (token,) = listed.json()["items"]
    assert api.get("dispatcher", "/users/call_taker/tokens").status_code == 403
    assert api.client.delete(f"/api/v1/tokens/{token['id']}", headers=_bearer(api, "dispatcher")).status_code == 404
    revoked = api.client.delete(f"/api/v1/tokens/{token['id']}", headers=_bearer(api, "call_taker"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get("call_taker", "/me").status_code == 401
    assert audit(api, "token.revoked")[0][1]["token"] == token["id"]
    # An admin revokes another's token; the CLI too.
    dispatcher_token = api.get("dispatcher", "/users/dispatcher/tokens").json()["items"][0]["id"]
    assert runner.invoke(cli, ["token", "revoke", str(dispatcher_token), "--db", database[0]]).exit_code == 0
    assert api.get("dispatcher", "/me").status_code == 401
    huge = api.client.delete("/api/v1/tokens/9223372036854775808", headers=_bearer(api, "admin"))
    assert huge.status_code == 422


def _bearer(api, user):
    return {"Authorization": f"Bearer {api.tokens[user]}"}


def test_changing_ones_password_needs_the_old_one_and_ends_ones_other_sessions(api):
    this, csrf = session_secret(api)
    other, _ = session_secret(api)
    wrong = as_session(api, this).post(
        "/api/v1/me/password", json={"old_password": "guess-guess-1", "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert wrong.status_code == 403
    weak = as_session(api, this).post(
        "/api/v1/me/password", json={"old_password": PASSWORD, "new_password": "call_taker-1"},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert weak.status_code == 422 and "用户名" in weak.json()["detail"]
    changed = as_session(api, this).post(
        "/api/v1/me/password", json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["sessions_ended"] == 1
    assert as_session(api, this).get("/api/v1/me").status_code == 200
    assert as_session(api, other).get("/api/v1/me").status_code == 401
    api.client.cookies.clear()
    assert login(api).status_code == 401
    assert login(api, password=NEW_PASSWORD).status_code == 200
    assert audit(api, "user.password_changed")[0][1]["username"] == "call_taker"


def test_the_console_changes_the_password_and_logs_out_everywhere(api):
    client = api.client
    client.cookies.clear()
    client.post("/login", data={"username": "call_taker", "password": PASSWORD})
    page = client.get("/account")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    weak = client.post("/account/password", data={"old_password": PASSWORD, "new_password": "short", "csrf": csrf})
    assert weak.status_code == 422 and "至少 10 个字符" in weak.text
    done = client.post("/account/password", data={"old_password": PASSWORD, "new_password": NEW_PASSWORD, "csrf": csrf})
    assert done.status_code == 200 and "密码已修改" in done.text
    client.post("/account/sessions", data={"csrf": csrf})
    assert client.get("/console/calls", follow_redirects=False).headers["location"] == "/login"


def test_an_admin_resets_a_password_and_every_session_of_that_user_ends(api, database):
    secret, _ = session_secret(api)
    api.client.cookies.clear()
    assert api.post("supervisor", "/users/call_taker/password", {"password": NEW_PASSWORD}).status_code == 403
    assert api.post("admin", "/users/call_taker/password", {"password": "12345678"}).status_code == 422
    reset = api.post("admin", "/users/call_taker/password", {"password": NEW_PASSWORD})
    assert reset.status_code == 200 and reset.json()["sessions_ended"] == 1
    assert as_session(api, secret).get("/api/v1/me").status_code == 401
    api.client.cookies.clear()
    assert login(api, password=NEW_PASSWORD).status_code == 200
    cli_reset = runner.invoke(
        cli, ["user", "password", "call_taker", "--password-stdin", "--db", database[0]], input=f"{PASSWORD}\n"
    )
    assert cli_reset.exit_code == 0, cli_reset.output
    api.client.cookies.clear()
    assert login(api).status_code == 200


def test_ending_all_ones_sessions_by_api_and_by_an_admin(api, database):
    first, csrf = session_secret(api)
    second, _ = session_secret(api)
    ended = as_session(api, first).delete("/api/v1/me/sessions", headers={"X-CSRF-Token": csrf})
    assert ended.status_code == 200 and ended.json()["sessions_ended"] == 2
    assert as_session(api, second).get("/api/v1/me").status_code == 401
    third, _ = session_secret(api)
    assert api.client.delete("/api/v1/users/call_taker/sessions", headers=_bearer(api, "dispatcher")).status_code == 403
    assert api.client.delete("/api/v1/users/call_taker/sessions", headers=_bearer(api, "admin")).status_code == 200
    assert as_session(api, third).get("/api/v1/me").status_code == 401
    fourth, _ = session_secret(api)
    assert runner.invoke(cli, ["user", "logout", "call_taker", "--db", database[0]]).exit_code == 0
    assert as_session(api, fourth).get("/api/v1/me").status_code == 401


# Idle sessions and expiring tokens -----------------------------------------------------------------------


def test_a_console_session_ends_after_30_minutes_idle_and_is_touched_at_most_once_a_minute(api):
    client = api.client
    client.cookies.clear()
    client.post("/login", data={"username": "call_taker", "password": PASSWORD})

    def last_seen():
        with client.app.state.readers() as session:
            return session.scalar(select(BrowserSession.last_seen))

    opened = last_seen()
    assert client.get("/console/calls", follow_redirects=False).status_code == 200
    assert last_seen() == opened  # within a minute: a read stays a read
    move_clock(api, minutes=29)
    assert client.get("/console/calls", follow_redirects=False).status_code == 200
    assert last_seen() > opened
    move_clock(api, minutes=29 + 29)  # 29 minutes after the last request
    assert client.get("/console/calls", follow_redirects=False).status_code == 200
    move_clock(api, minutes=29 + 29 + 31)
    assert client.get("/console/calls", follow_redirects=False).headers["location"] == "/login"


def test_the_api_refuses_an_idle_session_too(api):
    secret, _ = session_secret(api)
    cookies = {SESSION_COOKIE: secret}
    move_clock(api, minutes=20)
    assert api.client.get("/api/v1/me", cookies=cookies).status_code == 200  # and touched
    move_clock(api, minutes=20 + 29)
    assert api.client.get("/api/v1/me", cookies=cookies).status_code == 200
    move_clock(api, minutes=20 + 29 + 31)
    refused = api.client.get("/api/v1/me", cookies=cookies)
    assert refused.status_code == 401 and "会话已过期" in refused.json()["detail"]


def test_an_expired_token_is_refused_saying_it_expired(api):
    with transaction(api.client.app.state.sessions) as session:
        fresh = service.create_token(session, service.SYSTEM, "call_taker")
        stale = service.create_token(
            session, service.SYSTEM, "call_taker", timedelta(days=1), now=utcnow() - timedelta(days=2)
        )
    tokens = {t["expires_at"][:10] for t in api.get("call_taker", "/users/call_taker/tokens").json()["items"]}
    assert (utcnow() + service.TOKEN_LIFETIME).date().isoformat() in tokens
    assert timedelta(days=90) == service.TOKEN_LIFETIME
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    refused = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {stale}"})
    assert refused.status_code == 401 and "过期" in refused.json()["detail"] and "expired" in refused.json()["detail"]


# Second factor -----------------------------------------------------------------------------------------------


def test_a_supervisor_turns_on_totp_and_then_logs_in_only_with_a_fresh_code(api):
    assert api.post("call_taker", "/me/otp").status_code == 403
    enrolled = api.post("supervisor", "/me/otp")
    assert enrolled.status_code == 200 and enrolled.json()["uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(enrolled.json()["secret"])
    assert (
        api.post(
            "supervisor", "/me/otp/confirm", {"code": "000000" if totp.now() != "000000" else "111111"}
        ).status_code
        == 422
    )
    assert api.post("supervisor", "/me/otp/confirm", {"code": totp.now()}).json() == {"active": True}
    missing = login(api, "supervisor")
    assert missing.status_code == 401 and "动态验证码" in missing.json()["detail"]
    move_clock(api, seconds=60)  # a new step: the confirming code is spent
    code = totp.at(api.client.app.state.clock())
    assert login(api, "supervisor", otp=code).status_code == 200
    assert login(api, "supervisor", otp=code).status_code == 401  # a code is good once
    failures = [d["username"] for k, d in audit(api, "login.failed")]
    assert failures == ["supervisor", "supervisor"]  # a missing or spent code counts toward the lock
    move_clock(api, seconds=120)
    page = api.client.post(
        "/login", data={"username": "supervisor", "password": PASSWORD, "otp": totp.at(api.client.app.state.clock())},
        follow_redirects=False,
    )  # fmt: skip
    assert page.status_code == 303
    move_clock(api, seconds=180)
    off = api.post("supervisor", "/me/otp/disable", {"code": totp.at(api.client.app.state.clock())})
    assert off.status_code == 200 and off.json() == {"active": False}
    api.client.cookies.clear()
    assert login(api, "supervisor").status_code == 200
    assert [k for k, _ in audit(api, "otp.enrolling", "otp.enabled", "otp.disabled")] == [
        "otp.enrolling", "otp.enabled", "otp.disabled"
    ]  # fmt: skip


# Logging out -------------------------------------------------------------------------------------------------


def test_logout_answers_204_with_no_body_and_no_server_error(sqlite_template, tmp_path, caplog):
    template, _ = sqlite_template
    path = tmp_path / "logout.db"
    path.write_bytes(template.read_bytes())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(database_url=f"sqlite:///{path}"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    caplog.set_level(logging.WARNING)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.post("/api/v1/session", json={"username": "call_taker", "password": PASSWORD}).is_success
            answer = client.delete("/api/v1/session")
            assert answer.status_code == 204 and answer.content == b""
            assert client.get("/api/v1/me").status_code == 401
            time.sleep(0.2)
    finally:
        server.should_exit = True
        thread.join(10)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
