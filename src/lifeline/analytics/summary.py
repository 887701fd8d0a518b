"""The figures' day summaries (`figure_rows`), built once a day has settled and kept correct as incidents change.

A day is read from the summary only when (a) it ended more than SETTLE ago — by then no verdict of its incidents
still moves with the clock: a call undispatched after its minute is late for good — and (b) its rows were built
at its current `changes`. Every flush that touches an incident, report, assignment or order of a past day bumps
that day's `changes` in the same transaction (`mark`, a session event the writers of those tables load), so a
summary is never read after its day changed; `refresh` rebuilds such days, on the app's tick and in
`lifeline report`. Reading never waits for a refresh: an unbuilt or changed day is counted live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, delete, event, func, insert, inspect, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from lifeline.analytics.models import COUNTS, FigureDay, FigureRow, FigureSpan
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
            found.add(_day(_received_at(session, obj.incident_id)))
        return found
    return set()


_RECEIVED_AT = select(Incident.received_at).where(Incident.id == bindparam("id"))


def _received_at(session: Session, incident_id: int) -> datetime | None:
    """When the incident was received: from the session when it holds the incident, else its one column (an
    order's step need not load the whole incident)."""
    incident = session.identity_map.get(identity_key(Incident, incident_id))
    if incident is not None:
        return incident.received_at
    return session.execute(_RECEIVED_AT, {"id": incident_id}).scalar()


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


# Reading: which summary pieces cover a window ---------------------------------------------------------------------


@dataclass
class Plan:
    """How to count [since, until): summary pieces (span, first day), coarsest that are fresh, and the ranges to
    count live."""

    pieces: list[tuple[str, date]] = field(default_factory=list)
    live: list[tuple[datetime, datetime]] = field(default_factory=list)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), CHINA)


def _span_end(span: str, start: date) -> date:
    if span == "year":
        return date(start.year + 1, 1, 1)
    if span == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def plan(session: Session, since: datetime, until: datetime, now: datetime) -> Plan:
    """The pieces of [since, until) to read from the summary and the ranges to count live."""
    found = Plan()
    first = since.astimezone(CHINA).date()
    if _midnight(first) < since:
        first += timedelta(days=1)
    last = until.astimezone(CHINA).date() - timedelta(days=1)  # the last day wholly before `until`
    if last < first:
        found.live.append((since, until))
        return found
    days = {
        day: changes
        for day, changes, built in session.execute(
            select(FigureDay.day, FigureDay.changes, FigureDay.built).where(
                FigureDay.day >= first, FigureDay.day <= last
            )
        )
        if built == changes and settled(day, now)
    }
    spans = {
        (span, start): built_sum
        for span, start, built_sum in session.execute(
            select(FigureSpan.span, FigureSpan.start, FigureSpan.built_sum).where(
                FigureSpan.start >= first, FigureSpan.start <= last
            )
        )
    }

    def fresh(span: str, start: date, end: date) -> bool:
        if (span, start) not in spans or end > last + timedelta(days=1):
            return False
        inside = [start + timedelta(days=n) for n in range((end - start).days)]
        return all(d in days for d in inside) and sum(days[d] for d in inside) == spans[(span, start)]

    cursor, day = since, first
    while day <= last:
        for span in ("year", "month", "day"):
            end = _span_end(span, day)
            if (span == "day" and day in days) or (span != "day" and fresh(span, day, end)):
                if _midnight(day) > cursor:
                    found.live.append((cursor, _midnight(day)))
                found.pieces.append((span, day))
                cursor, day = _midnight(end), end
                break
        else:
            day += timedelta(days=1)
    if cursor < until:
        found.live.append((cursor, until))
    return found


def _in(pieces: list[tuple[str, date]]):
    by_span: dict[str, list[date]] = {}
    for span, start in pieces:
        by_span.setdefault(span, []).append(start)
    return or_(*(and_(FigureRow.span == span, FigureRow.day.in_(starts)) for span, starts in by_span.items()))


def sums(session: Session, pieces: list[tuple[str, date]], by_unit: bool = True) -> dict:
    """The counts of the pieces, summed by (category, unit) in the database (analytics.service.Groups); without
    `by_unit`, by category alone (unit None)."""
    from lifeline.analytics.service import Counts

    if not pieces:
        return {}
    columns = [func.sum(getattr(FigureRow, name)) for name in COUNTS]
    unit = FigureRow.unit_id if by_unit else literal(None)
    keys = (FigureRow.category, FigureRow.unit_id) if by_unit else (FigureRow.category,)
    query = select(FigureRow.category, unit, *columns).where(_in(pieces), FigureRow.hour.is_(None)).group_by(*keys)
    rows = session.execute(query)
    return {(category, unit): Counts(*(int(v or 0) for v in values)) for category, unit, *values in rows}


def hours(session: Session, pieces: list[tuple[str, date]]) -> list[int]:
    """Calls per hour of the day, summed over the pieces."""
    counts = [0] * 24
    if pieces:
        query = (
            select(FigureRow.hour, func.sum(FigureRow.reports))
            .where(_in(pieces), FigureRow.hour.is_not(None))
            .group_by(FigureRow.hour)
        )
        for hour, n in session.execute(query):
            counts[hour] += int(n or 0)
    return counts


# Building ----------------------------------------------------------------------------------------------------


def build(session: Session, day: date, now: datetime) -> int:
    """Rebuild one settled day's rows from the incidents, reports and orders; returns the rows written."""
    from lifeline.analytics import service  # the live counting is the service's; it imports this module

    changes = session.scalar(select(FigureDay.changes).where(FigureDay.day == day))
    if changes is None:
        session.add(FigureDay(day=day, changes=0))
        session.flush()
        changes = 0
    start = _midnight(day)
    groups = service.count_live(session, start, start + timedelta(days=1), now)
    by_hour = service.calls_by_hour(session, day)
    session.execute(delete(FigureRow).where(FigureRow.span == "day", FigureRow.day == day))
    values = [
        {"span": "day", "day": day, "category": category, "unit_id": unit, "hour": None,
         **{n: getattr(c, n) for n in COUNTS}}
        for (category, unit), c in groups.items()
    ]  # fmt: skip
    values += [
        {"span": "day", "day": day, "category": "", "unit_id": None, "hour": h, **dict.fromkeys(COUNTS, 0),
         "reports": n}
        for h, n in enumerate(by_hour)
        if n
    ]  # fmt: skip
    if values:
        session.execute(insert(FigureRow), values)
    session.execute(update(FigureDay).where(FigureDay.day == day).values(built=changes, built_at=now))
    return len(values)


def roll_up(session: Session, span: str, start: date, now: datetime) -> bool:
    """Rebuild a month's or year's rows from its days' rows when every day is built and settled; False if not."""
    end = _span_end(span, start)
    if not settled(end - timedelta(days=1), now):
        return False
    rows = session.execute(
        select(FigureDay.changes, FigureDay.built).where(FigureDay.day >= start, FigureDay.day < end)
    ).all()
    if len(rows) != (end - start).days or any(built != changes for changes, built in rows):
        return False
    total = sum(changes for changes, _ in rows)
    session.execute(delete(FigureRow).where(FigureRow.span == span, FigureRow.day == start))
    session.execute(delete(FigureSpan).where(FigureSpan.span == span, FigureSpan.start == start))
    columns = [func.sum(getattr(FigureRow, name)) for name in COUNTS]
    rolled = (
        select(literal(span), literal(start), FigureRow.category, FigureRow.unit_id, FigureRow.hour, *columns)
        .where(FigureRow.span == "day", FigureRow.day >= start, FigureRow.day < end)
        .group_by(FigureRow.category, FigureRow.unit_id, FigureRow.hour)
    )
    session.execute(insert(FigureRow).from_select(["span", "day", "category", "unit_id", "hour", *COUNTS], rolled))
    session.add(FigureSpan(span=span, start=start, built_sum=total, built_at=now))
    session.flush()
    return True


def stale(session: Session, now: datetime) -> list[date]:
    """Settled days from the first call on whose rows are missing or out of date, oldest first."""
    first = session.scalar(select(Report.received_at).order_by(Report.received_at).limit(1))
    if first is None:
        return []
    start = _day(first)
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


def _stale_spans(session: Session, now: datetime) -> list[tuple[str, date]]:
    """Months and years whose days are all built and settled but whose roll-up is missing or out of date."""
    days = dict(
        session.execute(select(FigureDay.day, FigureDay.changes).where(FigureDay.built == FigureDay.changes)).all()
    )
    if not days:
        return []
    built = {(span, start): total for span, start, total in session.execute(
        select(FigureSpan.span, FigureSpan.start, FigureSpan.built_sum))}  # fmt: skip
    found = []
    for span in ("month", "year"):
        starts = sorted({date(d.year, d.month if span == "month" else 1, 1) for d in days})
        for start in starts:
            end = _span_end(span, start)
            inside = [start + timedelta(days=n) for n in range((end - start).days)]
            whole = settled(end - timedelta(days=1), now) and all(d in days for d in inside)
            if whole and built.get((span, start)) != sum(days[d] for d in inside):
                found.append((span, start))
    return found


def refresh(session: Session, now: datetime | None = None, limit: int | None = REFRESH_DAYS) -> int:
    """Build the settled days that need it (at most `limit`, oldest first; None: all), then the months and years
    whose days are all built. Returns the days and spans built."""
    now = now or utcnow()
    todo = stale(session, now)
    if limit is not None:
        todo = todo[:limit]
    for day in todo:
        build(session, day, now)
    session.flush()
    rolled = sum(roll_up(session, span, start, now) for span, start in _stale_spans(session, now))
    return len(todo) + rolled
