"""A caller's history, read from the reports and incidents the desk already keeps."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from lifeline.callers.scoring import CallerStats, assess
from lifeline.incidents.models import Incident, Report
from lifeline.store.engine import core

RECENT_INCIDENTS = 20
MONTH = timedelta(days=30)

# Built once: each call a desk takes runs them.
_CALLS = select(
    func.count(Report.id), func.coalesce(func.sum(case((Report.received_at >= bindparam("day"), 1), else_=0)), 0)
).where(Report.caller_number == bindparam("number"), Report.received_at >= bindparam("month"))
_RECENT = (
    select(Incident.id, Incident.received_at, Incident.category, Incident.disposition, Incident.state,
           Incident.confirmed_at)
    .where(Incident.caller_number == bindparam("number"))
    .order_by(Incident.id.desc())
    .limit(RECENT_INCIDENTS)
)  # fmt: skip
_CONFIRMED = (
    select(Incident.category, func.count(Incident.id))
    .where(
        Incident.caller_number == bindparam("number"),
        Incident.confirmed_at.is_not(None),
        Incident.received_at >= bindparam("month"),
    )
    .group_by(Incident.category)
)


def _stats(session: Session, number: str, now: datetime, recent: list, within) -> CallerStats:
    """Calls in the last 24 hours and 30 days, and confirmed incidents of the last 30 days by category.
    When `recent` holds all of the number's incidents they are counted from it, without another read."""
    connection = core(session)
    month = now - MONTH
    calls = _CALLS if within is None else _CALLS.join(Incident, Incident.id == Report.incident_id).where(within)
    calls_30d, calls_24h = connection.execute(
        calls, {"number": number, "day": now - timedelta(hours=24), "month": month}
    ).one()
    if within is not None or len(recent) < RECENT_INCIDENTS:
        confirmed = Counter(i.category for i in recent if i.confirmed_at is not None and i.received_at >= month)
    else:
        confirmed = dict(connection.execute(_CONFIRMED, {"number": number, "month": month}).all())
    return CallerStats(int(calls_24h), int(calls_30d), dict(confirmed))


def history(session: Session, number: str, now: datetime, within=None) -> dict:
    """What the call-taker sees beside a new call from `number`; `within` limits it to the incidents a reader may
    see (a 12345 operator sees what 12345 received, not the number's calls to 110)."""
    recent = core(session).execute(_RECENT if within is None else _RECENT.where(within), {"number": number}).all()
    stats = _stats(session, number, now, recent, within)
    verdict = assess(stats)
    return {
        "number": number,
        "calls_24h": stats.calls_24h,
        "calls_30d": stats.calls_30d,
        "repeat": verdict.repeat,
        "nuisance_score": verdict.nuisance_score,
        "flagged": verdict.flagged,
        "reasons": verdict.reasons,
        "incidents": [
            {
                "id": i.id,
                "received_at": i.received_at,
                "category": i.category,
                "disposition": i.disposition,
                "state": i.state,
                "confirmed": i.confirmed_at is not None,
            }
            for i in recent
        ],
    }
