"""Shapes every route shares: strict bodies, storable text, path and form ids, times in queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Form, Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from lifeline.common import parse_iso
from lifeline.errors import Invalid

MAX_ID = 2**31 - 1  # the largest INTEGER of PostgreSQL (SQLite's are wider)
YEARS = range(1971, 9001)  # times a query may name: far enough from datetime's limits for any span added


class Strict(BaseModel):
    """A request body: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


NOT_UTF8 = "不是有效的 UTF-8 / is not valid UTF-8"
# C0 and C1 controls and DEL, but for tab and line breaks (a form's textarea sends CR LF).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def unstorable(value: str) -> str | None:
    """Why a text may not be stored, or None: NUL (PostgreSQL refuses it), other control characters (nobody
    types them; they hide text in consoles and exports) and lone surrogates (not UTF-8)."""
    found = _CONTROL.search(value)
    if found:
        char = found.group()
        if char == "\x00":
            return "含有空字符 NUL / contains a NUL character"
        return f"含有控制字符 U+{ord(char):04X} / contains the control character U+{ord(char):04X}"
    return None if _unicode(value) else NOT_UTF8


def _unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable(value: str) -> str:
    problem = unstorable(value)
    if problem:
        raise ValueError(f"文本{problem}")
    return value


def _kept(value: str) -> str:
    # A report is never refused for its words: NUL becomes U+FFFD. JSON that is not Unicode is the sender's fault.
    if not _unicode(value):
        raise ValueError(f"文本{NOT_UTF8}")
    return value.replace("\x00", "\ufffd")


Text = Annotated[str, AfterValidator(_storable)]
# What a caller said or wrote: kept whatever it holds (a garbled SMS is still a call for help).
Words = Annotated[str, AfterValidator(_kept)]
# An organisation, unit or user code.
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
IncidentId = Annotated[int, Path(ge=1, le=MAX_ID, description="警情编号 incident id")]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]


def query_time(raw: str | None, name: str) -> datetime | None:
    """A time given in a query string, in UTC; a clear 422 when it is not one."""
    if raw is None:
        return None
    try:
        value = parse_iso(raw).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise Invalid(
            f"{name} 不是带时区的 ISO 8601 时间，如 2026-11-23T08:00:00+08:00 / "
            f"{name} is not an ISO 8601 time with a zone: {raw!r}"
        ) from exc
    if value.year not in YEARS:
        raise Invalid(f"{name} 超出范围 / {name} is out of range: {raw!r}")
    return value
