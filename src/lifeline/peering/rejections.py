"""Refused knocks on the exchange door (unknown peer, unknown key, bad signature, a time too far off).

They are counted by reason and the last few are kept, in this process's memory only: whoever may reach the
door must not be able to write to the audit chain or fill the database. Admins read them through the API.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from datetime import datetime

from lifeline.store.base import utcnow

KEEP = 200
CUT = 100  # characters of each header value kept: enough to recognise, too few to fill memory


def _cut(value: str | None) -> str:
    value = value or ""
    return value if len(value) <= CUT else value[: CUT - 1] + "…"


class Rejections:
    def __init__(self, keep: int = KEEP):
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._recent: deque[dict] = deque(maxlen=keep)
        self.since: datetime = utcnow()

    def record(self, reason: str, detail: str, peer: str, key_id: str, timestamp: str, address: str | None) -> None:
        entry = {
            "at": utcnow().isoformat(),
            "reason": reason,
            "detail": _cut(detail),
            "peer": _cut(peer),
            "key_id": _cut(key_id),
            "timestamp": _cut(timestamp),
            "address": address,
        }
        with self._lock:
            self._counts[reason] += 1
            self._recent.append(entry)

    def snapshot(self) -> dict:
        """Counts by reason since the process started, and the latest refusals, newest first."""
        with self._lock:
            return {"since": self.since, "counts": dict(self._counts), "recent": list(reversed(self._recent))}
