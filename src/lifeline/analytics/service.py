"""The KPIs' inputs for a time window, gathered with a few aggregate queries (SQLite and PostgreSQL alike).

Incident figures count incidents *received* in the window; work-order figures count the step taken in the
window (signed, handled, visited), and the 按时 rates add the orders still waiting past a deadline at the window's
end. The waiting tiles (`Waiting`) are the desk at `now`. "Today" is the local day in China Standard Time (UTC+8,
no daylight saving). The SQL computes the pure verdicts of `kpis` (dispatch_on_time, deadline_kept);
tests/analytics/test_service.py checks the two agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, cast, exists, extract, func, literal, or_, select, union
from sqlalchemy.orm import Session, aliased

from lifeline import taxonomy
from lifeline.analytics import kpis, periods, summary
from lifeline.analytics.models import COUNTS
from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.service import Principal, org_by_code, require, subtree
from lifeline.common import CHINA
from lifeline.dispatch.service import DEFAULT_ARRIVE_MINUTES
from lifeline.diversion import states as orders
from lifeline.diversion.models import FollowUp, WorkOrder
from lifeline.errors import Invalid, NotFound
from lifeline.incidents.models import Assignment, Incident, Report
from lifeline.incidents.service import LIVE_CHANNELS
from lifeline.incidents.states import OPEN_STATES
from lifeline.missing import service as missing_cases
from lifeline.store.base import utcnow
from lifeline.vocabulary import CallbackState, Channel, IncidentState

HEAT_LIMIT = 5000  # the newest incidents with coordinates drawn on the heat map
POLICE = ("police", "joint")


@dataclass
class Counts:
    """The inputs of `kpis` that add up over disjoint windows: one per (category, unit) and day, as `figure_rows`
    stores them (models.COUNTS). `signed`/`handled` count the orders signed/handled inside the window."""

    reports: int = 0
    live_calls: int = 0
    answered: int = 0
    incidents: int = 0
    valid: int = 0
    dispatch_due: int = 0
    dispatched_in_a_minute: int = 0
    arrival_due: int = 0
    arrived_in_time: int = 0
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

    def add(self, other) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Inputs(Counts):
    """The plain numbers the formulas in `kpis` take, for one window (and one group)."""

    late_sign: int = 0  # orders still unsigned past sign_by at the window's end
    late_handle: int = 0  # orders still not handled past handle_by at the window's end
    families: Counter = field(default_factory=Counter)  # incidents by kpis.FAMILY
    missing_found: int = 0
    missing_due: int = 0
    urged: int = 0  # orders urged, supervised, with an extension asked or approved in the window (`follow_ups`)
    supervised: int = 0
    extensions_requested: int = 0
    extensions_approved: int = 0

    @property
    def sign_due(self) -> int:
        return self.signed + self.late_sign

    @property
    def handle_due(self) -> int:
        return self.handled + self.late_handle


@dataclass(frozen=True)
class Scope:
    """Which rows a figure counts: categories and units (organisation ids); None means all."""

    categories: frozenset[str] | None = None
    units: frozenset[int] | None = None

    def keeps(self, category: str, unit: int | None) -> bool:
        return (self.categories is None or category in self.categories) and (self.units is None or unit in self.units)


EVERYTHING = Scope()


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
    # To the millisecond first: julianday's float makes 12:00:00 come out as 11:59:59.99999, in hour 11.
    offset = func.round((_epoch(session, column) - literal(start.timestamp())) * 1000) / 3600000
    if session.get_bind().dialect.name == "sqlite":
        return cast(offset, Integer)  # the window is filtered to ≥ start, so truncation is floor
    return func.floor(offset)


def _count(condition):
    return func.count(case((condition, 1)))


# Units: the organisation an incident or an order is counted under ------------------------------------------------


def _dispatched_to(incident):
    """The station (organisation) of the incident's first dispatch, as a scalar subquery."""
    return (
        select(Assignment.org_id)
        .where(Assignment.incident_id == incident.id, Assignment.kind == "dispatch")
        .order_by(Assignment.id)
        .limit(1)
        .scalar_subquery()
    )


def incident_unit(incident=Incident):
    """承办单位: the station it was dispatched to, else (a diverted matter) the organisation that took its order,
    else the centre that received it — a joint incident's linkage orders (120, gas) do not make it theirs."""
    ordered = (
        select(WorkOrder.org_id)
        .where(WorkOrder.incident_id == incident.id, WorkOrder.org_id.is_not(None))
        .order_by(WorkOrder.id)
        .limit(1)
        .scalar_subquery()
    )
    diverted = case((incident.disposition == "divert", ordered))
    return func.coalesce(_dispatched_to(incident), diverted, incident.owner_org_id)


def order_unit():
    """The organisation handling an order: its lead, or the desk that sent it to a peer platform."""
    return func.coalesce(WorkOrder.org_id, WorkOrder.sender_org_id)


# The queries: each counts a window grouped by (category, unit) ---------------------------------------------------

Groups = dict[tuple[str, int | None], Counts]


def _into(groups: Groups, rows, names: tuple[str, ...]) -> None:
    for category, unit, *values in rows:
        counts = groups.setdefault((category, unit), Counts())
        for name, value in zip(names, values, strict=True):
            setattr(counts, name, getattr(counts, name) + (value or 0))


def _reports(session: Session, groups: Groups, since: datetime, until: datetime) -> None:
    live, answered = Report.channel.in_(LIVE_CHANNELS), Report.answered_at.is_not(None)
    unit = incident_unit().label("unit")
    rows = session.execute(
        select(Incident.category, unit, func.count(Report.id), _count(live), _count(and_(live, answered)))
        .join(Incident, Incident.id == Report.incident_id)
        .where(Report.received_at >= since, Report.received_at < until)
        .group_by(Incident.category, unit)
    )
    _into(groups, rows, ("reports", "live_calls", "answered"))


def _within(session: Session, done, limit_seconds, now: datetime, *stops):
    """(on time, due) as SQL conditions: `kpis.dispatch_on_time` for each incident row, for the step stamped `done`
    within `limit_seconds` of received_at; `stops` end the wait without the step (cancelled, handed over).

    Merged incidents are left out: their calls count in the incident they joined.
    """
    received = _epoch(session, Incident.received_at)
    stopped = func.coalesce(*(_epoch(session, s) for s in stops), literal(now.timestamp()))
    police = and_(
        Incident.disposition.in_(POLICE), Incident.confirmed_at.is_not(None), Incident.state != IncidentState.MERGED
    )
    on_time = and_(police, done.is_not(None), _epoch(session, done) - received <= limit_seconds)
    due = and_(police, or_(done.is_not(None), stopped - received > limit_seconds))
    return on_time, due


def _dispatch_verdicts(session: Session, now: datetime):
    return _within(
        session, Incident.dispatched_at, kpis.ONE_MINUTE, now, Incident.cancelled_at, Incident.transferred_at
    )


def _arrival_verdicts(session: Session, now: datetime):
    """`kpis.arrival_on_time` as SQL: on scene within the dispatched station's zone minutes of the call."""
    zone = select(Organisation.arrive_minutes).where(Organisation.id == _dispatched_to(Incident)).scalar_subquery()
    limit = func.coalesce(zone, DEFAULT_ARRIVE_MINUTES) * 60
    return _within(
        session, Incident.on_scene_at, limit, now, Incident.cancelled_at, Incident.transferred_at,
        Incident.resolved_at,
    )  # fmt: skip


def _incidents(session: Session, groups: Groups, since: datetime, until: datetime, now: datetime) -> None:
    quick, due = _dispatch_verdicts(session, now)
    arrived, arrival_due = _arrival_verdicts(session, now)
    confirmed = Incident.confirmed_at.is_not(None)
    kept = Incident.state != IncidentState.MERGED
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
    unit = incident_unit().label("unit")
    rows = session.execute(
        select(
            Incident.category,
            unit,
            _count(kept),
            _count(and_(kept, confirmed, Incident.disposition != "invalid")),
            _count(due),
            _count(quick),
            _count(arrival_due),
            _count(arrived),
            _count(and_(confirmed, Incident.disposition == "divert")),
            _count(and_(confirmed, Incident.disposition == "invalid")),
            _count(numbered),
            _count(and_(numbered, called_before)),
        )
        .where(Incident.received_at >= since, Incident.received_at < until)
        .group_by(Incident.category, unit)
    )
    _into(groups, rows, ("incidents", "valid", "dispatch_due", "dispatched_in_a_minute", "arrival_due",
                         "arrived_in_time", "diverted", "invalid", "with_number", "repeats"))  # fmt: skip


def _orders(session: Session, groups: Groups, since: datetime, until: datetime) -> None:
    """Orders signed, handled and visited inside the window, and which of them kept their deadline."""
    unit = order_unit().label("unit")
    steps = (
        (WorkOrder.signed_at, WorkOrder.sign_by, ("signed", "signed_on_time")),
        (WorkOrder.handled_at, WorkOrder.handle_by, ("handled", "handled_on_time")),
    )
    for done, deadline, names in steps:
        rows = session.execute(
            select(
                WorkOrder.category, unit, func.count(WorkOrder.id), _count(or_(deadline.is_(None), done <= deadline))
            )
            .where(done >= since, done < until)
            .group_by(WorkOrder.category, unit)
        )
        _into(groups, rows, names)
    rows = session.execute(
        select(WorkOrder.category, unit, func.count(WorkOrder.id),
               _count(WorkOrder.satisfaction >= kpis.SATISFIED_FROM), _count(WorkOrder.satisfaction == kpis.BASIC))
        .where(WorkOrder.visited_at >= since, WorkOrder.visited_at < until, WorkOrder.satisfaction.is_not(None))
        .group_by(WorkOrder.category, unit)
    )  # fmt: skip
    _into(groups, rows, ("visits", "satisfied", "basic"))


def count_live(session: Session, since: datetime, until: datetime, now: datetime) -> Groups:
    """The additive counts of [since, until) straight from the incidents, reports and orders."""
    groups: Groups = {}
    if until <= since:
        return groups
    _reports(session, groups, since, until)
    _incidents(session, groups, since, until, now)
    _orders(session, groups, since, min(until, now))
    return groups


PROBE = 20_000  # index entries looked at to tell which of two ranges is narrower


def _due_then_done(session: Session, deadline, done, until: datetime):
    """deadline < until ≤ done, written so that SQLite walks the narrower index: it cannot tell two ranges apart
    (PostgreSQL can, from its statistics), so each is probed up to PROBE entries and the other is hidden from the
    planner inside coalesce()."""
    if session.get_bind().dialect.name != "sqlite":
        return deadline < until, done >= until

    def probe(condition) -> int:
        return session.scalar(
            select(func.count()).select_from(select(WorkOrder.id).where(condition).limit(PROBE).subquery())
        )

    if probe(deadline < until) <= probe(done >= until):
        return deadline < until, func.coalesce(done, None) >= until
    return func.coalesce(deadline, None) < until, done >= until


def late_orders(session: Session, since: datetime, until: datetime) -> dict[tuple[str, int | None], tuple[int, int]]:
    """Orders that missed a deadline and were still not done at the window's end (`until`, at most now), by
    (category, unit): (late to sign, late to handle). With the orders done inside the window they make
    `kpis.deadline_kept`'s count; an order overdue for days counts in every window until it is done."""
    if until <= since:
        return {}
    # The orders that can be late at `until`: still waiting now, or due before it and done only after it — each a
    # range on two indexed columns, where the planner takes the narrower (few are due before an early `until`,
    # few are done after a late one).
    candidates = union(
        select(WorkOrder.id).where(WorkOrder.state.in_(orders.UNHANDLED)),
        select(WorkOrder.id).where(*_due_then_done(session, WorkOrder.sign_by, WorkOrder.signed_at, until)),
        select(WorkOrder.id).where(*_due_then_done(session, WorkOrder.handle_by, WorkOrder.handled_at, until)),
    ).subquery()

    def late(deadline, done, undone):
        return and_(deadline < until, or_(done.is_(None), done < since, done >= until),
                    or_(WorkOrder.state.in_(undone), done >= until))  # fmt: skip

    unit = order_unit().label("unit")
    rows = session.execute(
        select(
            WorkOrder.category, unit,
            _count(late(WorkOrder.sign_by, WorkOrder.signed_at, orders.UNSIGNED)),
            _count(late(WorkOrder.handle_by, WorkOrder.handled_at, orders.UNHANDLED)),
        )
        .where(WorkOrder.id.in_(select(candidates.c.id)))
        .group_by(WorkOrder.category, unit)
    )  # fmt: skip
    return {(category, org): (sign, handle) for category, org, sign, handle in rows if sign or handle}


FOLLOW_UPS = ("urged", "supervised", "extensions_requested", "extensions_approved")


def follow_ups(session: Session, since: datetime, until: datetime) -> dict[tuple[str, int | None], tuple[int, ...]]:
    """Orders urged (催办), supervised (督办), with an extension asked and approved in [since, until), by (category,
    unit): each order once per window, by the record's time (an approval by its decision's time). Counted live:
    few orders are followed up, and an order counted once in a month may be urged on several of its days."""
    if until <= since:
        return {}
    within = and_(FollowUp.at >= since, FollowUp.at < until)
    approved = and_(FollowUp.kind == "extension", FollowUp.decision == "approved", FollowUp.decided_at >= since,
                    FollowUp.decided_at < until)  # fmt: skip

    def orders(condition):
        return func.count(func.distinct(case((condition, FollowUp.order_id))))

    unit = order_unit().label("unit")
    rows = session.execute(
        select(
            WorkOrder.category, unit,
            orders(and_(within, FollowUp.kind == "urge")),
            orders(and_(within, FollowUp.kind == "supervise")),
            orders(and_(within, FollowUp.kind == "extension")),
            orders(approved),
        )
        .join(WorkOrder, WorkOrder.id == FollowUp.order_id)
        .where(or_(within, approved))
        .group_by(WorkOrder.category, unit)
    )  # fmt: skip
    return {(category, org): tuple(counts) for category, org, *counts in rows}


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


def calls_by_hour(session: Session, day: date) -> list[int]:
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


def hourly_calls(session: Session, since: datetime, until: datetime, now: datetime) -> list[int]:
    """Calls per hour of the day (0–23, China time) over the whole days of [since, until): from the summary where
    it is fresh, the other days live."""
    found = summary.plan(session, since, until, now)
    counts = summary.hours(session, found.pieces)
    for start, end in found.live:
        for day in periods.days(start, end):
            whole = periods.day_window(day)
            if start <= whole[0] and whole[1] <= end:
                counts = [a + b for a, b in zip(counts, calls_by_hour(session, day), strict=True)]
    return counts


def trend(session: Session, day: date, now: datetime) -> Trend:
    """Calls per hour on `day`, the day before and the same day last year; hours still to come are None."""
    yesterday, last_year = day - timedelta(days=1), kpis.same_day_last_year(day)
    counts: list[int | None] = list(calls_by_hour(session, day))
    local = now.astimezone(CHINA)
    if local.date() == day:
        counts = [n if hour <= local.hour else None for hour, n in enumerate(counts)]
    elif local.date() < day:
        counts = [None] * 24
    before, a_year_ago = calls_by_hour(session, yesterday), calls_by_hour(session, last_year)
    return Trend(day, yesterday, last_year, counts, before, a_year_ago)


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


# Putting it together: summary days and live ranges, then groups -----------------------------------------------------


def count(session: Session, since: datetime, until: datetime, now: datetime, by_unit: bool = True) -> Groups:
    """The additive counts of [since, until): settled days, months and years from their summary rows, the rest
    live. Without `by_unit`, the summary's rows are summed by category alone (unit None): fewer rows for a
    figure of the whole city."""
    found = summary.plan(session, since, until, now)
    groups = summary.sums(session, found.pieces, by_unit)
    for start, end in found.live:
        _merge(groups, count_live(session, start, end, now))
    return groups


def _merge(groups: Groups, more: Groups) -> None:
    for key, counts in more.items():
        groups.setdefault(key, Counts()).add(counts)


@dataclass
class ChannelCounts:
    reports: int = 0
    answered: int = 0
    waited_seconds: float = 0.0


def by_channel(
    session: Session, since: datetime, until: datetime, scope: Scope = EVERYTHING
) -> dict[str, ChannelCounts]:
    """Each channel's reports in the window, how many a seat answered and the seconds they waited for it."""
    if session.get_bind().dialect.name == "sqlite":
        waited = (func.julianday(Report.answered_at) - func.julianday(Report.received_at)) * 86400.0
    else:
        waited = func.extract("epoch", Report.answered_at - Report.received_at)
    answered = Report.answered_at.is_not(None)
    rows = session.execute(
        select(Report.channel, Incident.category, incident_unit().label("unit"), func.count(Report.id),
               _count(answered), func.coalesce(func.sum(case((answered, waited), else_=0.0)), 0.0))
        .join(Incident, Incident.id == Report.incident_id)
        .where(Report.received_at >= since, Report.received_at < until, Report.channel != Channel.CALLBACK)
        .group_by(Report.channel, Incident.category, "unit")
    )  # fmt: skip
    out: dict[str, ChannelCounts] = {}
    for channel, category, unit, reports, answered_n, seconds in rows:
        if scope.keeps(category, unit):
            counts = out.setdefault(channel, ChannelCounts())
            counts.reports += reports
            counts.answered += answered_n or 0
            counts.waited_seconds += max(0.0, float(seconds or 0.0))
    return out


BY = ("category", "unit", "district")  # what figures may be grouped by, beside time (GET /kpis group_by)


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str
    kind: str
    district_id: int  # the unit's highest organisation below the city and its centres


def units(session: Session) -> dict[int, Unit]:
    """Every organisation as a unit of the figures, with the district it belongs to: walking up from a station,
    the last organisation before the city or a centre (a district bureau; a station hanging straight under the
    110 centre is its own district, as in the demo city)."""
    rows = {o.id: o for o in session.scalars(select(Organisation))}

    def district(org: Organisation) -> int:
        while org.parent_id in rows and rows[org.parent_id].kind not in TOP_KINDS:
            org = rows[org.parent_id]
        return org.id

    return {o.id: Unit(o.id, o.code, o.name, o.kind, district(o)) for o in rows.values()}


TOP_KINDS = frozenset({"city", "centre_110", "centre_12345", "province"})


def _window(session: Session, since: datetime, until: datetime, now: datetime, by_unit: bool, deadlines: bool):
    """(counts, late orders, follow-ups) of a window, counted once per transaction: a report asks for the same
    period by category, by district and in total."""
    cache = session.info.setdefault("lifeline.figures", {})
    key = (since, until, now, by_unit, deadlines)
    if key not in cache:
        end = min(until, now)
        cache[key] = (
            count(session, since, until, now, by_unit),
            late_orders(session, since, end) if deadlines else {},
            follow_ups(session, since, end),
        )
    return cache[key]


def inputs(
    session: Session, since: datetime, until: datetime, now: datetime, scope: Scope = EVERYTHING, by: str | None = None,
    deadlines: bool = True,
) -> dict:  # fmt: skip
    """The window's inputs, one per group (`by`: None for one, or one of BY); what is still waiting is judged at
    the window's end, or now if that is sooner. Without `deadlines`, the orders late at the window's end are not
    looked for (the 按时 rates then count only the orders done in the window: for a trend that does not show them)."""
    by_unit = scope.units is not None or by in ("unit", "district")
    groups, late, followed = _window(session, since, until, now, by_unit, deadlines)
    known = units(session) if by == "district" else {}

    def group(category: str, unit: int | None):
        if by == "category":
            return category
        if by == "unit":
            return unit
        if by == "district":
            return known[unit].district_id if unit in known else None
        return None

    out: dict = {}
    for (category, unit), counts in groups.items():
        if scope.keeps(category, unit):
            found = out.setdefault(group(category, unit), Inputs())
            found.add(counts)
            found.families[kpis.family(category)] += counts.incidents
    for (category, unit), (sign, handle) in late.items():
        if scope.keeps(category, unit):
            found = out.setdefault(group(category, unit), Inputs())
            found.late_sign += sign
            found.late_handle += handle
    for (category, unit), counts in followed.items():
        if scope.keeps(category, unit):
            found = out.setdefault(group(category, unit), Inputs())
            for name, n in zip(FOLLOW_UPS, counts, strict=True):
                setattr(found, name, getattr(found, name) + n)
    return out


def gather(
    session: Session, since: datetime, until: datetime, now: datetime, scope: Scope = EVERYTHING,
    actor: Principal | None = None,
) -> Inputs:  # fmt: skip
    """The window's inputs for the whole scope, with the missing-person figures when `actor` may read them."""
    found = inputs(session, since, until, now, scope).get(None, Inputs())
    if (
        actor is not None
        and scope.categories is None
        and scope.units is None
        and permissions.allowed(actor.role, "missing.read")
    ):
        missing = missing_cases.figures(session, actor, since, until, now)
        found.missing_found, found.missing_due = missing.found_24h, missing.due
    return found


# The arguments of each KPI's function; for a share, (numerator, denominator) as the function takes them.
def _terms(i: Inputs) -> dict[str, tuple[int, ...]]:
    return {
        "calls": (i.reports,),
        "answer_rate": (i.answered, i.live_calls),
        "one_minute_dispatch_rate": (i.dispatched_in_a_minute, i.dispatch_due),
        "arrival_rate": (i.arrived_in_time, i.arrival_due),
        "diversion_rate": (i.diverted, i.invalid),
        "valid_incidents": (i.valid,),
        "criminal": (i.families["criminal"],),
        "public_order": (i.families["public_order"],),
        "help_requests": (i.families["help"],),
        "disputes": (i.families["dispute"],),
        "diverted_count": (i.diverted,),
        "invalid_count": (i.invalid,),
        "on_time_sign_rate": (i.signed_on_time, i.sign_due),
        "on_time_handle_rate": (i.handled_on_time, i.handle_due),
        "satisfaction_rate": (i.satisfied, i.visits),
        "basic_satisfaction_rate": (i.basic, i.visits),
        "repeat_rate": (i.repeats, i.with_number),
        "urged_orders": (i.urged,),
        "supervised_orders": (i.supervised,),
        "extensions_requested": (i.extensions_requested,),
        "extensions_approved": (i.extensions_approved,),
        "missing_found_rate": (i.missing_found, i.missing_due),
    }


def _figure(kpi: kpis.Kpi, args: tuple, shares: tuple[int, int] | None = None) -> Figure:
    value = kpi.function(*args)
    numerator, denominator = shares or (None, None)
    return Figure(kpi.key, kpi.zh, kpi.en, value, kpis.display(value, kpi.unit), numerator, denominator,
                  kpi.formula, kpi.name, kpi.unit)  # fmt: skip


def channel_figures(counts: ChannelCounts) -> list[Figure]:
    """`kpis.BY_CHANNEL` for one channel."""
    rate, seconds = kpis.BY_CHANNEL
    return [_figure(rate, (counts.answered, counts.reports), (counts.answered, counts.reports)),
            _figure(seconds, (counts.waited_seconds, counts.answered))]  # fmt: skip


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
    now: datetime | None = None, with_heat: bool = False, inputs: Inputs | None = None,
) -> Dashboard:  # fmt: skip
    """Every figure of the command dashboard for [since, until) (by default today so far) and what waits at `now`.
    City-wide; `inputs` when the caller has counted the window already (`compare`)."""
    require(actor, "kpi.read")
    now = now or utcnow()
    default_since, _ = today(now)
    since = since or default_since
    until = until or now
    inputs = inputs or gather(session, since, until, now, actor=actor)
    found = waiting(session, now)
    mix = kpis.category_mix(_categories(session, since, until))
    day = since.astimezone(CHINA).date()
    return Dashboard(
        since, until, now, inputs, figures(inputs), found, now_figures(found), mix, trend(session, day, now),
        heat(session, since, until) if with_heat else [],
    )  # fmt: skip


# Any period, any unit, compared ---------------------------------------------------------------------------------

TIME_BY = ("day", "month")  # group_by over time: each day or month of the period as its own window


def resolve_scope(
    session: Session, org: str | None = None, district: str | None = None, category: str | None = None
) -> Scope:
    """The rows a figure counts from the query's words: an organisation's code (its subtree: a district bureau
    with its stations, a department with its sections), a district (the code or name of a unit that is some
    unit's district), a category code or a family (kpis.FAMILIES keys, e.g. criminal) — several codes with
    commas. A clear 422/404 names what was not found."""
    unit_ids: set[int] | None = None
    known = units(session)
    if org:
        unit_ids = subtree(session, org_by_code(session, org).id)
    if district:
        districts = {u.district_id for u in known.values()}
        match = next((u for u in known.values() if u.id in districts and district in (u.code, u.name)), None)
        if match is None:
            raise NotFound(f"没有名为或代码为 {district!r} 的辖区 / no district {district!r}")
        inside = {u.id for u in known.values() if u.district_id == match.id}
        unit_ids = inside if unit_ids is None else unit_ids & inside
    categories: set[str] | None = None
    if category:
        names = taxonomy.default().categories
        categories = set()
        for word in (w.strip() for w in category.split(",") if w.strip()):
            if word in kpis.FAMILIES:
                categories |= {c for c in names if kpis.family(c) == word}
            elif word in names:
                categories.add(word)
            else:
                raise Invalid(
                    f"未知类别 {word!r}：应为类别代码或 {'/'.join(kpis.FAMILIES)} / unknown category or family {word!r}"
                )
    return Scope(
        frozenset(categories) if categories is not None else None,
        frozenset(unit_ids) if unit_ids is not None else None,
    )


@dataclass
class Group:
    key: str
    zh: str
    figures: list[Figure]


@dataclass
class Compared:
    """A period's figures beside the period before and the same period a year earlier, and its groups."""

    period: periods.Period
    previous: periods.Period
    last_year: periods.Period
    now: datetime
    scope: Scope
    inputs: Inputs
    figures: list[Figure]
    previous_figures: list[Figure]
    last_year_figures: list[Figure]
    by: str | None = None
    groups: list[Group] = field(default_factory=list)


def _group_label(session: Session, by: str, key, known: dict[int, Unit]) -> str:
    if by == "category":
        found = taxonomy.default().categories.get(key)
        return found.zh if found else str(key)
    if by in ("unit", "district"):
        return known[key].name if key in known else "（未归属）"
    return str(key)


DEADLINE_KEYS = frozenset({"on_time_sign_rate", "on_time_handle_rate"})


def groups(
    session: Session, period: periods.Period, now: datetime, scope: Scope, by: str, deadlines: bool = True
) -> list[Group]:  # fmt: skip
    """The period's figures by category, unit or district (largest first by incidents), or by day or month.
    Without `deadlines` (a trend of counts), the 按时 rates are left out rather than shown half-counted."""
    if by in TIME_BY:
        out = []
        for part in periods.split(period, by):
            if part.since >= now:
                break
            found = inputs(session, part.since, part.until, now, scope, None, deadlines).get(None, Inputs())
            shown = [f for f in figures(found) if deadlines or f.key not in DEADLINE_KEYS]
            out.append(Group(part.label, part.label, shown))
        return out
    known = units(session)
    found = inputs(session, period.since, period.until, now, scope, by)
    ordered = sorted(found.items(), key=lambda kv: (-kv[1].incidents, -kv[1].reports, str(kv[0])))
    return [
        Group(
            known[key].code if by in ("unit", "district") and key in known else str(key),
            _group_label(session, by, key, known),
            figures(value),
        )
        for key, value in ordered
    ]


def compare(
    session: Session, actor: Principal, period: periods.Period, scope: Scope = EVERYTHING, by: str | None = None,
    now: datetime | None = None,
) -> Compared:  # fmt: skip
    """The figures of `period` for `scope`, with the period before and the same period last year (环比, 同比)."""
    require(actor, "kpi.read")
    now = now or utcnow()
    before, a_year_ago = periods.previous(period), periods.last_year(period)
    found = gather(session, period.since, min(period.until, now) if period.since < now else period.until, now,
                   scope, actor)  # fmt: skip
    earlier = gather(session, before.since, before.until, now, scope, actor)
    year_ago = gather(session, a_year_ago.since, a_year_ago.until, now, scope, actor)
    result = Compared(period, before, a_year_ago, now, scope, found, figures(found), figures(earlier),
                      figures(year_ago), by)  # fmt: skip
    if by:
        result.groups = groups(session, period, now, scope, by)
    return result
