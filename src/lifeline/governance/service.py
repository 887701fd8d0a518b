"""Governance cases: the only writer of `governance_cases`, `governance_case_incidents` and `incident_parties`.

A confirmed dispute is weighed by `rules.decide` against the disputes before it at its place and between its parties;
repeat trouble opens a case (or joins the open one, or reopens one closed within the window). Referring it to the
governance centre is a work order raised by the desk's flow (`desk.flows.govern`), recorded here by `referred`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.permissions import mask_number
from lifeline.auth.service import Principal, require, subtree
from lifeline.diversion.models import WorkOrder
from lifeline.errors import Conflict, Invalid, NotFound
from lifeline.geo import service as geo
from lifeline.governance import rules
from lifeline.governance.models import CaseIncident, GovernanceCase, IncidentParty
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.vocabulary import CaseState, Disposition, MediationOutcome, Role

MAX_PARTIES = 10  # on one incident


def _record(session: Session, actor: Principal, case: GovernanceCase, kind: str, incident_id=None, **extra) -> None:
    case.updated_at = utcnow()
    payload = {"case": case.id, "state": case.state, **extra}
    events.append(session, kind, payload, actor=actor.username, incident_id=incident_id)


# Scope ------------------------------------------------------------------------------------------------------


def scope(session: Session, actor: Principal):
    """Cases the actor may read: the governance centre its own; the desk and the police those with an incident they
    may read (or raised by their desk); an agency of another kind none."""
    if permissions.sees_all(actor.role):
        return true()
    orgs = subtree(session, actor.org_id)
    mine = GovernanceCase.org_id.in_(orgs)
    if actor.role == Role.AGENCY_HANDLER:
        return mine
    seen = (
        select(CaseIncident.case_id)
        .join(Incident, Incident.id == CaseIncident.incident_id)
        .where(incidents.scope(session, actor))
    )
    return or_(mine, GovernanceCase.owner_org_id.in_(orgs), GovernanceCase.id.in_(seen))


def get(session: Session, actor: Principal, case_id: int, *, lock: bool = False) -> GovernanceCase:
    require(actor, "governance.read")
    query = select(GovernanceCase).where(GovernanceCase.id == case_id, scope(session, actor))
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise NotFound(
            f"矛盾纠纷案件 {case_id} 不存在或无权查看 / governance case {case_id} does not exist or is not yours"
        )
    return case


def listing(session: Session, actor: Principal, state: str | None = None, limit: int = 100) -> list[GovernanceCase]:
    require(actor, "governance.read")
    clauses = [scope(session, actor)]
    if state:
        if state not in CaseState.labels():
            raise Invalid(f"未知案件状态 {state!r} / unknown case state; allowed: {', '.join(CaseState.labels())}")
        clauses.append(GovernanceCase.state == state)
    query = select(GovernanceCase).where(*clauses).order_by(GovernanceCase.updated_at.desc(), GovernanceCase.id.desc())
    return list(session.scalars(query.limit(limit)))


def incidents_of(session: Session, case: GovernanceCase) -> list[Incident]:
    """The case's incidents, oldest first (all of them: the case is the reader's, its incidents' facts come with it)."""
    query = (
        select(Incident)
        .join(CaseIncident, CaseIncident.incident_id == Incident.id)
        .where(CaseIncident.case_id == case.id)
        .order_by(Incident.received_at, Incident.id)
    )
    return list(session.scalars(query))


def order_of(session: Session, case: GovernanceCase) -> WorkOrder | None:
    return session.get(WorkOrder, case.order_id) if case.order_id else None


def label(key: str | None, names: dict[str, str] | None = None) -> str:
    """A party as a reader sees it: its name, or its number masked (138****5678)."""
    if not key:
        return ""
    if key.startswith("name:"):
        return key[5:]
    name = (names or {}).get(key, "")
    return f"{name} {mask_number(key)}".strip()


def names_of(session: Session, keys) -> dict[str, str]:
    """The name recorded beside each numbered party, if any."""
    keys = [k for k in keys if k and not k.startswith("name:")]
    if not keys:
        return {}
    rows = session.execute(select(IncidentParty.key, IncidentParty.name).where(IncidentParty.key.in_(keys)))
    return {key: name for key, name in rows if name}


# Parties --------------------------------------------------------------------------------------------------------


def parties_of(session: Session, incident_ids) -> dict[int, list[IncidentParty]]:
    ids = list(incident_ids)
    found: dict[int, list[IncidentParty]] = {i: [] for i in ids}
    if ids:
        query = select(IncidentParty).where(IncidentParty.incident_id.in_(ids)).order_by(IncidentParty.id)
        for row in session.scalars(query):
            found[row.incident_id].append(row)
    return found


def add_parties(session: Session, actor: Principal, incident_id: int, parties: list[tuple[str, str | None]]):
    """The other parties of an incident (name and/or phone), each once. Returns the incident and all its parties."""
    require(actor, "incident.parties")
    incident = incidents.get(session, actor, incident_id, lock=True)
    have = {p.key for p in parties_of(session, [incident.id])[incident.id]}
    added = []
    for name, phone in parties:
        key = rules.party_key(phone, name)
        if key is None:
            raise Invalid("当事人须有姓名或电话 / a party needs a name or a phone number")
        if key in have:
            continue
        if len(have) >= MAX_PARTIES:
            raise Invalid(f"一起警情最多记录 {MAX_PARTIES} 名当事人 / at most {MAX_PARTIES} parties on one incident")
        number = None if key.startswith("name:") else key
        row = IncidentParty(incident_id=incident.id, key=key, name=(name or "").strip(), phone=number,
                            created_by=actor.username)  # fmt: skip
        session.add(row)
        have.add(key)
        added.append({"name": row.name, "phone": mask_number(number)})
    if added:
        session.flush()
        events.append(session, "incident.parties", {"added": added}, actor=actor.username, incident_id=incident.id)
    return incident, parties_of(session, [incident.id])[incident.id]


# The rule on stored rows -------------------------------------------------------------------------------------


def sighting(incident: Incident, parties: list[IncidentParty]) -> rules.Sighting:
    keys = {p.key for p in parties}
    if incident.caller_number:
        keys.add(incident.caller_number)
    return rules.Sighting(incident.id, incident.received_at, incident.category, incident.lat, incident.lon,
                          incident.address or "", frozenset(keys))  # fmt: skip


def _view(case: GovernanceCase) -> rules.CaseView:
    pair = (case.party_a, case.party_b) if case.party_a and case.party_b else None
    closed = case.closed_at if case.state == CaseState.CLOSED else None
    return rules.CaseView(case.id, case.lat, case.lon, case.place, pair, closed)


def _counted(incident: Incident) -> bool:
    """A confirmed dispute that stands on its own (not invalid, not merged into another)."""
    return (
        incident.confirmed_at is not None
        and incident.disposition != Disposition.INVALID
        and incident.merged_into_id is None
        and incident.category in rules.DISPUTES
    )


def _nearby(session: Session, new: rules.Sighting, threshold: rules.Threshold) -> list[rules.Sighting]:
    """The confirmed disputes of the window that may share the new one's place or parties (SQL narrows, the rule
    decides)."""
    conditions = []
    if new.lat is not None and new.lon is not None:
        conditions.append(and_(*geo.around(Incident.lat, Incident.lon, new.lat, new.lon)))
    if new.address:
        conditions.append(Incident.address == new.address)
    numbers = [k for k in new.parties if not k.startswith("name:")]
    if numbers:
        conditions.append(Incident.caller_number.in_(numbers))
    if new.parties:
        named = select(IncidentParty.incident_id).where(IncidentParty.key.in_(sorted(new.parties)))
        conditions.append(Incident.id.in_(named))
    if not conditions:
        return []
    rows = list(
        session.scalars(
            select(Incident).where(
                or_(*conditions),
                Incident.id != new.id,
                Incident.category.in_(sorted(rules.DISPUTES)),
                Incident.received_at >= new.at - threshold.window,
                Incident.received_at <= new.at,
                Incident.confirmed_at.is_not(None),
                Incident.disposition != Disposition.INVALID,
                Incident.merged_into_id.is_(None),
            )
        )
    )
    parties = parties_of(session, [r.id for r in rows])
    return [sighting(r, parties[r.id]) for r in rows]


def _candidates(session: Session, since: datetime) -> list[GovernanceCase]:
    """Cases a new dispute may belong to: the open ones and those closed within the window."""
    query = select(GovernanceCase).where(
        or_(GovernanceCase.state != CaseState.CLOSED, GovernanceCase.closed_at >= since)
    )
    return list(session.scalars(query.order_by(GovernanceCase.id)))


def _attach(session: Session, case: GovernanceCase, incident_id: int) -> bool:
    there = session.scalar(
        select(CaseIncident.id).where(CaseIncident.case_id == case.id, CaseIncident.incident_id == incident_id)
    )
    if there is None:
        session.add(CaseIncident(case_id=case.id, incident_id=incident_id))
        session.flush()
    return there is None


@dataclass
class Evaluation:
    case: GovernanceCase
    opened: bool = False
    reopened: bool = False
    attached: bool = False

    @property
    def needs_referral(self) -> bool:
        """A new or reopened case, or one still waiting for a governance centre, gets a referral order."""
        return self.opened or self.reopened or self.case.order_id is None


def evaluate(
    session: Session, actor: Principal, incident_id: int, threshold: rules.Threshold = rules.DEFAULT
) -> Evaluation | None:
    """Weigh a confirmed incident: it joins the open case at its place or between its parties (reopening one closed
    within the window), or opens one when it is the threshold's dispute. Idempotent: evaluating it again changes
    nothing. None when it is no part of repeat trouble."""
    incident = session.get(Incident, incident_id)
    if incident is None or not _counted(incident):
        return None
    new = sighting(incident, parties_of(session, [incident.id])[incident.id])
    cases = [c for c in _candidates(session, new.at - threshold.window) if rules.matches(_view(c), new, threshold)]
    open_case = next((c for c in cases if c.state != CaseState.CLOSED), None)
    if open_case is not None:
        attached = _attach(session, open_case, incident.id)
        if attached:
            _record(session, actor, open_case, "governance.attached", incident.id)
        return Evaluation(open_case, attached=attached)
    if cases:
        case = max(cases, key=lambda c: c.closed_at)
        _attach(session, case, incident.id)
        case.state, case.reopened, case.closed_at = CaseState.OPEN, case.reopened + 1, None
        _record(session, actor, case, "governance.reopened", incident.id)
        return Evaluation(case, reopened=True, attached=True)
    verdict = rules.decide(new, _nearby(session, new, threshold), threshold)
    if verdict is None:
        return None
    a, b = verdict.parties or (None, None)
    case = GovernanceCase(
        state=CaseState.OPEN,
        place=incident.address if verdict.at_place else "",
        lat=incident.lat if verdict.at_place else None,
        lon=incident.lon if verdict.at_place else None,
        party_a=a,
        party_b=b,
        category=incident.category,
        owner_org_id=incident.owner_org_id,
    )
    session.add(case)
    session.flush()
    for one in verdict.incidents:
        _attach(session, case, one)
    why = [w for w, on in (("address", verdict.at_place), ("parties", verdict.parties is not None)) if on]
    _record(session, actor, case, "governance.opened", incident.id, incidents=list(verdict.incidents), why=why)
    return Evaluation(case, opened=True, attached=True)


def centre(session: Session) -> Organisation | None:
    """The governance centre (综治中心) a case is referred to."""
    query = select(Organisation).where(Organisation.kind == "governance_centre").order_by(Organisation.id)
    return session.scalars(query).first()


def referral_text(session: Session, case: GovernanceCase, rows: list[Incident]) -> str:
    """What the centre reads on the order: where, between whom, and each incident in a line."""
    names = names_of(session, [case.party_a, case.party_b])
    lines = [f"矛盾纠纷多次报警（{len(rows)} 起）/ repeat trouble ({len(rows)} incidents), case #{case.id}"]
    if case.place:
        lines.append(f"地点 / where: {case.place}")
    if case.party_a:
        lines.append(f"当事人 / parties: {label(case.party_a, names)} — {label(case.party_b, names)}")
    for i in rows:
        lines.append(f"#{i.id} {i.received_at:%Y-%m-%d %H:%M} {i.category}: {(i.summary or '')[:120]}")
    return "\n".join(lines)


def referred(session: Session, actor: Principal, case: GovernanceCase, order: WorkOrder, org: Organisation) -> None:
    case.order_id, case.org_id, case.state = order.id, org.id, CaseState.REFERRED
    _record(session, actor, case, "governance.referred", order.incident_id, order=order.id, org=org.code)


def unreferred(session: Session, actor: Principal, case: GovernanceCase) -> None:
    """No governance centre here: the case waits, open, for the desk to phone it over."""
    _record(session, actor, case, "governance.unreferred", reason="没有综治中心 / no governance centre")


# The centre mediates, the police go back ----------------------------------------------------------------------


def mediate(session: Session, actor: Principal, case_id: int, outcome: str, note: str) -> GovernanceCase:
    require(actor, "governance.mediate")
    if outcome not in MediationOutcome.labels():
        raise Invalid(
            f"未知调解结果 {outcome!r} / unknown mediation outcome; allowed: {', '.join(MediationOutcome.labels())}"
        )
    case = get(session, actor, case_id, lock=True)
    if case.state not in (CaseState.REFERRED, CaseState.OPEN):
        raise Conflict(
            f"案件 {case_id} 当前为{CaseState(case.state).zh}，不能登记调解结果 / case {case_id} is"
            f" {case.state}: mediation is recorded while it is with the governance centre"
        )
    case.mediation, case.mediation_note = outcome, note
    case.mediated_by, case.mediated_at, case.state = actor.username, utcnow(), CaseState.MEDIATED
    _record(session, actor, case, "governance.mediated", outcome=outcome, note=note)
    return case


def return_visit(
    session: Session, actor: Principal, case_id: int, officer: str, found: str, at: datetime | None = None
) -> GovernanceCase:
    """The police return visit after mediation (by the station: who, when, what was found); the case closes."""
    require(actor, "governance.visit")
    case = get(session, actor, case_id, lock=True)
    if case.state != CaseState.MEDIATED:
        raise Conflict(
            f"案件 {case_id} 当前为{CaseState(case.state).zh}，调解结果登记后才能回访 / case {case_id} is"
            f" {case.state}: the return visit follows the mediation outcome"
        )
    now = utcnow()
    if at is not None and (at > now or at < case.opened_at):
        raise Invalid("回访时间须在立案之后、现在之前 / the return visit falls between the case's opening and now")
    case.visit_officer, case.visit_found, case.visited_at = officer, found, at or now
    case.visit_recorded_by, case.state, case.closed_at = actor.username, CaseState.CLOSED, now
    _record(session, actor, case, "governance.visited", officer=officer, found=found)
    return case


# What the desk sees ---------------------------------------------------------------------------------------------


def concerning(session: Session, actor: Principal, new: rules.Sighting, threshold=rules.DEFAULT):
    """Cases at a place or between parties (open, or closed within the window) that the actor may read: what the
    desk sees when the next call comes."""
    if not permissions.allowed(actor.role, "governance.read"):
        return []
    query = select(GovernanceCase).where(
        or_(GovernanceCase.state != CaseState.CLOSED, GovernanceCase.closed_at >= new.at - threshold.window),
        scope(session, actor),
    )
    found = []
    for case in session.scalars(query.order_by(GovernanceCase.id.desc())):
        view = _view(case)
        if rules.concerns(view, new, threshold) or (case.party_a and {case.party_a, case.party_b} & new.parties):
            found.append(case)
    return found


def for_incident(session: Session, actor: Principal, incident: Incident) -> list[GovernanceCase]:
    """The cases an incident is part of, and those at its place or between its parties."""
    if not permissions.allowed(actor.role, "governance.read"):
        return []
    member = select(CaseIncident.case_id).where(CaseIncident.incident_id == incident.id)
    mine = list(session.scalars(select(GovernanceCase).where(GovernanceCase.id.in_(member), scope(session, actor))))
    new = sighting(incident, parties_of(session, [incident.id])[incident.id])
    return mine + [c for c in concerning(session, actor, new) if c not in mine]


def at_call(session: Session, actor: Principal, number: str | None, address: str, lat=None, lon=None):
    """At pickup: the cases the caller's number is a party to, or at the address typed."""
    keys = frozenset({number} if number else ())
    if not keys and not address and lat is None:
        return []
    return concerning(session, actor, rules.Sighting(0, utcnow(), "", lat, lon, address, keys))
