"""What the work-order console reads: the queues (收件箱, 待改派, 待回访) with their counts, sort and filters, the
steps open to a viewer, where a returned order may be re-routed, and an order's step history. Reads only; every
read goes through `service.scope` / `service.get`, so a viewer sees only the orders handed to or sent by them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.service import Principal, require
from lifeline.diversion import service, states
from lifeline.diversion.models import FollowUp, OrderOrg, WorkOrder
from lifeline.errors import LifelineError
from lifeline.store.events import Event
from lifeline.vocabulary import OrderState, OrderStep, Role

S = OrderState
# Each queue and the states it holds: to sign or handle; returned (re-route, take back, refer); to visit or close.
VIEWS: dict[str, tuple[OrderState, ...]] = {
    "inbox": (S.SENT, S.RECEIVED, S.SIGNED, S.IN_PROGRESS),
    "reroute": (S.RETURNED, S.REFERRED),
    "visit": (S.HANDLED, S.VISITED),
}
# Which queues a role works: the handlers the inbox; the desk that sends orders the re-route queue; 12345 visits.
VIEW_STEPS = {"inbox": OrderStep.SIGNED, "reroute": OrderStep.REROUTED, "visit": OrderStep.VISITED}
SORTS = ("deadline", "received", "state")
TO_SIGN = (S.SENT, S.RECEIVED)
TO_HANDLE = (S.SENT, S.RECEIVED, S.SIGNED, S.IN_PROGRESS)
# Organisations that take 12345 orders (not police, not the centres): where a returned order may go.
TAKERS = ("department", "utility", "governance_centre")
DEFAULT_LIMIT = 500


def views_for(role: str) -> list[str]:
    """The queues a role works, in tab order (admin all)."""
    return [view for view, step in VIEW_STEPS.items() if role in service.STEP_ROLES[step]]


def deadline():
    """The deadline that applies now: sign_by while the order waits to be signed, handle_by after."""
    return case((WorkOrder.state.in_(TO_SIGN), WorkOrder.sign_by), else_=WorkOrder.handle_by)


def overdue_clause(now: datetime):
    """SQL twin of states.overdue: an open order past the deadline that applies to it."""
    return or_(
        and_(WorkOrder.state.in_(TO_SIGN), WorkOrder.sign_by < now),
        and_(WorkOrder.state.in_(TO_HANDLE), WorkOrder.handle_by < now),
    )


@dataclass(frozen=True)
class Query:
    """A console list: one queue, optionally one of its states, one organisation, one catalogue item, overdue only;
    sorted."""

    view: str = "inbox"
    state: str = ""
    org: str = ""
    overdue: bool = False
    sort: str = "deadline"
    item: str = ""

    @classmethod
    def of(cls, role: str, view: str = "", state: str = "", org: str = "", overdue: str = "", sort: str = "", item=""):
        """From query parameters as typed in a URL: anything unknown falls back to the default."""
        views = views_for(role) or ["inbox"]
        view = view if view in views else views[0]
        state = state if state in VIEWS[view] else ""
        sort = sort if sort in SORTS else SORTS[0]
        return cls(view, state, org.strip()[:64], overdue in ("1", "true", "on"), sort, item.strip()[:64])


@dataclass
class Marks:
    """An order's follow-ups for the inbox's badges."""

    urged: int = 0  # 催办, by hand and automatic
    supervised: int = 0  # 督办
    extension: str | None = None  # the latest extension request's decision: pending | approved | refused


@dataclass
class Row:
    order: WorkOrder
    orgs: list[tuple[str, str, str, datetime | None]]  # (code, name, kind, signed_at): lead first
    due: datetime | None  # the deadline that applies now; none once handled or while returned
    late: bool
    marks: Marks = field(default_factory=Marks)


def _filters(session: Session, actor: Principal, query: Query, now: datetime) -> list:
    clauses = [service.scope(session, actor)]
    if query.org:
        holders = (
            select(OrderOrg.order_id)
            .join(Organisation, Organisation.id == OrderOrg.org_id)
            .where(Organisation.code == query.org, OrderOrg.kind != "former")
        )
        clauses.append(WorkOrder.id.in_(holders))
    if query.item:
        clauses.append(WorkOrder.catalogue_item == query.item)
    if query.overdue:
        clauses.append(overdue_clause(now))
    return clauses


def counts(session: Session, actor: Principal, query: Query, now: datetime) -> dict[str, int]:
    """How many orders each queue holds, under the same organisation and overdue filters."""
    require(actor, "order.read")
    by_state = dict(
        session.execute(
            select(WorkOrder.state, func.count())
            .where(*_filters(session, actor, query, now), WorkOrder.state.in_(states.OPEN))
            .group_by(WorkOrder.state)
        ).all()
    )
    return {view: sum(by_state.get(s, 0) for s in held) for view, held in VIEWS.items()}


def rows(session: Session, actor: Principal, query: Query, now: datetime, limit: int = DEFAULT_LIMIT) -> list[Row]:
    require(actor, "order.read")
    held = (query.state,) if query.state else VIEWS[query.view]
    rank = case({s.value: i for i, s in enumerate(OrderState)}, value=WorkOrder.state)
    received = func.coalesce(WorkOrder.received_at, WorkOrder.sent_at)
    order_by = {
        "deadline": (deadline(), WorkOrder.id),
        "received": (received, WorkOrder.id),
        "state": (rank, deadline(), WorkOrder.id),
    }[query.sort]
    found = list(
        session.scalars(
            select(WorkOrder)
            .where(*_filters(session, actor, query, now), WorkOrder.state.in_(held))
            .order_by(*order_by)
            .limit(limit)
        )
    )
    return rows_of(session, found, now)


def rows_of(session: Session, orders: list[WorkOrder], now: datetime) -> list[Row]:
    """The orders with their organisations and the deadline that applies now."""
    orgs = holders(session, [order.id for order in orders])
    marks = follow_up_marks(session, [order.id for order in orders])
    return [
        Row(
            order,
            orgs.get(order.id, []),
            order.sign_by if order.state in TO_SIGN else order.handle_by if order.state in TO_HANDLE else None,
            states.overdue(order.state, order.sign_by, order.handle_by, now) is not None,
            marks.get(order.id, Marks()),
        )
        for order in orders
    ]


def follow_up_marks(session: Session, order_ids: list[int]) -> dict[int, Marks]:
    """Each order's urges, supervision records and latest extension decision; one query for a whole list."""
    found: dict[int, Marks] = {}
    if not order_ids:
        return found
    query = (
        select(FollowUp.order_id, FollowUp.kind, FollowUp.decision)
        .where(FollowUp.order_id.in_(order_ids))
        .order_by(FollowUp.order_id, FollowUp.id)
    )
    for order_id, kind, decision in session.execute(query):
        marks = found.setdefault(order_id, Marks())
        if kind == "urge":
            marks.urged += 1
        elif kind == "supervise":
            marks.supervised += 1
        else:
            marks.extension = decision
    return found


def follow_up_actions(session: Session, actor: Principal, order: WorkOrder, now: datetime) -> set[str]:
    """The follow-ups this viewer may take on the order now (service checks the same again on the press): extend,
    decide (a pending extension), urge, supervise."""
    may = set()
    checks = {
        "extend": ("order.extend", service.handler_part),
        "decide": ("order.extension_decide", service.desk_part),
        "urge": ("order.urge", service.desk_part),
        "supervise": ("order.supervise", service.desk_part),
    }
    for name, (action, part) in checks.items():
        if not permissions.allowed(actor.role, action):
            continue
        try:
            part(session, actor, order)
            if name != "decide":
                service.handled_here(order)
        except LifelineError:
            continue
        may.add(name)
    pending = service.pending_extension(session, order)
    if pending is None or pending.by == actor.username:
        may.discard("decide")
    if pending is not None:
        may.discard("extend")
    if states.overdue(order.state, order.sign_by, order.handle_by, now) is None:
        may.discard("supervise")
    return may


def holders(session: Session, order_ids: list[int]) -> dict[int, list[tuple[str, str, str, datetime | None]]]:
    """Each order's organisations (code, name, kind, signed_at), the lead first, then co-organisers, then former
    leads; one query for a whole list."""
    found: dict[int, list] = {}
    if not order_ids:
        return found
    rank = case({"lead": 0, "countersign": 1}, value=OrderOrg.kind, else_=2)
    for order_id, code, name, kind, signed in session.execute(
        select(OrderOrg.order_id, Organisation.code, Organisation.name, OrderOrg.kind, OrderOrg.signed_at)
        .join(Organisation, Organisation.id == OrderOrg.org_id)
        .where(OrderOrg.order_id.in_(order_ids))
        .order_by(OrderOrg.order_id, rank, OrderOrg.id)
    ):
        found.setdefault(order_id, []).append((code, name, kind, signed))
    return found


def takers(session: Session) -> list[Organisation]:
    """The organisations that take 12345 orders (the organisation filter's choices)."""
    return list(session.scalars(select(Organisation).where(Organisation.kind.in_(TAKERS)).order_by(Organisation.id)))


def reroute_choices(session: Session, order: WorkOrder) -> list[Organisation]:
    """Where a returned order may go: the organisations that take orders, but none that held it already."""
    held = set(session.scalars(select(OrderOrg.org_id).where(OrderOrg.order_id == order.id)))
    return [org for org in takers(session) if org.id not in held]


def open_steps(session: Session, actor: Principal, order: WorkOrder) -> list[OrderStep]:
    """The steps this viewer may take on the order now: its state allows them, the role takes them, the order is
    the viewer's to move (service.step checks the same again when the button is pressed)."""
    steps = []
    for name in states.allowed_next(order.state):
        step = OrderStep(name)
        if actor.role not in service.STEP_ROLES[step]:
            continue
        if order.org_id is None and step not in service.ON_PEER_COPY:
            continue  # the peer handles it: here it can only be taken back
        if order.state == S.REFERRED and actor.role not in (Role.SUPERVISOR, Role.ADMIN):
            continue
        try:
            service.own_part(session, actor, order, step)
        except LifelineError:
            continue
        steps.append(step)
    return steps


@dataclass
class Moved:
    at: datetime
    actor: str | None
    kind: str  # the event kind: order.signed, order.returned, order.mirrored…
    step: str | None  # the OrderStep taken, or the state a peer reported
    reason: str | None
    org: str | None  # where a re-routed order went
    feedback: str | None
    satisfaction: int | None
    comment: str | None


def history(session: Session, actor: Principal, order: WorkOrder) -> list[Moved]:
    """The order's steps from the event log: who did what, when, with the reason, feedback or visit given."""
    require(actor, "order.read")
    query = select(Event).where(Event.kind.like("order.%"), Event.payload.contains(order.uid))
    if order.incident_id is not None:
        query = query.where(Event.incident_id == order.incident_id)
    moved = []
    for event in session.scalars(query.order_by(Event.seq)):
        data = event.data
        copy = data.get("order", {})
        if copy.get("uid") != order.uid:
            continue
        step = data.get("step") or data.get("state") or event.kind.split(".", 1)[1]
        moved.append(
            Moved(
                at=event.at,
                actor=event.actor,
                kind=event.kind,
                step=step,
                reason=data.get("reason") or (copy.get("return_reason") if step == S.RETURNED else None),
                org=data.get("org"),
                feedback=copy.get("feedback") if step == S.HANDLED else None,
                satisfaction=copy.get("satisfaction") if step == S.VISITED else None,
                comment=copy.get("visit_comment") if step == S.VISITED else None,
            )
        )
    return moved
