"""The figures' day summaries (`figure_rows`), built once a day has settled and kept correct as incidents change.

A day is read from the summary only when (a) it ended more than SETTLE ago — by then no verdict of its incidents
still moves with the clock: a call undispatched after its minute is late for good — and (b) its rows were built
at its current `changes`. Every flush that touches an incident, report, assignment or order of a past day bumps
that day's `changes` in the same transaction (`mark`, a session event the writers of those tables load), so a
summary is never read after its day changed; `refresh` rebuilds such days, on the app's tick and in
`lifeline report`. Reading never waits for a refresh: an unbuilt or changed day is counted live.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from lifeline.analytics.models import COUNTS, FigureDay, FigureRow
from lifeline.common import CHINA
from lifeline.diversion.models import WorkOrder
from lifeline.incidents.models import Assignment, Incident, Report
from lifeline.store.base import utcnow

SETTLE = timedelta(hours=2)  # longer than any clock-driven verdict: 60 s to dispatch, a zone's minutes to arrive
REFRESH_DAYS = 31  # at most this many days rebuilt per call, so one tick never holds the database for long


def settled(day: date, now: datetime) -> bool:
    """Whether the local day ended at least SETTLE before `now`."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), CHINA)
    return end + SETTLE <= now


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(CHINA).date()


def _touched(session: Session, obj) -> set[date]:
    """The local days whose figures a change to `obj` may move: the days of its timestamps, old and new."""
    state = inspect(obj)

    def days(*names: str) -> set[date]:
        found = set()
        for name in names:
            history = state.attrs[name].load_history()
            for value in (*history.added, *history.deleted, *history.unchanged):
                found.add(_day(value))
        return found

    if isinstance(obj, Incident):
        found = days("received_at")
        # A repeat call is judged against the 24 hours before it: the next day's figures may move too.
        found |= {d + timedelta(days=1) for d in found if d}
        return found
    if isinstance(obj, Report):
        return days("received_at")
    if isinstance(obj, Assignment | WorkOrder):  # they decide an incident's unit, and an order's own steps
        found = days("signed_at", "handled_at", "visited_at") if isinstance(obj, WorkOrder) else set()
        if obj.incident_id is not None:
            incident = session.get(Incident, obj.incident_id)
            if incident is not None:
                found.add(_day(incident.received_at))
        return found
    return set()


def _bump(session: Session, days: set[date | None]) -> None:
    today = utcnow().astimezone(CHINA).date()
    days = {d for d in days if d is not None and d < today}
    if days:
        session.execute(update(FigureDay).where(FigureDay.day.in_(days)).values(changes=FigureDay.changes + 1))


def mark(session: Session, _context, _instances) -> None:
    """Bump `changes` of every built past day the pending changes touch (the before_flush event)."""
    days: set[date | None] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Incident | Report | Assignment | WorkOrder):
            days |= _touched(session, obj)
    _bump(session, days)


def touch(session: Session, received_at: datetime) -> None:
    """For writers that insert without a flush (incidents.service's intake): a call received on a past day (a
    switch's or a peer's record) moves that day's figures, and the next day's repeats."""
    day = _day(received_at)
    _bump(session, {day, day + timedelta(days=1)})


event.listen(Session, "before_flush", mark)


def fresh_days(session: Session, first: date, last: date, now: datetime) -> set[date]:
    """The days in [first, last] whose summary rows may be read now."""
    rows = session.execute(
        select(FigureDay.day).where(FigureDay.day >= first, FigureDay.day <= last, FigureDay.built == FigureDay.changes)
    )
    return {day for (day,) in rows if settled(day, now)}


def sums(session: Session, first: date, last: date) -> dict:
    """The counts of the fresh days in [first, last], summed by (category, unit) in the database
    (analytics.service.Groups). A day changed since its rows were built is left out: the caller counts it live."""
    from lifeline.analytics.service import Counts

    columns = [func.sum(getattr(FigureRow, name)) for name in COUNTS]
    query = (
        select(FigureRow.category, FigureRow.unit_id, *columns)
        .join(FigureDay, FigureDay.day == FigureRow.day)
        .where(FigureRow.day >= first, FigureRow.day <= last, FigureRow.hour.is_(None),
               FigureDay.built == FigureDay.changes)
        .group_by(FigureRow.category, FigureRow.unit_id)
    )  # fmt: skip
    rows = session.execute(query)
    return {(category, unit): Counts(*(int(v or 0) for v in values)) for category, unit, *values in rows}


def hours(session: Session, first: date, last: date) -> list[int]:
    """Calls per hour of the day, summed over the fresh days in [first, last]."""
    counts = [0] * 24
    query = (
        select(FigureRow.hour, func.sum(FigureRow.reports))
        .join(FigureDay, FigureDay.day == FigureRow.day)
        .where(FigureRow.day >= first, FigureRow.day <= last, FigureRow.hour.is_not(None),
               FigureDay.built == FigureDay.changes)
        .group_by(FigureRow.hour)
    )  # fmt: skip
    for hour, n in session.execute(query):
        counts[hour] += int(n or 0)
    return counts


def build(session: Session, day: date, now: datetime) -> int:
    """Rebuild one settled day's rows from the incidents, reports and orders; returns the rows written."""
    from lifeline.analytics import service  # the live counting is the service's; it imports this module

    changes = session.scalar(select(FigureDay.changes).where(FigureDay.day == day))
    if changes is None:
        session.add(FigureDay(day=day, changes=0))
        session.flush()
        changes = 0
    start = datetime.combine(day, datetime.min.time(), CHINA)
    groups = service.count_live(session, start, start + timedelta(days=1), now)
    by_hour = service.calls_by_hour(session, day)
    session.execute(delete(FigureRow).where(FigureRow.day == day))
    values = [
        {"day": day, "category": category, "unit_id": unit, "hour": None, **{n: getattr(c, n) for n in COUNTS}}
        for (category, unit), c in groups.items()
    ]
    values += [
        {"day": day, "category": "", "unit_id": None, "hour": h, **{n: 0 for n in COUNTS}, "reports": n}
        for h, n in enumerate(by_hour)
        if n
    ]
    if values:
        session.execute(insert(FigureRow), values)
    session.execute(update(FigureDay).where(FigureDay.day == day).values(built=changes, built_at=now))
    return len(values)


def stale(session: Session, now: datetime, since: date | None = None) -> list[date]:
    """Settled days with incidents or reports whose rows are missing or out of date, oldest first."""
    first = session.scalar(select(Report.received_at).order_by(Report.received_at).limit(1))
    if first is None:
        return []
    start = max(_day(first), since) if since else _day(first)
    last = (now - SETTLE).astimezone(CHINA).date() - timedelta(days=1)
    if last < start:
        return []
    fresh = {
        d
        for (d,) in session.execute(
            select(FigureDay.day).where(FigureDay.day >= start, FigureDay.built == FigureDay.changes)
        )
    }
    return [start + timedelta(days=n) for n in range((last - start).days + 1) if start + timedelta(days=n) not in fresh]


def refresh(session: Session, now: datetime | None = None, limit: int | None = REFRESH_DAYS) -> int:
    """Build the settled days that need it (at most `limit`, oldest first; None: all). Returns the days built."""
    now = now or utcnow()
    todo = stale(session, now)
    if limit is not None:
        todo = todo[:limit]
    for day in todo:
        build(session, day, now)
    return len(todo)
