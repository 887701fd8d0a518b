"""Open311 in transactions: api_keys, the public reading of work orders, and a citizen's request becoming one.

The public reads only what the 12345 centre published (`publish`: the service, a coarse place, the status and
the public answer); a client reads the status of the requests it filed with its api_key.

A request is an ordinary report on the "app" channel taken by the key's user: intake triages it, the
call-taker's step (confirm as a divert of the chosen service) is taken in the key's name with the
reason "Open311 提交", and a work order is raised through the usual routing. One exception: when triage
puts the text on the police side (a life or a crime may be at stake), software may never divert it
(taxonomy.POLICE_SIDE). The report then waits at the desk for a person, and the client gets a token.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from lifeline import taxonomy
from lifeline.auth import permissions
from lifeline.auth.models import Organisation, User
from lifeline.auth.service import Principal, add_user, principal_of, require, user_by_name
from lifeline.common import sha256
from lifeline.desk import flows
from lifeline.diversion import service as orders
from lifeline.diversion.models import WorkOrder
from lifeline.errors import Conflict, Invalid
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident, Report
from lifeline.open311 import protocol as open311
from lifeline.open311.models import Open311Key, PublicAnswer
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.triage import TriageResult

# What a key's user must be allowed to do for a request to become a work order.
NEEDED = ("report.create", "incident.confirm", "order.create")
REASON = "Open311 提交"
TOKEN_PREFIX = "open311:"
HELD_NOTICE = (
    "内容可能涉及人身安全或违法犯罪，已转接警员人工研判；情况紧急请立即拨打 110 / "
    "this may concern someone's safety: a call-taker will review it; if it is urgent, call 110 now"
)


# Keys -------------------------------------------------------------------------------------------------


def service_user(session: Session, actor: Principal, name: str) -> User:
    """The dedicated user a key acts as: a hotline operator of the first 12345 centre."""
    username = "open311-" + (re.sub(r"[^A-Za-z0-9_.\-]+", "-", name).strip("-") or "client")
    username = username[:64]
    existing = session.scalar(select(User).where(User.username == username))
    if existing is not None:
        return existing
    centre = session.scalar(
        select(Organisation).where(Organisation.kind == "centre_12345").order_by(Organisation.id).limit(1)
    )
    if centre is None:
        raise Invalid(
            "没有 12345 热线中心机构（kind centre_12345），请先用 lifeline org add 建立，或用 --user 指定用户"
            " / no centre_12345 organisation: add one with `lifeline org add`, or pass --user"
        )
    return add_user(
        session, actor, username, "hotline_operator", centre.code, secrets.token_urlsafe(32), f"Open311 {name}"
    )


def create_key(session: Session, actor: Principal, name: str, username: str | None = None) -> str:
    """A new api_key acting as `username` (or a dedicated service user); returns the key, kept only hashed."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("密钥名称须为 1–100 个字符 / the key name needs 1 to 100 characters")
    user = user_by_name(session, username) if username else service_user(session, actor, name)
    missing = [action for action in NEEDED if not permissions.allowed(user.role, action)]
    if missing:
        raise Invalid(
            f"用户 {user.username}（{user.role}）不能受理 Open311 请求，缺少权限 {', '.join(missing)}"
            f" / user {user.username} ({user.role}) may not take Open311 requests: lacks {', '.join(missing)}"
        )
    secret = "o311_" + secrets.token_urlsafe(32)
    session.add(Open311Key(name=name, key_hash=sha256(secret), user_id=user.id))
    session.flush()
    events.append(session, "open311.key_created", {"name": name, "username": user.username}, actor=actor.username)
    return secret


def principal_for_key(session: Session, secret: str) -> Principal | None:
    user = session.execute(
        select(User)
        .join(Open311Key, Open311Key.user_id == User.id)
        .where(Open311Key.key_hash == sha256(secret), Open311Key.revoked_at.is_(None), User.active.is_(True))
    ).scalar_one_or_none()
    return principal_of(user, "open311") if user else None


# Reading ----------------------------------------------------------------------------------------------


def _views(session: Session, *clauses, limit: int) -> list[open311.OrderView]:
    rows = session.execute(
        select(WorkOrder, PublicAnswer.answer, Incident.lat, Incident.lon, Organisation.name)
        .outerjoin(PublicAnswer, PublicAnswer.order_id == WorkOrder.id)
        .outerjoin(Incident, Incident.id == WorkOrder.incident_id)
        .outerjoin(Organisation, Organisation.id == WorkOrder.org_id)
        .where(*clauses)
        .order_by(WorkOrder.sent_at.desc(), WorkOrder.id.desc())
        .limit(limit)
    )
    return [
        open311.OrderView(
            id=o.id,
            state=o.state,
            category=o.category,
            answer=answer,
            sent_at=o.sent_at,
            updated_at=o.updated_at,
            closed_at=o.closed_at,
            handle_by=o.handle_by,
            agency=agency,
            lat=lat,
            lon=lon,
        )
        for o, answer, lat, lon, agency in rows
    ]


def _readable(found: dict[str, open311.Service], client: Principal | None):
    """Orders of the published services (never a police-side matter) that the 12345 centre published, and
    those the client (an api_key's user) filed itself, whose status it may follow."""
    shown = PublicAnswer.id.is_not(None)
    if client is not None:
        filed = select(Report.incident_id).where(
            Report.taken_by == client.user_id, Report.external_ref.startswith(TOKEN_PREFIX)
        )
        shown = shown | WorkOrder.incident_id.in_(filed)
    return and_(WorkOrder.category.in_(list(found)), shown)


def listing(
    session: Session, query: open311.Query, found: dict[str, open311.Service], client: Principal | None = None
) -> list[open311.OrderView]:
    readable = _readable(found, client)
    if query.ids is not None:
        return _views(session, readable, WorkOrder.id.in_(query.ids), limit=open311.MAX_REQUESTS)
    clauses = [readable, WorkOrder.sent_at >= query.start, WorkOrder.sent_at < query.end]
    if query.codes:
        clauses.append(WorkOrder.category.in_(query.codes))
    if query.statuses is not None and len(query.statuses) == 1:
        closed = WorkOrder.state.in_(open311.CLOSED_STATES)
        clauses.append(closed if "closed" in query.statuses else ~closed)
    return _views(session, *clauses, limit=open311.MAX_REQUESTS)


def one(
    session: Session, order_id: int, found: dict[str, open311.Service], client: Principal | None = None
) -> open311.OrderView:
    got = _views(session, WorkOrder.id == order_id, _readable(found, client), limit=1)
    if not got:
        raise open311.Open311Error(404, f"没有服务请求 {order_id} / no service request {order_id}")
    return got[0]


# Publishing -------------------------------------------------------------------------------------------


def publish(
    session: Session, actor: Principal, order_id: int, answer: str | None, found: dict[str, open311.Service]
) -> PublicAnswer | None:
    """The 12345 centre shows an order on the public list with its answer to the public (a new answer replaces
    the old one), or, with no answer, takes it off the list. Both are in the audit chain."""
    require(actor, "order.publish")
    order = orders.get(session, actor, order_id, lock=True)
    if order.category not in found:
        raise Conflict(
            f"工单 {order_id} 的类别 {order.category} 不对外公开 / category {order.category} is not an Open311 service"
        )
    row = session.scalar(select(PublicAnswer).where(PublicAnswer.order_id == order.id))
    if answer is None:
        if row is not None:
            session.delete(row)
        events.append(session, "open311.withdrawn", {"order_id": order.id}, actor=actor.username,
                      incident_id=order.incident_id)  # fmt: skip
        return None
    if row is None:
        row = PublicAnswer(order_id=order.id)
        session.add(row)
    row.answer, row.published_by, row.published_at = answer.strip(), actor.username, utcnow()
    events.append(session, "open311.published", {"order_id": order.id, "answer": row.answer},
                  actor=actor.username, incident_id=order.incident_id)  # fmt: skip
    return row


def by_token(session: Session, token: str, found: dict[str, open311.Service]) -> int:
    """The service_request_id for a token: an order's uid, or the token a held request was answered with."""
    public = WorkOrder.category.in_(list(found))
    order_id = session.scalar(select(WorkOrder.id).where(WorkOrder.uid == token, public))
    if order_id is None:
        incident_id = session.scalar(
            select(Report.incident_id).where(Report.external_ref == TOKEN_PREFIX + token).limit(1)
        )
        if incident_id is not None:
            order_id = session.scalar(
                select(WorkOrder.id)
                .where(WorkOrder.incident_id == incident_id, public)
                .order_by(WorkOrder.id.desc())
                .limit(1)
            )
    if order_id is None:
        raise open311.Open311Error(
            404, f"没有令牌 {token}，或尚未生成服务请求 / no token {token}, or no service request yet"
        )
    return order_id


# Submitting -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    order_id: int | None
    token: str
    notice: str


def report_text(data: open311.Submission, service: open311.Service) -> str:
    return data.description or service.name.split(" / ")[0]


def submit(
    session: Session,
    actor: Principal,
    data: open311.Submission,
    service: open311.Service,
    result: TriageResult,
    desk: flows.Desk,
) -> Submitted:
    """A report and incident from the request; a work order unless triage keeps it on the police side."""
    for action in NEEDED:
        require(actor, action)
    token = uuid.uuid4().hex
    got = incidents.intake(
        session,
        actor,
        incidents.ReportIn(
            text=report_text(data, service),
            channel="app",
            caller_number=data.phone,
            caller_name=data.name[:100],
            location_text=data.address,
            lat=data.lat,
            lon=data.lon,
            external_ref=TOKEN_PREFIX + token,
        ),
        result,
    )
    held = result.disposition in taxonomy.POLICE_SIDE
    events.append(
        session,
        "open311.submitted",
        {"service_code": service.code, "token": token, "held": held, "attributes": sorted(data.attributes)},
        actor=actor.username,
        incident_id=got.incident.id,
    )
    if held:
        return Submitted(None, token, HELD_NOTICE)
    category = taxonomy.default().categories[service.code]
    decision = incidents.Decision(
        category=service.code,
        disposition="divert",
        priority=category.priority,
        destinations=list(category.destinations),
        reason=REASON,
    )
    outcome = flows.decide(session, actor, desk, got.incident.id, decision)
    return Submitted(outcome.orders[0].id, token, service.notice)
