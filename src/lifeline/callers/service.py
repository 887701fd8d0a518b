"""A caller's history, read from the reports and incidents the desk already keeps."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifeline.callers.scoring import CallerStats, assess
from lifeline.incidents.models import Incident, Report

RECENT_INCIDENTS = 20


def stats(session: Session, number: str, now: datetime) -> CallerStats:
    def calls_since(delta: timedelta) -> int:
        return session.scalar(
            select(func.count(Report.id)).where(Report.caller_number == number, Report.received_at >= now - delta)
        )

    confirmed = session.execute(
        select(Incident.category, func.count(Incident.id))
        .where(
            Incident.caller_number == number,
            Incident.confirmed_at.is_not(None),
            Incident.received_at >= now - timedelta(days=30),
        )
        .group_by(Incident.category)
    ).all()
    return CallerStats(
        calls_since(timedelta(hours=24)), calls_since(timedelta(days=30)), dict(Counter(dict(confirmed)))
    )


def history(session: Session, number: str, now: datetime) -> dict:
    """What the call-taker sees beside a new call from `number`."""
    s = stats(session, number, now)
    verdict = assess(s)
    recent = session.execute(
        select(Incident.id, Incident.received_at, Incident.category, Incident.disposition, Incident.state,
               Incident.confirmed_at)
        .where(Incident.caller_number == number)
        .order_by(Incident.id.desc())
        .limit(RECENT_INCIDENTS)
    )  # fmt: skip
    return {
        "number": number,
        "calls_24h": s.calls_24h,
        "calls_30d": s.calls_30d,
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
