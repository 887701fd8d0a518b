"""Shapes every route shares: strict bodies, storable text, path ids, times in queries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from lifeline.common import parse_iso
from lifeline.errors import Invalid

MAX_ID = 2**31 - 1


class Strict(BaseModel):
    """A request body: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


def _storable(value: str) -> str:
    """Text both databases can keep: no NUL (PostgreSQL refuses it) and no lone surrogates."""
    if "\x00" in value:
        raise ValueError("文本含有空字符 NUL / text contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("文本不是有效的 UTF-8 / text is not valid UTF-8") from exc
    return value


Text = Annotated[str, AfterValidator(_storable)]
# An organisation, unit or user code.
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
IncidentId = Annotated[int, Path(ge=1, le=MAX_ID, description="警情编号 incident id")]


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
    if not 1971 <= value.year <= 9000:
        raise Invalid(f"{name} 超出范围 / {name} is out of range: {raw!r}")
    return value
