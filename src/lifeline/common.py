"""Small helpers every room uses: China's clock, ISO times with their zone, digests."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

# China Standard Time: the day, the working day and the hour of every report are counted in it.
CHINA = timezone(timedelta(hours=8), "CST")


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def parse_iso(raw: str) -> datetime:
    """An ISO 8601 time that names its zone ('Z' too); ValueError for anything else."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"no time zone in {raw!r}")
    return value
