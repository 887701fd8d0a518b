"""Failed logins (pure): when an account name or a client address is locked, and for how long.

auth.service keeps one count per account name and one per address in the database, so that every worker
shares them and they outlive a restart; the decisions are here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

FAILURES_PER_ACCOUNT = 5
# The desks of a centre often share one address behind its gateway: an address may fail more before it is locked.
FAILURES_PER_ADDRESS = 20
FIRST_LOCK = timedelta(minutes=15)
LONGEST_LOCK = timedelta(hours=24)
# A count left alone this long is forgotten: the next lock is a first lock again. Never shorter than a lock.
FORGET_AFTER = LONGEST_LOCK


@dataclass(frozen=True)
class Count:
    failures: int = 0  # since the last lock
    locks: int = 0  # in a row
    locked_until: datetime | None = None


def lock_length(locks: int) -> timedelta:
    """The n-th lock in a row: 15 minutes, doubling each time, at most a day."""
    return min(FIRST_LOCK * 2 ** min(locks - 1, 16), LONGEST_LOCK)


def retry_after(count: Count, now: datetime) -> int:
    """Seconds until `count` is no longer locked (0: not locked)."""
    if count.locked_until is None or count.locked_until <= now:
        return 0
    return math.ceil((count.locked_until - now).total_seconds())


def after_failure(count: Count, now: datetime, limit: int) -> Count:
    """The count after one more failure: the `limit`-th since the last lock locks it."""
    if count.failures + 1 < limit:
        return Count(count.failures + 1, count.locks, count.locked_until)
    return Count(0, count.locks + 1, now + lock_length(count.locks + 1))
