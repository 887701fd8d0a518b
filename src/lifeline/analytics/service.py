"""The KPIs' inputs for a time window, gathered with a few aggregate queries (SQLite and PostgreSQL alike).

Incident figures count incidents *received* in the window; work-order figures count the step taken in the
window (signed, handled, visited), and the 按时 rates add the orders still waiting past a deadline at the window's
end. The waiting tiles (`Waiting`) are the desk at `now`. "Today" is the local day in China Standard Time (UTC+8,
no daylight saving). The SQL computes the pure verdicts of `kpis` (dispatch_on_time, deadline_kept);
tests/analytics/test_service.py checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, cast, exists, extract, false, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from lifeline.analytics import kpis
from lifeline.auth.service import Principal, require
from lifeline.common import CHINA
from lifeline.diversion import states as orders
from lifeline.diversion.models import WorkOrder
from lifeline.incidents.models import Incident, Report
from lifeline.incidents.service import LIVE_CHANNELS
from lifeline.incidents.states import OPEN_STATES
from lifeline.store.base import utcnow
from lifeline.vocabulary import CallbackState, IncidentState

HEAT_LIMIT = 5000  # the newest incidents with coordinates drawn on the heat map
POLICE = ("police", "joint")


@dataclass
class Inputs:
    """The plain numbers the formulas in `kpis` take."""

    reports: int = 0
    live_calls: int = 0
    answered: int = 0
    dispatch_due: int = 0
    dispatched_in_a_minute: int = 0
    diverted: int = 0
    invalid: int = 0
    with_number: int = 0
    repeats: int = 0
    sign_due: int = 0
    signed_on_time: int = 0
    handle_due: int = 0
    handled_on_time: int = 0
    visits: int = 0
    satisfied: int = 0
    basic: int = 0


@dataclass
class Longest:
    """The incident waiting longest for a unit now."""

    incident_id: int
    priority: int
    received_at: datetime
    seconds: float


@dataclass
class Waiting:
    """What waits at `now`: the inputs of `kpis.NOW`."""

    p1: int = 0
    p2: int = 0
    orders_overdue: int = 0
    callbacks: int = 0
    longest: Longest | None = None


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
    unit: str  # kpis.SHARE, COUNT or SECONDS


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
    now: datetime
    inputs: Inputs
    figures: list[Figure]
    waiting: Waiting
    now_figures: list[Figure]
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


def _dispatch_verdicts(session: Session, now: datetime):
    """(on time, due) as SQL conditions: `kpis.dispatch_on_time` for each incident row.

    Merged incidents are left out: their calls count in the incident they joined.
    """
    received = _epoch(session, Incident.received_at)
    dispatched = Incident.dispatched_at.is_not(None)
    stopped = func.coalesce(
        _epoch(session, Incident.cancelled_at), _epoch(session, Incident.transferred_at), literal(now.timestamp())
    )
    police = and_(
        Incident.disposition.in_(POLICE), Incident.confirmed_at.is_not(None), Incident.state != IncidentState.MERGED
    )
    on_time = and_(police, dispatched, _epoch(session, Incident.dispatched_at) - received <= kpis.ONE_MINUTE)
    due = and_(police, or_(dispatched, stopped - received > kpis.ONE_MINUTE))
    return on_time, due


def _incidents(session: Session, inputs: Inputs, since: datetime, until: datetime, now: datetime) -> None:
    quick, due = _dispatch_verdicts(session, now)
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
            _count(due),
            _count(quick),
            _count(and_(confirmed, Incident.disposition == "divert")),
            _count(and_(confirmed, Incident.disposition == "invalid")),
            _count(numbered),
            _count(and_(numbered, called_before)),
        ).where(Incident.received_at >= since, Incident.received_at < until)
    ).one()
    (
        inputs.dispatch_due, inputs.dispatched_in_a_minute, inputs.diverted, inputs.invalid,
        inputs.with_number, inputs.repeats,
    ) = row  # fmt: skip


def _deadline_verdicts(deadline, done, undone_now, since: datetime, until: datetime):
    """(on time, counted) as SQL conditions: `kpis.deadline_kept` for each order row; `until` is at most now."""
    if until <= since:
        return false(), false()
    inside = and_(done >= since, done < until)
    on_time = and_(inside, or_(deadline.is_(None), done <= deadline))
    late = and_(
        or_(done.is_(None), done < since, done >= until),
        deadline < until,
        or_(undone_now, done >= until),
    )
    return on_time, or_(inside, late)


def _orders(session: Session, inputs: Inputs, since: datetime, until: datetime) -> None:
    signed_on_time, sign_due = _deadline_verdicts(
        WorkOrder.sign_by, WorkOrder.signed_at, WorkOrder.state.in_(orders.UNSIGNED), since, until
    )
    handled_on_time, handle_due = _deadline_verdicts(
        WorkOrder.handle_by, WorkOrder.handled_at, WorkOrder.state.in_(orders.UNHANDLED), since, until
    )
    visited = and_(WorkOrder.visited_at >= since, WorkOrder.visited_at < until, WorkOrder.satisfaction.is_not(None))
    row = session.execute(
        select(
            _count(sign_due),
            _count(signed_on_time),
            _count(handle_due),
            _count(handled_on_time),
            _count(visited),
            _count(and_(visited, WorkOrder.satisfaction >= kpis.SATISFIED_FROM)),
            _count(and_(visited, WorkOrder.satisfaction == kpis.BASIC)),
        ).where(or_(sign_due, handle_due, visited))
    ).one()
    (
        inputs.sign_due, inputs.signed_on_time, inputs.handle_due, inputs.handled_on_time,
        inputs.visits, inputs.satisfied, inputs.basic,
    ) = row  # fmt: skip


def waiting_for_a_unit():
    """Police or joint incidents waiting for a unit now: confirmed and not yet dispatched, or dispatched and not yet
    accepted by a crew since (incidents.service.accepted: a reopened one sent again waits again)."""
    return and_(
        Incident.disposition.in_(POLICE),
        or_(
            and_(Incident.state == IncidentState.CONFIRMED, Incident.dispatched_at.is_(None)),
            and_(
                Incident.state == IncidentState.DISPATCHED,
                or_(Incident.accepted_at.is_(None), Incident.accepted_at < Incident.dispatched_at),
            ),
        ),
    )


def waiting(session: Session, now: datetime) -> Waiting:
    """What waits at `now`: incidents for a unit (P1, P2, the longest), orders past a deadline, call-backs."""
    found = Waiting()
    unit = waiting_for_a_unit()
    found.p1, found.p2 = session.execute(
        select(_count(Incident.priority == 1), _count(Incident.priority == 2)).where(unit)
    ).one()
    first = session.execute(
        select(Incident.id, Incident.priority, Incident.received_at)
        .where(unit)
        .order_by(Incident.received_at, Incident.id)
        .limit(1)
    ).first()
    if first:
        found.longest = Longest(first.id, first.priority, first.received_at, (now - first.received_at).total_seconds())
    found.orders_overdue = session.scalar(
        select(func.count(WorkOrder.id)).where(
            or_(
                and_(WorkOrder.state.in_(orders.UNSIGNED), WorkOrder.sign_by < now),
                and_(WorkOrder.state.in_(orders.UNHANDLED), WorkOrder.handle_by < now),
            )
        )
    )
    found.callbacks = session.scalar(
        select(func.count(Incident.id)).where(
            Incident.callback_state.in_([CallbackState.WAITING, CallbackState.SUPERVISOR]),
            Incident.state.in_(OPEN_STATES),
        )
    )
    return found


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


def gather(session: Session, since: datetime, until: datetime, now: datetime) -> Inputs:
    """The window's inputs; what is still waiting is judged at the window's end, or now if that is sooner."""
    inputs = Inputs()
    _reports(session, inputs, since, until)
    _incidents(session, inputs, since, until, now)
    _orders(session, inputs, since, min(until, now))
    return inputs


# The arguments of each KPI's function; for a share, (numerator, denominator) as the function takes them.
def _terms(i: Inputs) -> dict[str, tuple[int, ...]]:
    return {
        "calls": (i.reports,),
        "answer_rate": (i.answered, i.live_calls),
        "one_minute_dispatch_rate": (i.dispatched_in_a_minute, i.dispatch_due),
        "diversion_rate": (i.diverted, i.invalid),
        "on_time_sign_rate": (i.signed_on_time, i.sign_due),
        "on_time_handle_rate": (i.handled_on_time, i.handle_due),
        "satisfaction_rate": (i.satisfied, i.visits),
        "basic_satisfaction_rate": (i.basic, i.visits),
        "repeat_rate": (i.repeats, i.with_number),
    }


def _figure(kpi: kpis.Kpi, args: tuple, shares: tuple[int, int] | None = None) -> Figure:
    value = kpi.function(*args)
    numerator, denominator = shares or (None, None)
    return Figure(kpi.key, kpi.zh, kpi.en, value, kpis.display(value, kpi.unit), numerator, denominator,
                  kpi.formula, kpi.name, kpi.unit)  # fmt: skip


def figures(inputs: Inputs) -> list[Figure]:
    """Each KPI of `kpis.KPIS` computed from the inputs, with what it was computed from."""
    terms = _terms(inputs)
    out = []
    for kpi in kpis.KPIS:
        args = terms[kpi.key]
        if kpi.unit != kpis.SHARE:
            shares = None
        elif kpi.key == "diversion_rate":
            shares = (args[0], args[0] + args[1])
        else:
            shares = args
        out.append(_figure(kpi, args, shares))
    return out


def now_figures(found: Waiting) -> list[Figure]:
    """Each figure of `kpis.NOW` from what waits."""
    terms = {
        "p1_waiting": (found.p1,),
        "p2_waiting": (found.p2,),
        "longest_wait": (found.longest.seconds if found.longest else None,),
        "orders_overdue": (found.orders_overdue,),
        "callbacks_waiting": (found.callbacks,),
    }
    return [_figure(kpi, terms[kpi.key]) for kpi in kpis.NOW]


def dashboard(
    session: Session, actor: Principal, since: datetime | None = None, until: datetime | None = None,
    now: datetime | None = None, with_heat: bool = False,
) -> Dashboard:  # fmt: skip
    """Every figure of the command dashboard for [since, until) (by default today so far) and what waits at `now`.
    City-wide."""
    require(actor, "kpi.read")
    now = now or utcnow()
    default_since, _ = today(now)
    since = since or default_since
    until = until or now
    inputs = gather(session, since, until, now)
    found = waiting(session, now)
    mix = kpis.category_mix(_categories(session, since, until))
    day = since.astimezone(CHINA).date()
    return Dashboard(
        since, until, now, inputs, figures(inputs), found, now_figures(found), mix, trend(session, day, now),
        heat(session, since, until) if with_heat else [],
    )  # fmt: skip
