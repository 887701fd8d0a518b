"""Work orders through 受理—流转—处置—反馈—回访, each step an event, mirrored to the peer that holds the other copy.

An order is handled where its lead organisation is (`org_id` set). When the two sides are separate
deployments, the 110 side keeps a copy with `peer` = the 12345 platform and `org_id` = None; every
step the handling side takes is sent back as a message and mirrored onto that copy.

This service writes orders only. What an order's step does to its incident is the desk's flow
(`desk.flows.follow_order`); the incident's rows are written by `incidents.service`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from lifeline import taxonomy
from lifeline.analytics import summary  # noqa: F401  (its session event keeps the day summaries correct)
from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.service import ORGS_ROUTING, SYSTEM, Principal, org_by_code, peer_principal, require, subtree
from lifeline.catalogue import service as catalogue
from lifeline.diversion import routing, states
from lifeline.diversion.calendar import DEFAULT as DAYS
from lifeline.diversion.calendar import Calendar
from lifeline.diversion.models import FollowUp, OrderOrg, WorkOrder
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound
from lifeline.incidents.models import Incident
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import insert_row, once
from lifeline.taxonomy import decisions
from lifeline.vocabulary import OrderState, OrderStep, Role

if TYPE_CHECKING:
    from lifeline.peering.messages import OrderCreate, Step

# The message each step sends to the peer.
MESSAGE = {
    "received": "order.progress",
    "signed": "order.sign",
    "in_progress": "order.progress",
    "handled": "order.feedback",
    "visited": "order.visit",
    "closed": "order.progress",
    "returned": "order.return",
    "archived": "order.progress",
    "taken_back": "order.progress",
}
STAMP = {
    "received": "received_at",
    "signed": "signed_at",
    "handled": "handled_at",
    "visited": "visited_at",
    "closed": "closed_at",
    "returned": "returned_at",
}
# Fields a step may carry, copied onto the peer's copy as they are.
CARRIED = ("feedback", "result", "satisfaction", "visit_comment", "return_reason", "redo_count")


def snapshot(order: WorkOrder) -> dict:
    return {
        "uid": order.uid,
        "state": order.state,
        "org_id": order.org_id,
        "peer": order.peer,
        **{name: getattr(order, name) for name in CARRIED},
    }


def _record(session: Session, actor: Principal, order: WorkOrder, kind: str, message: dict | None = None, **extra):
    order.updated_at = utcnow()
    payload = {**extra, "order": snapshot(order)}
    to_peer = None
    if message is not None and order.peer:
        order.seq += 1
        payload["message"] = {**message, "body": {**message["body"], "uid": order.uid, "seq": order.seq}}
        to_peer = order.peer
    events.append(session, kind, payload, actor=actor.username, incident_id=order.incident_id, to_peer=to_peer)


# Scope --------------------------------------------------------------------------------------------


def scope(session: Session, actor: Principal):
    """Orders handed to the actor's part of the tree (not those re-routed away from it), or sent by it."""
    if permissions.sees_all(actor.role):
        return true()
    orgs = subtree(session, actor.org_id)
    handed = select(OrderOrg.order_id).where(OrderOrg.org_id.in_(orgs), OrderOrg.kind != "former")
    return or_(WorkOrder.id.in_(handed), WorkOrder.sender_org_id.in_(orgs))


def get(session: Session, actor: Principal, order_id: int, *, lock: bool = False) -> WorkOrder:
    require(actor, "order.read")
    query = select(WorkOrder).where(WorkOrder.id == order_id, scope(session, actor))
    order = session.scalar(query.with_for_update() if lock else query)
    if order is None:
        raise NotFound(f"工单 {order_id} 不存在或无权查看 / work order {order_id} does not exist or is not yours")
    return order


def listing(
    session: Session, actor: Principal, state: str | None, after_id: int | None, limit: int, item: str | None = None
):
    require(actor, "order.read")
    clauses = [scope(session, actor)]
    if state:
        clauses.append(WorkOrder.state == state)
    if item:
        clauses.append(WorkOrder.catalogue_item == item)
    if after_id:
        clauses.append(WorkOrder.id < after_id)
    return list(session.scalars(select(WorkOrder).where(*clauses).order_by(WorkOrder.id.desc()).limit(limit)))


def of_incident(session: Session, actor: Principal, incident_id: int) -> list[WorkOrder]:
    """The orders raised from an incident that the actor may see, oldest first."""
    require(actor, "order.read")
    query = select(WorkOrder).where(WorkOrder.incident_id == incident_id, scope(session, actor))
    return list(session.scalars(query.order_by(WorkOrder.id)))


def orgs_of(session: Session, order: WorkOrder) -> list[tuple[str, str, datetime | None]]:
    rows = session.execute(
        select(Organisation.code, OrderOrg.kind, OrderOrg.signed_at)
        .join(Organisation, Organisation.id == OrderOrg.org_id)
        .where(OrderOrg.order_id == order.id)
        .order_by(OrderOrg.id)
    )
    return [tuple(r) for r in rows]


# Creating and routing -------------------------------------------------------------------------------


def _route(
    session: Session,
    category: str,
    district: str,
    org_code: str | None,
    table: routing.Table | None = None,
    owners: tuple[str, ...] | None = None,
) -> Organisation:
    found = _routing_orgs(session)
    code = org_code or routing.choose(category, district, table or routing.load(), found.serving, found.centre, owners)
    if code is None:
        raise Invalid(
            f"找不到承办单位：类别 {category} 无路由，且没有 12345 中心 / no organisation to route {category} to"
        )
    if code not in found.loaded:
        found.loaded[code] = org_by_code(session, code)
    return found.loaded[code]


@dataclass
class _RoutingOrgs:
    serving: dict[str, str]  # what a department or utility serves → its code (the first one)
    centre: str | None  # the 12345 centre's code
    centre_id: int | None
    loaded: dict[str, Organisation]  # routed to earlier in this transaction


def _routing_orgs(session: Session) -> _RoutingOrgs:
    """The organisations as routing reads them, once per transaction (a peer's batch routes hundreds of orders):
    plain rows, not loaded organisations."""

    def read() -> _RoutingOrgs:
        found = _RoutingOrgs({}, None, None, {})
        query = select(Organisation.id, Organisation.code, Organisation.serves, Organisation.kind)
        for oid, code, serves, kind in session.execute(query.order_by(Organisation.id)):
            if serves:
                found.serving.setdefault(serves, code)
            if kind == "centre_12345" and found.centre is None:
                found.centre, found.centre_id = code, oid
        return found

    return once(session, ORGS_ROUTING, read)


@dataclass
class OrderIn:
    org: str | None = None  # route to this organisation instead of the routing table
    note: str = ""


def open_order(session: Session, incident_id: int) -> int | None:
    """The id of an incident's order still in its loop, if any."""
    query = select(WorkOrder.id).where(WorkOrder.incident_id == incident_id, WorkOrder.state.in_(states.OPEN))
    return session.scalar(query)


def create(
    session: Session,
    actor: Principal,
    incident: Incident,
    data: OrderIn,
    peer: str | None,
    table: routing.Table | None = None,
) -> tuple[WorkOrder, Organisation | None]:
    """A work order for a diverted or joint matter: to a local organisation (routed, or `data.org`), or to the
    12345 `peer` to be routed there. Returns the order and the local organisation it went to."""
    require(actor, "order.create")
    text = "\n".join(r.text for r in incident.reports) + (f"\n接警员备注：{data.note}" if data.note else "")
    table = table or routing.load()
    version, item = _item(session, incident.catalogue_item, incident.category)
    owners = item.owner if item else None
    org = None
    if not peer or data.org:
        org = _route(session, incident.category, incident.address, data.org, table, owners)
    deadline = table.deadline(incident.category, item.limit if item else None)
    order = _new_order(session, incident, org, peer, text, deadline, incident.owner_org_id, table.calendar)
    order.catalogue_version, order.catalogue_item = version, item.code if item else None
    _record(session, actor, order, "order.created", _create_message(order, incident), org=org.code if org else None,
            catalogue={"version": version, "item": order.catalogue_item})  # fmt: skip
    return order, org


def _item(session: Session, code: str | None, category: str):
    """The catalogue version in force and the item that routes an order of `category` (None when the item is of
    another category: a decision changed the category, and the category's destinations route it)."""
    now = catalogue.current(session)
    item = now.catalogue.get(code)
    return now.number, item if item is not None and item.category == category else None


def refer(
    session: Session, actor: Principal, org: Organisation, incident: Incident, text: str, table=None
) -> WorkOrder:
    """A work order to `org` about a matter that spans incidents (a governance case): raised from its latest
    incident but tied to none, so its steps move no incident (each incident keeps its own order, if any)."""
    require(actor, "order.create")
    table = table or routing.load()
    _, item = _item(session, incident.catalogue_item, incident.category)
    deadline = table.deadline(incident.category, item.limit if item else None)
    order = _new_order(session, incident, org, None, text, deadline, incident.owner_org_id, table.calendar, tied=False)
    _record(session, actor, order, "order.created", None, org=org.code, referral=True)
    return order


def held_to(order: WorkOrder, due: routing.Due) -> None:
    """The deadlines an order is held to from now (the one routing.due computed them): its kind, its working days,
    whether they are an estimate; the automatic 催办 is due again for the new handle_by."""
    order.sign_by, order.handle_by = due.sign_by, due.handle_by
    order.limit_kind, order.limit_days = due.deadline.kind, due.deadline.handle_working_days
    order.calendar_estimated, order.urged_at = due.estimated, None


def _create_message(order: WorkOrder, incident: Incident) -> dict:
    body = {
        "category": order.category,
        "text": order.text,
        "caller_number": order.caller_number,
        "address": order.address,
        "district": order.district,
        "sign_by": order.sign_by.isoformat(),
        "handle_by": order.handle_by.isoformat(),
        "incident_ref": str(incident.id),
        "catalogue_item": order.catalogue_item,
        "catalogue_version": order.catalogue_version,
    }
    return {"kind": "order.create", "body": body}


def _new_order(
    session: Session,
    incident: Incident,
    org: Organisation | None,
    peer: str | None,
    text: str,
    deadline: routing.Deadline,
    sender_org_id: int | None,
    calendar: Calendar,
    tied: bool = True,
) -> WorkOrder:
    """The order row: handled here when `org` is given, else sent to `peer` to be routed there; `tied`: the
    incident's own order (its steps move the incident)."""
    now = utcnow()
    order = WorkOrder(
        uid=uuid.uuid4().hex,
        incident_id=incident.id if tied else None,
        peer=peer if org is None else None,
        org_id=org.id if org else None,
        sender_org_id=sender_org_id,
        state=OrderState.SENT if org is None else OrderState.RECEIVED,
        category=incident.category,
        district=incident.address,
        text=text,
        caller_number=incident.caller_number,
        address=incident.address,
        sent_at=now,
        received_at=None if org is None else now,
    )
    held_to(order, routing.due(deadline, now, calendar))
    session.add(order)
    session.flush()
    if org is not None:
        session.add(OrderOrg(order_id=order.id, org_id=org.id, kind="lead"))
    return order


@dataclass
class Linkage:
    orders: list[WorkOrder]
    orgs: list[Organisation]  # the local organisations handed an order
    unserved: list[str]  # destinations nobody here serves, for the desk to phone


def create_linkage(
    session: Session, actor: Principal, incident: Incident, peers: dict[str, str] | None = None
) -> Linkage:
    """A joint incident's linkage units (119, 120, gas, power…) each get an order in their own inbox.

    A unit that runs its own software is a peer (`peers`: destination → peer name): its order goes there as a
    signed message. Units that already have an order of this incident get no second one.
    """
    peers = peers or {}
    require(actor, "order.create")
    serving = {}
    for org in session.scalars(select(Organisation).where(Organisation.serves.is_not(None)).order_by(Organisation.id)):
        serving.setdefault(org.serves, org)
    taken = {
        row[0]
        for row in session.execute(
            select(OrderOrg.org_id)
            .join(WorkOrder, WorkOrder.id == OrderOrg.order_id)
            .where(WorkOrder.incident_id == incident.id)
        )
    }
    made = Linkage([], [], [])
    text = "\n".join(r.text for r in incident.reports)
    for destination in incident.destinations:
        if destination in decisions.NOT_LINKAGE:  # police act through dispatch, 12345 through diversion
            continue
        org = serving.get(destination)
        if org is not None and org.id not in taken:
            order = _new_order(
                session, incident, org, None, text, routing.LINKAGE_DEADLINE, incident.owner_org_id, DAYS
            )
            _record(session, actor, order, "order.created", None, org=org.code, linkage=destination)
            made.orders.append(order)
            made.orgs.append(org)
        elif org is None and destination in peers:
            peer = peers[destination]
            if session.scalar(select(WorkOrder.id).where(WorkOrder.incident_id == incident.id, WorkOrder.peer == peer)):
                continue
            order = _new_order(
                session, incident, None, peer, text, routing.LINKAGE_DEADLINE, incident.owner_org_id, DAYS
            )
            _record(session, actor, order, "order.created", _create_message(order, incident), linkage=destination)
            made.orders.append(order)
        elif org is None:
            made.unserved.append(destination)
    if made.unserved:
        events.append(
            session,
            "incident.linkage_unserved",
            {"destinations": made.unserved},
            actor=actor.username,
            incident_id=incident.id,
        )
    return made


def receive(session: Session, peer: str, sent: OrderCreate, table: routing.Table | None = None) -> WorkOrder:
    """order.create from a peer (its fields checked by peering.messages): our own copy, routed here, answered
    with `received`."""
    existing = session.scalar(select(WorkOrder).where(WorkOrder.uid == sent.uid))
    if existing is not None:
        if existing.peer != peer:
            raise Conflict(f"工单 {sent.uid} 不属于对端 {peer} / order {sent.uid} was not exchanged with {peer}")
        return existing
    if sent.category not in taxonomy.default().categories:
        raise Invalid(f"未知类别 {sent.category!r} / unknown category {sent.category!r}")
    version, item = _item(session, sent.catalogue_item, sent.category)
    org = _route(session, sent.category, sent.district, None, table, item.owner if item else None)
    desk = _routing_orgs(session).centre_id
    now = utcnow()
    table = table or routing.load()
    ours = table.due(sent.category, item.limit if item else None, now)
    order = WorkOrder(
        uid=sent.uid,
        peer=peer,
        org_id=org.id,
        sender_org_id=desk or org.id,
        state=OrderState.RECEIVED,
        category=sent.category,
        catalogue_version=version,
        catalogue_item=item.code if item else None,
        district=sent.district,
        text=sent.text,
        caller_number=sent.caller_number,
        address=sent.address,
        sent_at=now,
        received_at=now,
        seq=0,
    )
    # The stricter of the sender's deadlines and ours: a linkage order keeps its minutes, and the 12345 centre's
    # working days apply when they are shorter than what the sender asked.
    held_to(order, ours)
    order.sign_by, order.handle_by = min(sent.sign_by, ours.sign_by), min(sent.handle_by, ours.handle_by)
    # Recorded first (the event needs no id), so the row is written once, with its message's seq: one INSERT …
    # RETURNING each, no UPDATE after (a peer's batch brings hundreds).
    _record(session, peer_principal(peer, org.id), order, "order.received", _message(order, "received"), org=org.code)
    insert_row(session, order)
    insert_row(session, OrderOrg(order_id=order.id, org_id=org.id, kind="lead"))
    return order


def _message(order: WorkOrder, state: str) -> dict:
    body = {"state": state, "at": utcnow().isoformat(), **{name: getattr(order, name) for name in CARRIED}}
    return {"kind": MESSAGE[state], "body": body}


# Steps ------------------------------------------------------------------------------------------------------

HANDLERS = frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"})
DESK = frozenset({"hotline_operator", "supervisor", "admin"})
SENDERS = frozenset({"call_taker", "hotline_operator", "supervisor", "admin"})
STEP_ROLES = {
    OrderStep.SIGNED: HANDLERS,
    OrderStep.IN_PROGRESS: HANDLERS,
    OrderStep.HANDLED: HANDLERS,
    OrderStep.RETURNED: HANDLERS,
    OrderStep.VISITED: DESK,
    OrderStep.CLOSED: DESK,
    OrderStep.ARCHIVED: DESK,
    # A returned order, back at the desk that sent it; once referred, a supervisor decides.
    OrderStep.REROUTED: SENDERS,
    OrderStep.TAKEN_BACK: SENDERS,
    OrderStep.REFERRED: SENDERS,
}
# Steps the desk that sent the order takes; the others are taken by the organisations that handle it.
SENDER_STEPS = frozenset({OrderStep.REROUTED, OrderStep.TAKEN_BACK, OrderStep.REFERRED})
# Steps a desk may take on its copy of an order the peer handles: give it up and take the matter back.
ON_PEER_COPY = frozenset({OrderStep.TAKEN_BACK})


@dataclass
class StepIn:
    to: str
    feedback: str | None = None
    result: str | None = None
    satisfaction: int | None = None
    comment: str | None = None
    reason: str | None = None
    org: str | None = None  # where a re-routed order goes


def step(
    session: Session, actor: Principal, order_id: int, data: StepIn, table: routing.Table | None = None
) -> WorkOrder:
    """One step of the loop, by someone whose part it is, with the fields the step needs."""
    require(actor, "order.reroute" if data.to in SENDER_STEPS else "order.handle")
    if data.to not in STEP_ROLES:
        raise Invalid(f"未知步骤 {data.to!r} / unknown step {data.to!r}; allowed: {', '.join(STEP_ROLES)}")
    if actor.role not in STEP_ROLES[data.to]:
        raise permissions_error(actor, data.to)
    order = get(session, actor, order_id, lock=True)
    if order.org_id is None and data.to not in ON_PEER_COPY:
        raise Conflict(
            f"工单 {order_id} 由对端平台 {order.peer} 办理，本端只能收回 / the peer {order.peer} handles this order;"
            " here it can only be taken back",
            allowed=[s for s in states.allowed_next(order.state) if s in ON_PEER_COPY],
        )
    problem = states.check(order.state, data.to)
    if problem:
        raise Conflict(problem, allowed=states.allowed_next(order.state))
    if order.state == OrderState.REFERRED and actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("已提交值班长，由值班长改派或收回 / referred to a supervisor, who re-routes or takes it back")
    own_part(session, actor, order, data.to)
    _fill(order, data)
    now = utcnow()
    took = round((now - order.updated_at).total_seconds(), 3)  # since the order's previous step
    target = data.to
    extra = {"reason": data.reason.strip()} if data.reason and data.reason.strip() else {}
    if target == OrderStep.VISITED and not states.satisfied(order.satisfaction):
        # 不满意: the visit is recorded and the order goes back to be redone.
        order.visited_at, order.redo_count = now, order.redo_count + 1
        target = OrderState.IN_PROGRESS
        signed_by = order.sign_by
        held_to(order, (table or routing.load()).due(order.category, order.limit_kind, now))
        order.sign_by = signed_by  # it was signed for: only the handling starts again
    elif target == OrderStep.REROUTED:
        extra["org"] = _reroute(session, order, data.org, table, now).code
        target = OrderState.RECEIVED
    elif target == OrderStep.RETURNED and order.peer is None:  # a peer's order: its sender counts the bounces
        target = _returned(session, order, extra)
    order.state = target
    if target in STAMP:
        setattr(order, STAMP[target], now)
    if target == OrderState.SIGNED:
        for link in session.scalars(select(OrderOrg).where(OrderOrg.order_id == order.id)):
            if link.org_id in subtree(session, actor.org_id) or permissions.sees_all(actor.role):
                link.signed_at = link.signed_at or now
    message = _message(order, target) if target in MESSAGE else None
    _record(session, actor, order, f"order.{data.to}", message, step=data.to, took_seconds=took, **extra)
    return order


def own_part(session: Session, actor: Principal, order: WorkOrder, step_to: str) -> None:
    """A department acts only on orders handed to it; the desk only on orders it sent or whose handlers are
    below it (12345 visits what its departments handled). Seeing an order is not enough to act on it."""
    if permissions.sees_all(actor.role):
        return
    mine = subtree(session, actor.org_id)
    handling = set(
        session.scalars(select(OrderOrg.org_id).where(OrderOrg.order_id == order.id, OrderOrg.kind != "former"))
    )
    if handling & mine:
        return  # its handlers, or the 12345 desk above them (which routed it: it re-routes a returned order too)
    desk_steps = SENDER_STEPS | {OrderStep.VISITED, OrderStep.CLOSED, OrderStep.ARCHIVED}
    if step_to in desk_steps and order.sender_org_id in mine:
        return
    raise Forbidden(
        f"工单 {order.id} 不由本单位承办或派发，不能{OrderStep(step_to).zh}"
        f" / order {order.id} is not yours to {step_to}"
    )


def _reroute(
    session: Session, order: WorkOrder, org_code: str | None, table: routing.Table | None, now: datetime
) -> Organisation:
    """The order goes to a new lead with fresh deadlines; the lead that returned it no longer holds it."""
    if not org_code:
        raise Invalid("改派须指定承办单位 org / re-routing needs the organisation to send the order to (org)")
    org = org_by_code(session, org_code)
    links = {link.org_id: link for link in session.scalars(select(OrderOrg).where(OrderOrg.order_id == order.id))}
    for link in links.values():
        if link.kind == "lead":
            link.kind = "former"
    if org.id in links:
        links[org.id].kind, links[org.id].signed_at = "lead", None
    else:
        session.add(OrderOrg(order_id=order.id, org_id=org.id, kind="lead"))
    held_to(order, (table or routing.load()).due(order.category, order.limit_kind, now))
    order.org_id, order.received_at, order.escalated_at = org.id, now, None
    return org


def permissions_error(actor: Principal, target: str) -> Forbidden:
    return Forbidden(f"角色 {actor.role} 不能把工单转为 {target} / role {actor.role} may not move an order to {target}")


def _fill(order: WorkOrder, data: StepIn) -> None:
    if data.to == OrderStep.HANDLED:
        if not (data.feedback or "").strip():
            raise Invalid("办结须填写反馈 / feedback is required to mark an order handled")
        order.feedback, order.result = data.feedback.strip(), data.result or "resolved"
    elif data.to == OrderStep.VISITED:
        if data.satisfaction not in states.SATISFACTION:
            raise Invalid("回访须给出满意度 1–5 / a return visit needs a satisfaction score from 1 to 5")
        order.satisfaction, order.visit_comment = data.satisfaction, data.comment
    elif data.to in (OrderStep.RETURNED, OrderStep.TAKEN_BACK, OrderStep.REFERRED):
        if not (data.reason or "").strip():
            raise Invalid(f"{OrderStep(data.to).zh}须填写理由 / a reason is required to {data.to} an order")
        if data.to == OrderStep.RETURNED:
            order.return_reason = data.reason.strip()


def countersign(session: Session, actor: Principal, order_id: int, org_codes: list[str]) -> WorkOrder:
    """会签: other organisations join the order; each signs for its part."""
    require(actor, "order.handle")
    order = get(session, actor, order_id, lock=True)
    if order.state not in states.OPEN or order.state in states.BOUNCED:
        raise Conflict(f"工单 {order_id} 不在办理中 / order {order_id} is not being handled")
    lead = session.scalar(select(OrderOrg.org_id).where(OrderOrg.order_id == order.id, OrderOrg.kind == "lead"))
    if not permissions.sees_all(actor.role) and lead not in subtree(session, actor.org_id):
        raise Forbidden(f"会签由主办单位发起 / only the lead organisation of order {order_id} asks for a countersign")
    have = {row[0] for row in session.execute(select(OrderOrg.org_id).where(OrderOrg.order_id == order.id))}
    added = []
    for code in org_codes:
        org = org_by_code(session, code)
        if org.id not in have:
            session.add(OrderOrg(order_id=order.id, org_id=org.id, kind="countersign"))
            have.add(org.id)
            added.append(code)
    _record(session, actor, order, "order.countersign", None, added=added)
    return order


# Mirroring the peer's steps ------------------------------------------------------------------------------


def mirror(session: Session, peer: str, moved: Step) -> tuple[WorkOrder, str]:
    """A step taken on the peer's copy, applied to ours (messages arrive in order; their fields were checked by
    peering.messages). Only the peer the order was exchanged with may move it: the peer we sent it to reports
    its handling steps, the peer that sent it to us may only take it back; and only along the loop. Returns the
    order and the state it was in."""
    order = session.scalar(select(WorkOrder).where(WorkOrder.uid == moved.uid).with_for_update())
    if order is None or order.peer != peer:
        raise NotFound(f"没有与 {peer} 交换的工单 {moved.uid} / no work order {moved.uid} exchanged with {peer}")
    if order.org_id is not None and moved.state not in ON_PEER_COPY:
        raise Forbidden(
            f"工单 {order.uid} 由本端办理，发来工单的 {peer} 只能收回 / the order is handled here: {peer}, which sent"
            " it, may only take it back"
        )
    if not states.may_become(order.state, moved.state):
        raise Conflict(
            f"工单 {order.uid} 为 {order.state}，不能变为 {moved.state} / order cannot move to {moved.state}"
        )
    previous = order.state
    extra = {}
    order.state = _returned(session, order, extra) if moved.state == OrderState.RETURNED else moved.state
    for name in CARRIED:
        if getattr(moved, name) is not None:
            setattr(order, name, getattr(moved, name))
    if moved.state in STAMP:
        setattr(order, STAMP[moved.state], moved.at or utcnow())
    actor = peer_principal(peer, order.sender_org_id or 0)
    _record(session, actor, order, "order.mirrored", None, previous=previous, state=order.state, **extra)
    return order, previous


def _returned(session: Session, order: WorkOrder, extra: dict) -> OrderState:
    """A return: counted on the order; the matter's second one goes to the coordinator (states.after_return)."""
    earlier = order.returns
    if order.incident_id is not None:
        earlier = session.scalar(
            select(func.coalesce(func.sum(WorkOrder.returns), 0)).where(WorkOrder.incident_id == order.incident_id)
        )
    order.returns += 1
    landed = states.after_return(int(earlier))
    if landed == OrderState.REFERRED:
        times = int(earlier) + 1
        extra["coordinator"] = f"第 {times} 次退回，提交协调人（值班长）/ returned {times} times: to the coordinator"
    return landed


def escalate_overdue(session: Session, now: datetime | None = None) -> list[int]:
    """Mark open orders that missed a deadline, once, with an event for the supervisors."""
    now = now or utcnow()
    found = []
    query = select(WorkOrder).where(
        WorkOrder.state.in_(states.OPEN), WorkOrder.escalated_at.is_(None), WorkOrder.org_id.is_not(None)
    )
    for order in session.scalars(query):
        missed = states.overdue(order.state, order.sign_by, order.handle_by, now)
        if missed:
            order.escalated_at = now
            _record(session, SYSTEM, order, "order.escalated", None, missed=missed)
            found.append(order.id)
    return found


# Follow-ups: 催办 (urge), 督办 (supervise), 延期申请 (extension) ------------------------------------------------

EXTENSION_MAX_DAYS = 30  # working days one request may ask for


def follow_ups(session: Session, actor: Principal, order_id: int) -> list[FollowUp]:
    """The order's urges, supervision records and extension requests, oldest first."""
    order = get(session, actor, order_id)
    query = select(FollowUp).where(FollowUp.order_id == order.id).order_by(FollowUp.at, FollowUp.id)
    return list(session.scalars(query))


def handled_here(order: WorkOrder) -> None:
    if order.org_id is None:
        raise Conflict(f"工单 {order.id} 由对端平台 {order.peer} 办理 / the peer {order.peer} handles this order")
    if order.state not in states.UNHANDLED:
        raise Conflict(
            f"工单 {order.id} 为 {states.STATES.get(order.state, order.state)}，不在办理时限内 / order {order.id} is"
            f" {order.state}: it is not waiting to be handled"
        )


def desk_part(session: Session, actor: Principal, order: WorkOrder) -> None:
    """催办, 督办 and an extension's decision belong to the desk that sent the order (or the centre above its
    handlers), as a return visit does."""
    own_part(session, actor, order, OrderStep.VISITED)


def handler_part(session: Session, actor: Principal, order: WorkOrder) -> None:
    """An extension is asked by an organisation that handles the order (the lead or a co-organiser)."""
    if permissions.sees_all(actor.role):
        return
    handling = set(
        session.scalars(select(OrderOrg.org_id).where(OrderOrg.order_id == order.id, OrderOrg.kind != "former"))
    )
    if not handling & subtree(session, actor.org_id):
        raise Forbidden(f"延期由承办单位申请 / only an organisation handling order {order.id} asks for more time")


def pending_extension(session: Session, order: WorkOrder) -> FollowUp | None:
    query = select(FollowUp).where(
        FollowUp.order_id == order.id, FollowUp.kind == "extension", FollowUp.decision == "pending"
    )
    return session.scalar(query)


def _follow_up(session: Session, actor: Principal, order: WorkOrder, kind: str, text: str, **fields) -> FollowUp:
    row = FollowUp(order_id=order.id, kind=kind, text=text, by=actor.username, by_org_id=actor.org_id or None,
                   at=utcnow(), **fields)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(f"{what[0]}不能为空 / {what[1]} is required")
    return text


def _days(value: int | None, what: str) -> int:
    if value is None or isinstance(value, bool) or not 1 <= value <= EXTENSION_MAX_DAYS:
        raise Invalid(
            f"{what}须为 1–{EXTENSION_MAX_DAYS} 个工作日 / {EXTENSION_MAX_DAYS} working days at most, 1 at least"
        )
    return value


def request_extension(
    session: Session, actor: Principal, order_id: int, grounds: str, working_days: int, table=None
) -> FollowUp:
    """延期申请: the handling organisation asks for `working_days` more, with its grounds; one pending at a time."""
    require(actor, "order.extend")
    order = get(session, actor, order_id, lock=True)
    handler_part(session, actor, order)
    handled_here(order)
    grounds, days = _text(grounds, ("延期理由", "the grounds")), _days(working_days, "延期")
    if pending_extension(session, order) is not None:
        raise Conflict(f"工单 {order.id} 已有待审批的延期申请 / order {order.id} already has an extension pending")
    calendar = (table or routing.load()).calendar
    asked = calendar.add_working_days(order.handle_by or utcnow(), days)
    row = _follow_up(session, actor, order, "extension", grounds, working_days=days, due=asked.at, decision="pending")
    _record(session, actor, order, "order.extension_requested", None, follow_up=row.id, reason=grounds,
            working_days=days, due=asked.at.isoformat(), estimated=asked.estimated)  # fmt: skip
    return row


def decide_extension(
    session: Session, actor: Principal, order_id: int, follow_up_id: int, approve: bool, reason: str
) -> FollowUp:
    """The centre that sent the order (or a supervisor) approves or refuses, with a reason; approval moves
    handle_by to the deadline asked for."""
    require(actor, "order.extension_decide")
    order = get(session, actor, order_id, lock=True)
    desk_part(session, actor, order)
    row = session.scalar(
        select(FollowUp).where(FollowUp.id == follow_up_id, FollowUp.order_id == order.id, FollowUp.kind == "extension")
    )
    if row is None:
        raise NotFound(f"工单 {order.id} 没有延期申请 {follow_up_id} / no extension request {follow_up_id} on it")
    if row.decision != "pending":
        raise Conflict(
            f"延期申请 {follow_up_id} 已{'批准' if row.decision == 'approved' else '驳回'} / already decided"
        )
    if row.by == actor.username:
        raise Forbidden("申请人不能审批自己的延期 / the one who asked does not decide")
    reason = _text(reason, ("审批意见", "a reason for the decision"))
    now = utcnow()
    if approve:
        handled_here(order)
        if order.handle_by is not None and row.due <= order.handle_by:
            raise Conflict("申请的期限不晚于现有期限 / the deadline asked is not later than the order's; refuse it")
        order.handle_by, order.urged_at, order.escalated_at = row.due, None, None
    row.decision, row.decision_reason, row.decided_by, row.decided_at = (
        "approved" if approve else "refused", reason, actor.username, now,
    )  # fmt: skip
    kind = "order.extension_approved" if approve else "order.extension_refused"
    _record(session, actor, order, kind, None, follow_up=row.id, reason=reason, due=row.due.isoformat())
    return row


def urge(session: Session, actor: Principal, order_id: int, text: str) -> FollowUp:
    """催办 by hand: the 12345 desk presses the handling organisation about an order still to be handled."""
    require(actor, "order.urge")
    order = get(session, actor, order_id, lock=True)
    desk_part(session, actor, order)
    handled_here(order)
    text = _text(text, ("催办内容", "what the urge says"))
    row = _follow_up(session, actor, order, "urge", text, due=order.handle_by)
    order.urged_at = row.at
    _record(session, actor, order, "order.urged", None, follow_up=row.id, reason=text)
    return row


def supervise(
    session: Session, actor: Principal, order_id: int, demand: str, working_days: int, table=None
) -> FollowUp:
    """督办: a supervisor's written record on an overdue order, what is demanded and by when."""
    require(actor, "order.supervise")
    order = get(session, actor, order_id, lock=True)
    desk_part(session, actor, order)
    handled_here(order)
    now = utcnow()
    if states.overdue(order.state, order.sign_by, order.handle_by, now) is None:
        raise Conflict(f"工单 {order.id} 未超期，可催办 / order {order.id} is not overdue: urge it instead")
    demand, days = _text(demand, ("督办要求", "what is demanded")), _days(working_days, "督办时限")
    by = (table or routing.load()).calendar.add_working_days(now, days)
    row = _follow_up(session, actor, order, "supervise", demand, working_days=days, due=by.at)
    _record(session, actor, order, "order.supervised", None, follow_up=row.id, reason=demand, due=by.at.isoformat())
    return row


def urge_due(session: Session, table: routing.Table | None = None, now: datetime | None = None) -> list[int]:
    """The automatic 催办 (on the overdue sweep's tick): once per deadline, for orders near it (states.urge_near)."""
    now = now or utcnow()
    calendar = (table or routing.load()).calendar
    query = select(WorkOrder).where(
        WorkOrder.state.in_(states.UNHANDLED), WorkOrder.urged_at.is_(None), WorkOrder.org_id.is_not(None),
        WorkOrder.handle_by.is_not(None), WorkOrder.handle_by > now,
    )  # fmt: skip
    urged = []
    for order in session.scalars(query.order_by(WorkOrder.id)):
        start = max(t for t in (order.sent_at, order.received_at, order.visited_at) if t is not None)
        left = calendar.working_minutes_between(now, order.handle_by) if order.limit_days else 0
        if states.urge_near(order.state, start, order.handle_by, now, order.limit_days, left, calendar.day_minutes()):
            text = "办理时限将至，请抓紧办理 / the deadline is near: please handle the order"
            row = _follow_up(session, SYSTEM, order, "urge", text, due=order.handle_by, automatic=True)
            order.urged_at = row.at
            _record(session, SYSTEM, order, "order.urged", None, follow_up=row.id, automatic=True, reason=text)
            urged.append(order.id)
    return urged
