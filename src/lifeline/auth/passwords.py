"""The password policy (pure): what a new password must be, each problem said so that a person can fix it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 10
KNOWN_FILE = Path(__file__).parent / "known-passwords.txt"


@cache
def known() -> frozenset[str]:
    """Common passwords and the demo's, shipped with the package."""
    lines = KNOWN_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def problems(password: str, username: str) -> list[str]:
    """What is wrong with `password` for `username`; empty when it may be used."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"密码至少 {MIN_LENGTH} 个字符 / use at least {MIN_LENGTH} characters")
    if not password.strip():
        found.append("密码不能只有空格 / a password of spaces only is not a password")
    if username and username.casefold() in password.casefold():
        found.append("密码不能包含用户名 / do not put the user name in the password")
    if password.strip().casefold() in known():
        found.append("这是常见或公开的密码，请另选 / this is a common or published password: choose another")
    return found
