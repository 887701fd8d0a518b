"""The KPIs' inputs for a time window, gathered with a few aggregate queries (SQLite and PostgreSQL alike).

Incident figures count incidents *received* in the window; work-order figures count the step taken in the
window (signed, handled, visited). "Today" is the local day in China Standard Time (UTC+8, no daylight saving).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, cast, exists, extract, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from lifeline.analytics import kpis
from lifeline.auth.service import Principal, require
from lifeline.common import CHINA
from lifeline.diversion.models import WorkOrder
from lifeline.incidents.models import Incident, Report
from lifeline.incidents.service import LIVE_CHANNELS
from lifeline.store.base import utcnow

HEAT_LIMIT = 5000  # the newest incidents with coordinates drawn on the heat map
POLICE = ("police", "joint")


@dataclass
class Inputs:
    """The plain numbers the formulas in `kpis` take."""

    reports: int = 0
    live_calls: int = 0
    answered: int = 0
    dispatched: int = 0
    dispatched_in_a_minute: int = 0
    diverted: int = 0
    invalid: int = 0
    with_number: int = 0
    repeats: int = 0
    signed: int = 0
    signed_on_time: int = 0
    handled: int = 0
    handled_on_time: int = 0
    visits: int = 0
    satisfied: int = 0
    basic: int = 0


@dataclass
class Figure:
    key: str
    zh: str
    en: str
    value: float | int | None
    shown: str
    numerator: int | None
    denominator: int | None
    formula: str  # the text of the formula (tooltip)
    formula_name: str  # the function that computed it, e.g. lifeline.analytics.kpis.answer_rate


@dataclass
class Trend:
    day: date
    yesterday: date
    last_year: date
    today_counts: list[int | None]
    yesterday_counts: list[int]
    last_year_counts: list[int]


@dataclass
class Dashboard:
    since: datetime
    until: datetime
    inputs: Inputs
    figures: list[Figure]
    categories: list[kpis.Share]
    trend: Trend
    heat: list[tuple[float, float, int]] = field(default_factory=list)


def today(now: datetime | None = None) -> tuple[datetime, datetime]:
    """From local midnight (UTC+8) to now."""
    now = now or utcnow()
    midnight = datetime.combine(now.astimezone(CHINA).date(), time(), CHINA)
    return midnight, now


# Dialect helpers: time arithmetic is the one thing the two databases spell differently ------------------------------


def _epoch(session: Session, column):
    """Seconds since 1970 of a UTC timestamp column, as a float."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return extract("epoch", column)


def _hour_bucket(session: Session, column, start: datetime):
    """The whole hours from `start` to the column's time (0–23 inside the day)."""
    offset = _epoch(session, column) - literal(start.timestamp())
    if session.get_bind().dialect.name == "sqlite":
        return cast(offset / 3600, Integer)  # the window is filtered to ≥ start, so truncation is floor
    return func.floor(offset / 3600)


def _count(condition):
    return func.count(case((condition, 1)))


# The queries -----------------------------------------------------------------------------------------------------


def _reports(session: Session, inputs: Inputs, since: datetime, until: datetime) -> None:
    live = Report.channel.in_(LIVE_CHANNELS)
    row = session.execute(
        select(func.count(Report.id), _count(live), _count(and_(live, Report.answered_at.is_not(None)))).where(
            Report.received_at >= since, Report.received_at < until
        )
    ).one()
    inputs.reports, inputs.live_calls, inputs.answered = row


def _incidents(session: Session, inputs: Inputs, since: datetime, until: datetime) -> None:
    police = and_(Incident.disposition.in_(POLICE), Incident.dispatched_at.is_not(None))
    quick = and_(
        police, _epoch(session, Incident.dispatched_at) - _epoch(session, Incident.received_at) <= kpis.ONE_MINUTE
    )
    confirmed = Incident.confirmed_at.is_not(None)
    earlier = aliased(Incident)
    called_before = exists().where(
        earlier.caller_number == Incident.caller_number,
        earlier.id != Incident.id,
        or_(
            earlier.received_at < Incident.received_at,
            and_(earlier.received_at == Incident.received_at, earlier.id < Incident.id),
        ),
        _epoch(session, Incident.received_at) - _epoch(session, earlier.received_at) <= kpis.REPEAT_HOURS * 3600,
    )
    numbered = Incident.caller_number.is_not(None)
    row = session.execute(
        select(
            _count(police),
            _count(quick),
            _count(and_(confirmed, Incident.disposition == "divert")),
            _count(and_(confirmed, Incident.disposition == "invalid")),
            _count(numbered),
            _count(and_(numbered, called_before)),
        ).where(Incident.received_at >= since, Incident.received_at < until)
    ).one()
    (
        inputs.dispatched, inputs.dispatched_in_a_minute, inputs.diverted, inputs.invalid,
        inputs.with_number, inputs.repeats,
    ) = row  # fmt: skip


def _orders(session: Session, inputs: Inputs, since: datetime, until: datetime) -> None:
    def inside(column):
        return and_(column >= since, column < until)

    signed, handled = inside(WorkOrder.signed_at), inside(WorkOrder.handled_at)
    visited = and_(inside(WorkOrder.visited_at), WorkOrder.satisfaction.is_not(None))
    row = session.execute(
        select(
            _count(signed),
            _count(and_(signed, or_(WorkOrder.sign_by.is_(None), WorkOrder.signed_at <= WorkOrder.sign_by))),
            _count(handled),
            _count(and_(handled, or_(WorkOrder.handle_by.is_(None), WorkOrder.handled_at <= WorkOrder.handle_by))),
            _count(visited),
            _count(and_(visited, WorkOrder.satisfaction >= kpis.SATISFIED_FROM)),
            _count(and_(visited, WorkOrder.satisfaction == kpis.BASIC)),
        ).where(or_(signed, handled, inside(WorkOrder.visited_at)))
    ).one()
    (
        inputs.signed, inputs.signed_on_time, inputs.handled, inputs.handled_on_time,
        inputs.visits, inputs.satisfied, inputs.basic,
    ) = row  # fmt: skip


def _categories(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    rows = session.execute(
        select(Incident.category, func.count(Incident.id))
        .where(Incident.received_at >= since, Incident.received_at < until, Incident.state != "merged")
        .group_by(Incident.category)
    )
    return {category: n for category, n in rows}


def _hourly(session: Session, day: date) -> list[int]:
    start = datetime.combine(day, time(), CHINA)
    end = start + timedelta(days=1)
    bucket = _hour_bucket(session, Report.received_at, start).label("hour")
    rows = session.execute(
        select(bucket, func.count(Report.id))
        .where(Report.received_at >= start, Report.received_at < end)
        .group_by(bucket)
    )
    counts = [0] * 24
    for hour, n in rows:
        if hour is not None and 0 <= int(hour) < 24:
            counts[int(hour)] += n
    return counts


def trend(session: Session, day: date, now: datetime) -> Trend:
    """Calls per hour on `day`, the day before and the same day last year; hours still to come are None."""
    yesterday, last_year = day - timedelta(days=1), kpis.same_day_last_year(day)
    counts: list[int | None] = list(_hourly(session, day))
    local = now.astimezone(CHINA)
    if local.date() == day:
        counts = [n if hour <= local.hour else None for hour, n in enumerate(counts)]
    elif local.date() < day:
        counts = [None] * 24
    return Trend(day, yesterday, last_year, counts, _hourly(session, yesterday), _hourly(session, last_year))


def heat(session: Session, since: datetime, until: datetime) -> list[tuple[float, float, int]]:
    """Incidents with coordinates in the window, binned into cells (the newest HEAT_LIMIT of them)."""
    rows = session.execute(
        select(Incident.lat, Incident.lon)
        .where(
            Incident.received_at >= since,
            Incident.received_at < until,
            Incident.lat.is_not(None),
            Incident.lon.is_not(None),
            Incident.state != "merged",
        )
        .order_by(Incident.received_at.desc())
        .limit(HEAT_LIMIT)
    )
    return kpis.heat_cells((lat, lon) for lat, lon in rows)


# Putting it together -------------------------------------------------------------------------------------------


def gather(session: Session, since: datetime, until: datetime) -> Inputs:
    inputs = Inputs()
    _reports(session, inputs, since, until)
    _incidents(session, inputs, since, until)
    _orders(session, inputs, since, until)
    return inputs


# (numerator, denominator) of each KPI from the inputs; `calls` is a count, not a share.
def _terms(i: Inputs) -> dict[str, tuple[int, ...]]:
    return {
        "calls": (i.reports,),
        "answer_rate": (i.answered, i.live_calls),
        "one_minute_dispatch_rate": (i.dispatched_in_a_minute, i.dispatched),
        "diversion_rate": (i.diverted, i.invalid),
        "on_time_sign_rate": (i.signed_on_time, i.signed),
        "on_time_handle_rate": (i.handled_on_time, i.handled),
        "satisfaction_rate": (i.satisfied, i.visits),
        "basic_satisfaction_rate": (i.basic, i.visits),
        "repeat_rate": (i.repeats, i.with_number),
    }


def figures(inputs: Inputs) -> list[Figure]:
    """Each KPI of `kpis.KPIS` computed from the inputs, with what it was computed from."""
    terms = _terms(inputs)
    out = []
    for kpi in kpis.KPIS:
        args = terms[kpi.key]
        value = kpi.function(*args)
        if kpi.key == "calls":
            numerator, denominator = None, None
        elif kpi.key == "diversion_rate":
            numerator, denominator = args[0], args[0] + args[1]
        else:
            numerator, denominator = args
        out.append(
            Figure(kpi.key, kpi.zh, kpi.en, value, kpis.display(value, kpi.percent), numerator, denominator,
                   kpi.formula, kpi.name)
        )  # fmt: skip
    return out


def dashboard(
    session: Session, actor: Principal, since: datetime | None = None, until: datetime | None = None,
    now: datetime | None = None, with_heat: bool = False,
) -> Dashboard:  # fmt: skip
    """Every figure of the command dashboard for [since, until); by default today so far. City-wide."""
    require(actor, "kpi.read")
    now = now or utcnow()
    default_since, _ = today(now)
    since = since or default_since
    until = until or now
    inputs = gather(session, since, until)
    mix = kpis.category_mix(_categories(session, since, until))
    day = since.astimezone(CHINA).date()
    return Dashboard(
        since, until, inputs, figures(inputs), mix, trend(session, day, now),
        heat(session, since, until) if with_heat else [],
    )  # fmt: skip
