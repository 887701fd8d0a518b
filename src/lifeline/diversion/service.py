"""Work orders through 受理—流转—处置—反馈—回访, each step an event, mirrored to the peer that holds the other copy.

An order is handled where its lead organisation is (`org_id` set). When the two sides are separate
deployments, the 110 side keeps a copy with `peer` = the 12345 platform and `org_id` = None; every
step the handling side takes is sent back as a message and mirrored onto that copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from lifeline import taxonomy
from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.service import SYSTEM, Principal, org_by_code, require, subtree
from lifeline.diversion import routing, states
from lifeline.diversion.models import OrderOrg, WorkOrder
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound
from lifeline.incidents import service as incidents
from lifeline.incidents import states as incident_states
from lifeline.incidents.models import Assignment, Incident
from lifeline.store import events
from lifeline.store.base import utcnow

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
    """Orders handed to the actor's part of the tree, or raised from incidents they may see."""
    if permissions.sees_all(actor.role):
        return true()
    orgs = subtree(session, actor.org_id)
    handed = select(OrderOrg.order_id).where(OrderOrg.org_id.in_(orgs))
    raised = select(Incident.id).where(incidents.scope(session, actor))
    return or_(WorkOrder.id.in_(handed), WorkOrder.incident_id.in_(raised))


def get(session: Session, actor: Principal, order_id: int, *, lock: bool = False) -> WorkOrder:
    require(actor, "order.read")
    query = select(WorkOrder).where(WorkOrder.id == order_id, scope(session, actor))
    order = session.scalar(query.with_for_update() if lock else query)
    if order is None:
        raise NotFound(f"工单 {order_id} 不存在或无权查看 / work order {order_id} does not exist or is not yours")
    return order


def listing(session: Session, actor: Principal, state: str | None, after_id: int | None, limit: int):
    require(actor, "order.read")
    clauses = [scope(session, actor)]
    if state:
        clauses.append(WorkOrder.state == state)
    if after_id:
        clauses.append(WorkOrder.id < after_id)
    return list(session.scalars(select(WorkOrder).where(*clauses).order_by(WorkOrder.id.desc()).limit(limit)))


def orgs_of(session: Session, order: WorkOrder) -> list[tuple[str, str, datetime | None]]:
    rows = session.execute(
        select(Organisation.code, OrderOrg.kind, OrderOrg.signed_at)
        .join(Organisation, Organisation.id == OrderOrg.org_id)
        .where(OrderOrg.order_id == order.id)
        .order_by(OrderOrg.id)
    )
    return [tuple(r) for r in rows]


# Creating and routing -------------------------------------------------------------------------------


def _route(session: Session, category: str, district: str, org_code: str | None) -> Organisation:
    if org_code:
        return org_by_code(session, org_code)
    serving, centre = {}, None
    for org in session.scalars(select(Organisation).order_by(Organisation.id)):
        if org.serves:
            serving.setdefault(org.serves, org.code)
        if org.kind == "centre_12345" and centre is None:
            centre = org.code
    code = routing.choose(category, district, routing.load(), serving, centre)
    if code is None:
        raise Invalid(
            f"找不到承办单位：类别 {category} 无路由，且没有 12345 中心 / no organisation to route {category} to"
        )
    return org_by_code(session, code)


@dataclass
class OrderIn:
    org: str | None = None  # route to this organisation instead of the routing table
    note: str = ""


def create(session: Session, actor: Principal, incident_id: int, data: OrderIn, peer: str | None) -> WorkOrder:
    """A work order from a diverted or joint incident: to a local organisation, or to the 12345 peer."""
    require(actor, "order.create")
    incident = incidents.get(session, actor, incident_id, lock=True)
    if incident.disposition not in ("divert", "joint"):
        raise Conflict(
            f"警情 {incident_id} 为 {incident.disposition}，只有分流或联动警情可派工单 / not a diverted matter"
        )
    if incident.state not in ("confirmed", "transferred"):
        raise Conflict(
            f"警情 {incident_id} 当前为 {incident.state}，须先确认 / confirm the incident before raising a work order",
            allowed=["confirmed", "transferred"],
        )
    open_order = session.scalar(
        select(WorkOrder.id).where(WorkOrder.incident_id == incident.id, WorkOrder.state.in_(states.OPEN))
    )
    if open_order is not None and incident.disposition == "divert":
        raise Conflict(f"警情 {incident_id} 已有在办工单 {open_order} / incident already has open order {open_order}")
    text = "\n".join(r.text for r in incident.reports) + (f"\n接警员备注：{data.note}" if data.note else "")
    org = None if peer and not data.org else _route(session, incident.category, incident.address, data.org)
    order = _new_order(session, incident, org, peer, text, routing.load().deadline(incident.category))
    if incident.state == "confirmed":
        incidents.transition(session, SYSTEM, incident.id, "transferred", org=org.code if org else None)
    elif org is not None:
        session.add(Assignment(incident_id=incident.id, org_id=org.id, kind="transfer"))
    _record(session, actor, order, "order.created", _create_message(order, incident), org=org.code if org else None)
    return order


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
    }
    return {"kind": "order.create", "body": body}


def _new_order(
    session: Session, incident: Incident, org: Organisation | None, peer: str | None, text: str, deadline
) -> WorkOrder:
    """The order row: handled here when `org` is given, else sent to `peer` to be routed there."""
    now = utcnow()
    sign_by, handle_by = states.deadlines(now, deadline.sign_minutes, deadline.handle_hours)
    order = WorkOrder(
        uid=uuid.uuid4().hex,
        incident_id=incident.id,
        peer=peer if org is None else None,
        org_id=org.id if org else None,
        state="sent" if org is None else "received",
        category=incident.category,
        district=incident.address,
        text=text,
        caller_number=incident.caller_number,
        address=incident.address,
        sign_by=sign_by,
        handle_by=handle_by,
        sent_at=now,
        received_at=None if org is None else now,
    )
    session.add(order)
    session.flush()
    if org is not None:
        session.add(OrderOrg(order_id=order.id, org_id=org.id, kind="lead"))
    return order


# Police and the hotline are not linkage units: police act through dispatch, 12345 through diversion.
NOT_LINKAGE = frozenset({"110", "12345", "122", "governance_centre"})


def create_linkage(
    session: Session, actor: Principal, incident_id: int, peers: dict[str, str] | None = None
) -> tuple[list[WorkOrder], list[str]]:
    """A joint incident's linkage units (119, 120, gas, power…) each get an order in their own inbox.

    A unit that runs its own software is a peer (`peers`: destination → peer name): its order goes there as a
    signed message. Returns the orders made and the destinations nobody serves (for the desk to phone).
    """
    peers = peers or {}
    require(actor, "order.create")
    incident = incidents.get(session, actor, incident_id, lock=True)
    if incident.disposition != "joint":
        raise Conflict(f"警情 {incident_id} 不是联动警情 / incident {incident_id} is not a joint incident")
    if incident.state in ("received", "triaged") or incident.state not in incident_states.OPEN_STATES:
        raise Conflict(f"警情 {incident_id} 当前为 {incident.state}，须先确认 / confirm the incident first")
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
    made, unserved = [], []
    text = "\n".join(r.text for r in incident.reports)
    for destination in incident.destinations:
        if destination in NOT_LINKAGE:
            continue
        org = serving.get(destination)
        if org is not None and org.id not in taken:
            order = _new_order(session, incident, org, None, text, routing.LINKAGE_DEADLINE)
            session.add(Assignment(incident_id=incident.id, org_id=org.id, kind="joint"))
            _record(session, actor, order, "order.created", None, org=org.code, linkage=destination)
            made.append(order)
        elif org is None and destination in peers:
            peer = peers[destination]
            if session.scalar(select(WorkOrder.id).where(WorkOrder.incident_id == incident.id, WorkOrder.peer == peer)):
                continue
            order = _new_order(session, incident, None, peer, text, routing.LINKAGE_DEADLINE)
            _record(session, actor, order, "order.created", _create_message(order, incident), linkage=destination)
            made.append(order)
        elif org is None:
            unserved.append(destination)
    if unserved:
        events.append(
            session,
            "incident.linkage_unserved",
            {"destinations": unserved},
            actor=actor.username,
            incident_id=incident.id,
        )
    return made, unserved


def receive(session: Session, peer: str, body: dict) -> WorkOrder:
    """order.create from a peer: our own copy, routed here, answered with `received`."""
    existing = session.scalar(select(WorkOrder).where(WorkOrder.uid == body["uid"]))
    if existing is not None:
        return existing
    category = body.get("category")
    if category not in taxonomy.default().categories:
        raise Invalid(f"未知类别 unknown category {category!r}")
    org = _route(session, category, body.get("district", ""), None)
    now = utcnow()
    order = WorkOrder(
        uid=body["uid"],
        peer=peer,
        org_id=org.id,
        state="received",
        category=category,
        district=body.get("district", ""),
        text=body.get("text", ""),
        caller_number=body.get("caller_number"),
        address=body.get("address", ""),
        sign_by=datetime.fromisoformat(body["sign_by"]),
        handle_by=datetime.fromisoformat(body["handle_by"]),
        sent_at=now,
        received_at=now,
    )
    session.add(order)
    session.flush()
    session.add(OrderOrg(order_id=order.id, org_id=org.id, kind="lead"))
    actor = Principal(0, f"peer:{peer}", "admin", org.id, via="peer")
    _record(session, actor, order, "order.received", _message(order, "received"), org=org.code)
    return order


def _message(order: WorkOrder, state: str) -> dict:
    body = {"state": state, "at": utcnow().isoformat(), **{name: getattr(order, name) for name in CARRIED}}
    return {"kind": MESSAGE[state], "body": body}


# Steps on the handling side ----------------------------------------------------------------------------

STEP_ROLES = {
    "signed": frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"}),
    "in_progress": frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"}),
    "handled": frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"}),
    "returned": frozenset({"agency_handler", "hotline_operator", "supervisor", "admin"}),
    "visited": frozenset({"hotline_operator", "supervisor", "admin"}),
    "closed": frozenset({"hotline_operator", "supervisor", "admin"}),
    "archived": frozenset({"hotline_operator", "supervisor", "admin"}),
}


@dataclass
class StepIn:
    to: str
    feedback: str | None = None
    result: str | None = None
    satisfaction: int | None = None
    comment: str | None = None
    reason: str | None = None


def step(session: Session, actor: Principal, order_id: int, data: StepIn) -> WorkOrder:
    """One step of the loop where the order is handled, with the fields the step needs."""
    require(actor, "order.handle")
    if data.to not in STEP_ROLES:
        raise Invalid(f"未知步骤 unknown step {data.to!r}; 可选: {', '.join(STEP_ROLES)}")
    if actor.role not in STEP_ROLES[data.to]:
        raise permissions_error(actor, data.to)
    order = get(session, actor, order_id, lock=True)
    if order.org_id is None:
        raise Conflict(f"工单 {order_id} 由对端平台 {order.peer} 办理 / the peer {order.peer} handles this order")
    problem = states.check(order.state, data.to)
    if problem:
        raise Conflict(problem, allowed=states.allowed_next(order.state))
    _fill(order, data)
    now = utcnow()
    took = round((now - order.updated_at).total_seconds(), 3)  # since the order's previous step
    target = data.to
    if target == "visited" and not states.satisfied(order.satisfaction):
        # 不满意: the visit is recorded and the order goes back to be redone.
        order.visited_at, order.redo_count = now, order.redo_count + 1
        target = "in_progress"
        deadline = routing.load().deadline(order.category)
        order.handle_by = states.deadlines(now, deadline.sign_minutes, deadline.handle_hours)[1]
    order.state = target
    if target in STAMP:
        setattr(order, STAMP[target], now)
    if target == "signed":
        for link in session.scalars(select(OrderOrg).where(OrderOrg.order_id == order.id)):
            if link.org_id in subtree(session, actor.org_id) or permissions.sees_all(actor.role):
                link.signed_at = link.signed_at or now
    _record(session, actor, order, f"order.{target}", _message(order, target), step=data.to, took_seconds=took)
    if order.incident_id is not None:
        _follow(session, order)
    return order


def permissions_error(actor: Principal, target: str) -> Forbidden:
    return Forbidden(f"角色 {actor.role} 不能把工单转为 {target} / role {actor.role} may not move an order to {target}")


def _fill(order: WorkOrder, data: StepIn) -> None:
    if data.to == "handled":
        if not (data.feedback or "").strip():
            raise Invalid("办结须填写反馈 / feedback is required to mark an order handled")
        order.feedback, order.result = data.feedback.strip(), data.result or "resolved"
    elif data.to == "visited":
        if data.satisfaction not in states.SATISFACTION:
            raise Invalid("回访须给出满意度 1–5 / a return visit needs a satisfaction score from 1 to 5")
        order.satisfaction, order.visit_comment = data.satisfaction, data.comment
    elif data.to == "returned":
        if not (data.reason or "").strip():
            raise Invalid("退回须填写理由 / a reason is required to return an order")
        order.return_reason = data.reason.strip()


def countersign(session: Session, actor: Principal, order_id: int, org_codes: list[str]) -> WorkOrder:
    """会签: other organisations join the order; each signs for its part."""
    require(actor, "order.handle")
    order = get(session, actor, order_id, lock=True)
    if order.state not in states.OPEN:
        raise Conflict(f"工单 {order_id} 已结束 / order {order_id} is no longer open")
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


def mirror(session: Session, peer: str, body: dict) -> WorkOrder:
    """A step taken on the peer's copy, applied to ours (messages arrive in order)."""
    order = session.scalar(select(WorkOrder).where(WorkOrder.uid == body.get("uid")).with_for_update())
    if order is None:
        raise NotFound(f"没有工单 {body.get('uid')} / no work order {body.get('uid')}")
    target = body.get("state")
    if target not in states.STATES:
        raise Invalid(f"未知工单状态 unknown order state {target!r}")
    previous = order.state
    order.state = target
    for name in CARRIED:
        if body.get(name) is not None:
            setattr(order, name, body[name])
    if target in STAMP:
        setattr(order, STAMP[target], datetime.fromisoformat(body["at"]) if body.get("at") else utcnow())
    actor = Principal(0, f"peer:{peer}", "admin", 0, via="peer")
    _record(session, actor, order, "order.mirrored", None, previous=previous, state=target)
    if order.incident_id is not None:
        _follow(session, order)
    return order


def _follow(session: Session, order: WorkOrder) -> None:
    """A diverted incident follows its order: handled → resolved, closed → closed, returned → back to the desk.

    A joint incident does not: the police close it; its linkage orders run beside it.
    """
    incident = session.get(Incident, order.incident_id)
    if incident.disposition != "divert":
        return
    if order.state == "handled" and incident.state == "transferred":
        incidents.transition(session, SYSTEM, incident.id, "resolved", reason="工单已办结 / order handled")
    elif order.state == "closed" and incident.state == "resolved":
        incidents.transition(session, SYSTEM, incident.id, "closed", reason="工单已回访关闭 / order closed")
    elif order.state == "returned":
        events.append(
            session,
            "incident.order_returned",
            {"order": order.uid, "reason": order.return_reason},
            actor=SYSTEM.username,
            incident_id=incident.id,
        )
    elif order.state == "in_progress" and incident.state == "resolved":
        incidents.transition(session, SYSTEM, incident.id, "reopened", reason="回访不满意，重办 / redo")
        incidents.transition(session, SYSTEM, incident.id, "transferred")


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
