"""What can be done to reports and incidents, each in one transaction with its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, func, or_, select, true
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from lifeline import taxonomy
from lifeline.analytics import summary  # its session event keeps the day summaries correct
from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.permissions import mask_number
from lifeline.auth.service import Principal, org_by_code, require, subtree, under
from lifeline.callers import service as callers
from lifeline.callers.scoring import normalise_number
from lifeline.catalogue import service as catalogue
from lifeline.catalogue.match import Suggestion
from lifeline.common import sha256
from lifeline.errors import Conflict, Forbidden, Invalid, NotFound
from lifeline.geo import service as geo
from lifeline.geo.geocode import CONFIRM_BELOW
from lifeline.incidents import states
from lifeline.incidents.models import Assignment, CallbackAttempt, Incident, Report
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import core, insert_row
from lifeline.taxonomy import decisions
from lifeline.triage import TriageResult, triage
from lifeline.triage.duplicates import WINDOW_MINUTES, Sighting, match, metres, related
from lifeline.vocabulary import (
    CALLBACK_TRIES,
    LIVE_CHANNELS,
    CallbackOutcome,
    CallbackState,
    Channel,
    Disposition,
    FieldOutcome,
    IncidentMove,
    IncidentState,
    LocationSource,
    Responsibility,
    Role,
)

MAX_DUPLICATES = 5
DUPLICATE_CANDIDATES = 200  # the most recent open ones; bounds the work per call in a busy hour


@dataclass
class ReportIn:
    text: str
    channel: str = "voice"
    caller_number: str | None = None
    caller_name: str = ""
    location_text: str = ""
    lat: float | None = None
    lon: float | None = None
    received_at: datetime | None = None
    answered_at: datetime | None = None
    external_ref: str | None = None


@dataclass
class Decision:
    category: str | None = None
    disposition: str | None = None
    priority: int | None = None
    destinations: list[str] | None = None
    reason: str | None = None
    item: str | None = None  # the catalogue item the call-taker chose (default: the one suggested for the category)


@dataclass
class Intake:
    incident: Incident
    report: Report
    triage: TriageResult
    duplicates: list[dict] = field(default_factory=list)
    caller: dict | None = None
    item: Suggestion | None = None  # the catalogue item suggested beside the category
    catalogue_version: int | None = None


def snapshot(incident: Incident) -> dict:
    """The fields an event records after each change; `audit verify` compares them with the row."""
    return {
        "state": incident.state,
        "category": incident.category,
        "disposition": incident.disposition,
        "priority": incident.priority,
        "destinations": list(incident.destinations or []),
        "owner_org_id": incident.owner_org_id,
        "merged_into_id": incident.merged_into_id,
        "caller_number_sha256": sha256(incident.caller_number or ""),
    }


def _entry(actor: Principal, incident: Incident, kind: str, **payload) -> events.Entry:
    """An event about `incident`, carrying the snapshot `audit verify` compares with the row."""
    return events.Entry(kind, {**payload, "incident": snapshot(incident)}, actor.username, incident.id)


def _record(session: Session, actor: Principal, incident: Incident, kind: str, **payload) -> None:
    incident.updated_at = utcnow()
    events.append_all(session, [_entry(actor, incident, kind, **payload)])


# Scope ---------------------------------------------------------------------------------------


def scope(session: Session, actor: Principal):
    """Incidents `actor` may see: owned by or handed to their part of the organisation tree."""
    if permissions.sees_all(actor.role):
        return true()
    orgs = subtree(session, actor.org_id)
    handed = select(Assignment.incident_id).where(Assignment.org_id.in_(orgs))
    return or_(Incident.owner_org_id.in_(orgs), Incident.id.in_(handed))


def get(session: Session, actor: Principal, incident_id: int, *, lock: bool = False) -> Incident:
    """The incident if `actor` may see it. Hidden and missing look the same, so ids cannot be probed."""
    query = select(Incident).where(Incident.id == incident_id, scope(session, actor))
    if lock:
        query = query.with_for_update()
    incident = session.scalar(query)
    if incident is None:
        raise NotFound(f"警情 {incident_id} 不存在或无权查看 / incident {incident_id} does not exist or is not yours")
    return incident


# Intake ----------------------------------------------------------------------------------------


def intake(session: Session, actor: Principal, data: ReportIn, result: TriageResult | None = None) -> Intake:
    """A report becomes a triaged incident. Pass `result` to triage before the transaction opens."""
    require(actor, "report.create")
    result = result or triage(data.text, data.channel)
    now = utcnow()
    number = normalise_number(data.caller_number)
    answered_at = data.answered_at
    if answered_at is None and data.channel in LIVE_CHANNELS and (data.received_at is None or actor.via == "peer"):
        # A live call recorded as it happens was answered by the call-taker recording it; one handed over by a
        # peer was answered there. A report that brings its own received_at (a switch, an EIDO document) brings
        # its answered_at too: without one, the call was not answered.
        answered_at = now
    received_at = data.received_at or now
    where = place(session, data.lat, data.lon, data.location_text or result.entities.address_text)
    version, item = catalogue.suggest_for(session, result.text, result.category)
    incident = Incident(
        state="triaged",
        owner_org_id=actor.org_id,
        category=result.category,
        disposition=result.disposition,
        priority=result.priority,
        destinations=list(result.destinations),
        suggestion=result.suggestion(),
        catalogue_item=item.item.code if item else None,
        needs_confirmation=result.needs_confirmation,
        callback_required=result.callback_required,
        callback_state=CallbackState.WAITING if result.callback_required else None,
        caller_number=number,
        address=data.location_text or result.entities.address_text,
        **where,
        summary=result.text[:200],
        received_at=received_at,
        triaged_at=now,
        updated_at=now,
    )
    insert_row(session, incident)
    report = insert_row(
        session,
        Report(
            incident_id=incident.id,
            origin_incident_id=incident.id,
            channel=data.channel,
            caller_number=number,
            caller_name=data.caller_name,
            text=data.text,
            location_text=data.location_text,
            lat=data.lat,
            lon=data.lon,
            received_at=received_at,
            answered_at=answered_at,
            taken_by=actor.user_id or None,
            external_ref=data.external_ref,
        ),
    )
    summary.touch(session, received_at)
    # What a new incident has, said here so that reading it costs no query.
    set_committed_value(incident, "reports", [report])
    set_committed_value(incident, "assignments", [])
    caller = callers.history(session, number, now, caller_scope(session, actor)) if number else None
    similar = duplicates(session, actor, sighting(incident), exclude=incident.id)
    # Last: appending takes the chain head, which every writer waits for until this transaction commits.
    events.append_all(
        session,
        [
            events.Entry(
                "report.received",
                {"report_id": report.id, "channel": data.channel, "text_sha256": sha256(data.text)},
                actor.username,
                incident.id,
            ),
            _entry(actor, incident, "incident.triaged", suggestion=incident.suggestion, location=where,
                   catalogue={"version": version, "item": incident.catalogue_item}),
        ],
    )  # fmt: skip
    return Intake(incident, report, result, similar, caller, item, version)


@cache
def place(session: Session, lat: float | None, lon: float | None, address: str) -> dict:
    """Where an incident is: the caller's device location when it came with one, else the typed address on the
    road network (with the place it matched and how surely), else nowhere yet."""
    if lat is not None and lon is not None:
        return {"lat": lat, "lon": lon, "location_source": LocationSource.DEVICE, "location_confidence": 1.0}
    match = geo.locate(session, address)
    if match is None:
        return {}
    return {
        "lat": round(match.lat, 6),
        "lon": round(match.lon, 6),
        "location_source": LocationSource.ADDRESS,
        "location_place": match.place,
        "location_confidence": match.confidence,
    }


def needs_confirming(incident: Incident) -> bool:
    """An address with no point yet, or a matched one the gazetteer is unsure of: the desk confirms or drops a pin."""
    if incident.location_source == LocationSource.ADDRESS:
        return (incident.location_confidence or 0.0) < CONFIRM_BELOW
    return incident.lat is None and bool(incident.address)


def pin(session: Session, actor: Principal, incident_id: int, lat: float, lon: float) -> Incident:
    """The desk puts the incident where it is (a pin on the map, or a place confirmed with the caller)."""
    require(actor, "incident.locate")
    incident = get(session, actor, incident_id, lock=True)
    before = {"lat": incident.lat, "lon": incident.lon, "source": incident.location_source}
    incident.lat, incident.lon = round(lat, 6), round(lon, 6)
    incident.location_source, incident.location_confidence = LocationSource.PIN, 1.0
    _record(session, actor, incident, "incident.located", lat=incident.lat, lon=incident.lon, before=before)
    return incident


def _candidates(near: bool, scoped: bool, by_caller: bool):
    """Open incidents worth comparing with a new one, built once per shape: the same or a related category, within about
    2 km when the new one has coordinates, or from the same number; only those the actor may see when `scoped`."""
    kind = Incident.category.in_(bindparam("categories", expanding=True))
    if near:
        kind = or_(
            kind,
            and_(
                Incident.lat.between(bindparam("lat_min"), bindparam("lat_max")),
                Incident.lon.between(bindparam("lon_min"), bindparam("lon_max")),
            ),
        )
    if by_caller:
        kind = or_(kind, Incident.caller_number == bindparam("number"))
    query = select(
        Incident.id, Incident.summary, Incident.received_at, Incident.category,
        Incident.address, Incident.lat, Incident.lon, Incident.caller_number,
    ).where(
        Incident.id != bindparam("id"),
        Incident.state.in_(states.OPEN_STATES),
        Incident.received_at >= bindparam("since"),
        kind,
    )  # fmt: skip
    if scoped:
        orgs = bindparam("orgs", expanding=True)
        handed = select(Assignment.incident_id).where(Assignment.org_id.in_(orgs))
        query = query.where(or_(Incident.owner_org_id.in_(orgs), Incident.id.in_(handed)))
    return query.order_by(Incident.received_at.desc()).limit(DUPLICATE_CANDIDATES)


def sighting(incident: Incident) -> Sighting:
    return Sighting(
        incident.summary, incident.received_at, incident.category, incident.address, incident.lat, incident.lon,
        incident.caller_number,
    )  # fmt: skip


def duplicates(session: Session, actor: Principal, new: Sighting, exclude: int | None = None) -> list[dict]:
    """Open incidents a sighting may repeat, best first: for a recorded incident (`exclude` its own id), or for a
    call still being taken. Reads only the columns the match needs."""
    near = new.lat is not None and new.lon is not None
    scoped = not permissions.sees_all(actor.role)
    box = 0.02  # degrees, about 2 km: the match itself measures the distance exactly
    params = {
        "id": -1 if exclude is None else exclude,
        "since": new.at - timedelta(minutes=WINDOW_MINUTES),
        "categories": related(new.category),
    }
    if near:
        params.update(lat_min=new.lat - box, lat_max=new.lat + box, lon_min=new.lon - box, lon_max=new.lon + box)
    if new.caller:
        params["number"] = new.caller
    if scoped:
        params["orgs"] = sorted(subtree(session, actor.org_id))
    rows = core(session).execute(_candidates(near, scoped, new.caller is not None), params)
    found = []
    for row in rows:
        old = Sighting(row.summary, row.received_at, row.category, row.address, row.lat, row.lon, row.caller_number)
        m = match(new, old)
        if m is not None:
            found.append({"incident_id": row.id, "score": m.score, "reasons": m.reasons, "summary": row.summary})
    return sorted(found, key=lambda d: -d["score"])[:MAX_DUPLICATES]


# Decisions and moves ---------------------------------------------------------------------------


def confirm(session: Session, actor: Principal, incident_id: int, decision: Decision) -> Incident:
    """The call-taker's decision. Anything that differs from the suggestion needs a reason."""
    require(actor, "incident.confirm")
    incident = get(session, actor, incident_id, lock=True)
    if incident.state != "triaged":
        raise Conflict(
            f"警情当前为 {incident.state}，只有已研判(triaged)的警情可以确认"
            " / only a triaged incident can be confirmed",
            allowed=states.allowed_next(incident.state, incident.disposition),
        )
    tax = taxonomy.default()
    suggested = incident.suggestion
    if decision.category is not None and decision.category not in tax.categories:
        raise Invalid(f"未知类别 {decision.category!r} / unknown category {decision.category!r}")
    if decision.disposition is not None and decision.disposition not in taxonomy.DISPOSITIONS:
        raise Invalid(
            f"未知处置方式 {decision.disposition!r} / unknown disposition {decision.disposition!r};"
            f" allowed: {taxonomy.DISPOSITIONS}"
        )
    chosen = decisions.complete(
        tax, suggested, decision.disposition, decision.category, decision.priority, decision.destinations
    ).as_dict()
    unknown = [d for d in chosen["destinations"] if d not in tax.destinations]
    if unknown:
        raise Invalid(f"未知去向 {unknown} / unknown destinations {unknown}")
    changed = decisions.overrides(suggested, decisions.Chosen(**chosen))
    lessened = decisions.needs_reason(suggested, decisions.Chosen(**chosen))
    reason = (decision.reason or "").strip()
    if lessened and not reason:
        raise Invalid(
            f"与研判建议不同（{', '.join(lessened)}），须填写理由 / a reason is required when overriding: {lessened}",
            changed=lessened,
        )
    if chosen["disposition"] == Disposition.INVALID:
        _callback_done(session, actor, incident, reason)
    if decision.item is not None:
        picked = catalogue.item(session, decision.item)
        if picked is None or picked.category != chosen["category"]:
            raise Invalid(
                f"诉求事项 {decision.item!r} 不在现行清单的类别 {chosen['category']} 中 / item {decision.item!r} is"
                f" not an item of category {chosen['category']} in the catalogue in force"
            )
        incident.catalogue_item = picked.code
    elif chosen["category"] != incident.category:  # another category: its own item
        _suggest_item(session, incident, chosen["category"])
    incident.category, incident.disposition = chosen["category"], chosen["disposition"]
    incident.priority, incident.destinations = chosen["priority"], list(chosen["destinations"])
    incident.override_reason = reason or None
    incident.state, incident.confirmed_at = "confirmed", utcnow()
    _record(session, actor, incident, "incident.confirmed", overridden=changed, reason=reason or None,
            item=incident.catalogue_item)  # fmt: skip
    return incident


def redecide(session: Session, actor: Principal, incident_id: int, disposition: str, reason: str) -> Incident:
    """A confirmed matter not yet handed over, decided again: a consultation agreed the police keep it."""
    require(actor, "incident.confirm")
    incident = get(session, actor, incident_id, lock=True)
    if incident.state != IncidentState.CONFIRMED:
        raise Conflict(
            f"警情 {incident_id} 已不在待处置状态 / incident {incident_id} is no longer waiting to be handled"
        )
    chosen = decisions.complete(taxonomy.default(), incident.suggestion, disposition, incident.category).as_dict()
    incident.disposition, incident.priority = chosen["disposition"], chosen["priority"]
    incident.destinations = list(chosen["destinations"])
    _record(session, actor, incident, "incident.redecided", disposition=disposition, reason=reason)
    return incident


def _suggest_item(session: Session, incident: Incident, category: str) -> None:
    """The catalogue item for the incident's words within `category`."""
    words = "\n".join(r.text for r in incident.reports)
    found = catalogue.suggest_for(session, words, category, normalised=False)[1]
    incident.catalogue_item = found.item.code if found else None


def transition(
    session: Session, actor: Principal, incident_id: int, target: str, reason: str | None = None, org: str | None = None
) -> Incident:
    require(actor, "incident.transition")
    if target not in states.ACTIONS:
        raise Invalid(f"未知状态 {target!r} / unknown state {target!r}; allowed: {', '.join(sorted(states.ACTIONS))}")
    if not permissions.may_move_to(actor.role, target):
        raise Forbidden(f"角色 {actor.role} 不能把警情转为 {target} / role {actor.role} may not move to {target}")
    incident = get(session, actor, incident_id, lock=True)
    problem = states.check(incident.state, incident.disposition, target)
    if problem:
        raise Conflict(problem, allowed=states.allowed_next(incident.state, incident.disposition))
    reason = (reason or "").strip() or None
    if target in states.NEEDS_REASON and not reason:
        raise Invalid(f"转为 {target} 须填写理由 / a reason is required to move to {target}")
    # Cancelling drops a call as surely as closing it invalid: a silent caller is reached first either way.
    if target == IncidentMove.CANCELLED or (
        target == IncidentMove.CLOSED and incident.disposition == Disposition.INVALID
    ):
        _callback_done(session, actor, incident, reason)
    handed_to = _hand_over(session, incident, target, org)
    previous = incident.state
    incident.state = states.LANDS_IN.get(target, target)
    now = utcnow()
    if target in states.TIMESTAMP:
        setattr(incident, states.TIMESTAMP[target], now)
    if target == "cancelled":
        incident.cancel_reason = reason
    _record(session, actor, incident, f"incident.{target}", previous=previous, reason=reason, org=handed_to)
    return incident


def close_answered(session: Session, actor: Principal, incident_id: int, reason: str) -> Incident:
    """A diverted matter 12345 answered at once from its knowledge base (直接答复): closed at its decision, with no
    work order. The move table keeps a diverted matter from being closed at confirmed (it must reach someone who
    acts); this is the one exception, taken only by the desk flow `answer_directly`, which checks first that the
    matter is a 12345 contact with nothing for the police in it."""
    if not permissions.may_move_to(actor.role, IncidentMove.CLOSED):
        raise Forbidden(f"角色 {actor.role} 不能结案 / role {actor.role} may not close an incident")
    incident = get(session, actor, incident_id, lock=True)
    if incident.state != IncidentState.CONFIRMED or incident.disposition != Disposition.DIVERT:
        raise Conflict(
            f"警情 {incident_id} 为 {incident.state}/{incident.disposition}，只有已确认、未转办的分流事项可直接答复结案"
            f" / only a confirmed diverted matter not yet handed over can be closed as answered directly",
            allowed=states.allowed_next(incident.state, incident.disposition),
        )
    now = utcnow()
    previous, incident.state = incident.state, IncidentState.CLOSED
    incident.closed_at = now
    _record(session, actor, incident, "incident.closed", previous=previous, reason=reason, org=None, answered=True)
    return incident


def _hand_over(session: Session, incident: Incident, target: str, org: str | None) -> str | None:
    """Dispatch needs a unit's organisation; a transfer may name one (the work order seam)."""
    kind = {"dispatched": "dispatch", "transferred": "transfer"}.get(target)
    if kind is None:
        return None
    if org is None:
        if target == "dispatched":
            raise Invalid("派警须指定处警单位 org / dispatching needs the organisation of the unit (org)")
        return None
    organisation: Organisation = org_by_code(session, org)
    if target == "dispatched" and organisation.kind not in ("police_station", "centre_110"):
        raise Invalid(f"{org} 不是公安单位，不能派警 / {org} is not a police unit")
    hand_to(session, incident.id, organisation.id, kind)
    return org


def hand_to(session: Session, incident_id: int, org_id: int, kind: str) -> None:
    """Record that an organisation was handed the incident (dispatch, transfer, joint): it may now see it."""
    exists = session.scalar(
        select(Assignment.id).where(
            Assignment.incident_id == incident_id, Assignment.org_id == org_id, Assignment.kind == kind
        )
    )
    if exists is None:
        session.add(Assignment(incident_id=incident_id, org_id=org_id, kind=kind))


def accepted(incident: Incident) -> bool:
    """Whether a crew has taken the incident since it was last dispatched (a reopened one waits again)."""
    at, sent = incident.accepted_at, incident.dispatched_at
    return at is not None and (sent is None or at >= sent)


def accept(session: Session, actor: Principal, incident_id: int, unit: str) -> Incident:
    """A crew took the order (接单): the first acceptance is the one the figures count; later ones change nothing."""
    incident = get(session, actor, incident_id, lock=True)
    if not accepted(incident):
        incident.accepted_at = utcnow()
        _record(session, actor, incident, "incident.accepted", unit=unit)
    return incident


def feedback(session: Session, actor: Principal, incident_id: int, unit: str, result: str, outcome: str) -> Incident:
    """处置反馈: the unit's result and outcome are kept, and the incident is resolved unless another unit's
    feedback resolved it already (then only this one's report is recorded)."""
    result = result.strip()
    if not result:
        raise Invalid("处置结果不能为空 / the result is empty: say what was done")
    if outcome not in list(FieldOutcome):
        choices = ", ".join(FieldOutcome)
        raise Invalid(f"未知处置结果类别 {outcome!r} / unknown outcome {outcome!r}; choose from: {choices}")
    incident = get(session, actor, incident_id, lock=True)
    if incident.state != IncidentState.RESOLVED:
        incident = transition(session, actor, incident_id, IncidentMove.RESOLVED)
        incident.result, incident.outcome = result, outcome
    events.append(
        session, "incident.feedback", {"unit": unit, "result": result, "outcome": outcome},
        actor=actor.username, incident_id=incident.id,
    )  # fmt: skip
    return incident


def prioritise(session: Session, actor: Principal, incident: Incident, priority: int, reason: str) -> Incident:
    """Raise an incident's priority (a 12345 emergency pushed to 110 is priority 1); the reason is kept."""
    if incident.disposition not in (Disposition.POLICE, Disposition.JOINT):
        incident.disposition = Disposition.POLICE
    incident.priority, incident.needs_confirmation = min(incident.priority, priority), True
    incident.suggestion = {**incident.suggestion, "reasons": [*incident.suggestion["reasons"], reason]}
    _record(session, actor, incident, "incident.prioritised", priority=incident.priority, reason=reason)
    return incident


# Call-backs ------------------------------------------------------------------------------------------


class CallbackPending(Conflict):
    """Closing as invalid a call that still needs a call-back."""


def _callback_done(session: Session, actor: Principal, incident: Incident, reason: str | None) -> None:
    """A call that needs a call-back is closed as invalid only after the caller was reached, or, after
    CALLBACK_TRIES unanswered call-backs (or a wrong number), by a supervisor who gives a reason."""
    state = incident.callback_state
    if not incident.callback_required or state in (None, CallbackState.REACHED):
        return
    tries = _attempts(session, incident.id)
    if state == CallbackState.SUPERVISOR:
        if actor.role in (Role.SUPERVISOR, Role.ADMIN) and (reason or "").strip():
            return
        raise CallbackPending(
            f"该来电需回拨：已回拨 {len(tries)} 次未接通，须由值班长填写理由后决定 / "
            f"this call needs a call-back: {len(tries)} attempts went unanswered; a supervisor decides, with a reason",
            callback={"state": state, "attempts": len(tries)},
        )
    raise CallbackPending(
        f"该来电需回拨（无声、耳语或中断），回拨接通前不能按无效结案或撤销；已回拨 {len(tries)} 次，"
        f"未接通满 {CALLBACK_TRIES} 次后由值班长决定 / this call needs a call-back before it can be closed as invalid"
        f" or cancelled: {len(tries)} attempts so far; record one (POST /api/v1/incidents/{incident.id}/callbacks)",
        callback={"state": state, "attempts": len(tries)},
    )


def _attempts(session: Session, incident_id: int) -> list[CallbackAttempt]:
    query = select(CallbackAttempt).where(CallbackAttempt.incident_id == incident_id).order_by(CallbackAttempt.id)
    return list(session.scalars(query))


def record_callback(
    session: Session, actor: Principal, incident_id: int, outcome: str, note: str
) -> tuple[Incident, CallbackAttempt]:
    """One call-back attempt. Reached ends the wait; CALLBACK_TRIES unanswered (or a wrong number) hand the call
    to a supervisor. Triaging again with what was learnt is the desk's flow (desk.call_back)."""
    require(actor, "callback.record")
    incident = get(session, actor, incident_id, lock=True)
    if outcome not in CallbackOutcome.__members__.values():
        raise Invalid(f"未知回拨结果 {outcome!r} / unknown outcome {outcome!r}; allowed: {', '.join(CallbackOutcome)}")
    if incident.callback_state not in (CallbackState.WAITING, CallbackState.SUPERVISOR):
        raise Conflict(
            f"警情 {incident_id} 不在回拨队列中 / incident {incident_id} is not waiting for a call-back",
            callback={"state": incident.callback_state},
        )
    note = note.strip()
    if outcome == CallbackOutcome.REACHED and not note:
        raise Invalid("已接通须记录了解到的情况 / a reached call-back needs a note of what the caller said")
    attempt = CallbackAttempt(incident_id=incident.id, outcome=outcome, note=note, by=actor.username, at=utcnow())
    session.add(attempt)
    session.flush()
    unanswered = Waiting(incident, _attempts(session, incident.id)).unanswered
    if outcome == CallbackOutcome.REACHED:
        incident.callback_state = CallbackState.REACHED
    elif outcome == CallbackOutcome.WRONG_NUMBER or unanswered >= CALLBACK_TRIES:
        incident.callback_state = CallbackState.SUPERVISOR
    _record(
        session, actor, incident, "incident.callback", outcome=outcome, note=note or None,
        attempt=unanswered if outcome != CallbackOutcome.REACHED else None, callback_state=incident.callback_state,
    )  # fmt: skip
    return incident, attempt


@dataclass
class Waiting:
    incident: Incident
    attempts: list[CallbackAttempt]

    @property
    def unanswered(self) -> int:
        return sum(a.outcome != CallbackOutcome.REACHED for a in self.attempts)

    @property
    def needs_supervisor(self) -> bool:
        return self.incident.callback_state == CallbackState.SUPERVISOR


def callback_queue(session: Session, actor: Principal, limit: int = 200) -> list[Waiting]:
    """Open calls waiting for a call-back, oldest first, with the attempts so far."""
    require(actor, "callback.read")
    query = (
        select(Incident)
        .where(
            scope(session, actor),
            Incident.callback_state.in_([CallbackState.WAITING, CallbackState.SUPERVISOR]),
            Incident.state.in_(states.OPEN_STATES),
        )
        .order_by(Incident.received_at, Incident.id)
        .limit(limit)
    )
    incidents = list(session.scalars(query))
    tries: dict[int, list[CallbackAttempt]] = {i.id: [] for i in incidents}
    if incidents:
        rows = select(CallbackAttempt).where(CallbackAttempt.incident_id.in_(tries)).order_by(CallbackAttempt.id)
        for attempt in session.scalars(rows):
            tries[attempt.incident_id].append(attempt)
    return [Waiting(i, tries[i.id]) for i in incidents]


def undecided(session: Session, actor: Principal, limit: int = 200) -> list[Incident]:
    """Matters waiting for a call-taker's decision, oldest first: taken back from 12345, pushed by a peer, or
    reached on a call-back (a call being taken is decided in the transaction that records it)."""
    require(actor, "incident.confirm")
    query = (
        select(Incident)
        .where(
            scope(session, actor),
            Incident.state == IncidentState.TRIAGED,
            or_(Incident.callback_state.is_(None), Incident.callback_state == CallbackState.REACHED),
        )
        .order_by(Incident.received_at, Incident.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def retriage(session: Session, actor: Principal, incident: Incident, text: str, channel: str = Channel.CALLBACK):
    """What was learnt later (a call-back) joins the incident as a report, and triage reads the whole story
    again. A call not yet decided takes the new suggestion; a decided one keeps its decision beside it."""
    now = utcnow()
    session.add(
        Report(
            incident_id=incident.id, origin_incident_id=incident.id, channel=channel,
            caller_number=incident.caller_number, text=text, received_at=now, answered_at=now,
            taken_by=actor.user_id or None,
        )
    )  # fmt: skip
    session.flush()
    session.refresh(incident, ["reports"])
    return reread(session, actor, incident, "\n".join(r.text for r in incident.reports))


def reread(session: Session, actor: Principal, incident: Incident, story: str) -> Incident:
    """Triage reads the whole story again (every report, or a text conversation so far). A call not yet decided
    takes the new suggestion; a decided one keeps its decision beside it."""
    result = triage(story, incident.reports[0].channel)
    incident.suggestion = result.suggestion()
    incident.needs_confirmation = result.needs_confirmation
    if incident.state == IncidentState.TRIAGED:
        incident.category, incident.disposition = result.category, result.disposition
        incident.priority, incident.destinations = result.priority, list(result.destinations)
        _suggest_item(session, incident, result.category)
    _record(session, actor, incident, "incident.retriaged", suggestion=incident.suggestion,
            item=incident.catalogue_item)  # fmt: skip
    return incident


def record_accident(session: Session, actor: Principal, incident_id: int, responsibility: str, note: str) -> Incident:
    """快处快赔: the officer on the video call records who is to blame in a minor accident (parties A and B)."""
    require(actor, "incident.transition")
    if responsibility not in Responsibility.__members__.values():
        raise Invalid(f"未知责任认定 {responsibility!r} / unknown responsibility; one of {', '.join(Responsibility)}")
    incident = get(session, actor, incident_id, lock=True)
    if incident.state not in states.OPEN_STATES:
        raise Conflict(f"警情 #{incident_id} 已结束 / incident #{incident_id} is no longer open")
    _record(session, actor, incident, "incident.accident_settled", responsibility=responsibility, note=note)
    return incident


def answered(session: Session, incident: Incident, at: datetime) -> None:
    """A seat took the contact that made this incident (a text opened, a press answered): its first report was
    answered then, which the answer rate and the time to answer count."""
    first = incident.reports[0]
    if first.answered_at is None:
        first.answered_at = at


def add_note(session: Session, actor: Principal, incident_id: int, text: str) -> None:
    require(actor, "incident.note")
    incident = get(session, actor, incident_id)
    if not text.strip():
        raise Invalid("备注不能为空 / the note is empty")
    events.append(session, "incident.note", {"text": text}, actor=actor.username, incident_id=incident.id)


def merge(session: Session, actor: Principal, target_id: int, source_id: int) -> Incident:
    """Move every report of `source` onto `target`; `source` is kept, marked merged."""
    require(actor, "incident.merge")
    if target_id == source_id:
        raise Invalid("不能与自身合并 / an incident cannot be merged into itself")
    target = get(session, actor, target_id, lock=True)
    source = get(session, actor, source_id, lock=True)
    for inc in (target, source):
        if inc.state not in states.OPEN_STATES:
            raise Conflict(f"警情 {inc.id} 状态为 {inc.state}，只能合并未结警情 / only open incidents can be merged")
    moved = [r.id for r in source.reports]
    for report in list(source.reports):
        report.incident = target
    previous = source.state
    source.state, source.merged_into_id = "merged", target.id
    _record(session, actor, source, "incident.merged", into=target.id, reports=moved, previous=previous)
    _record(session, actor, target, "incident.absorbed", source=source.id, reports=moved)
    return target


def unmerge(session: Session, actor: Principal, target_id: int, source_id: int) -> Incident:
    """Undo a merge: the reports it moved go back and `source` returns to its state before."""
    require(actor, "incident.merge")
    target = get(session, actor, target_id, lock=True)
    source = get(session, actor, source_id, lock=True)
    if source.merged_into_id != target.id or source.state != "merged":
        raise Conflict(f"警情 {source_id} 并未合并到 {target_id} / incident {source_id} is not merged into {target_id}")
    merged = session.scalar(
        select(events.Event)
        .where(events.Event.incident_id == source.id, events.Event.kind == "incident.merged")
        .order_by(events.Event.seq.desc())
    )
    data = merged.data
    for report in session.scalars(select(Report).where(Report.id.in_(data["reports"]))):
        report.incident = source
    source.state, source.merged_into_id = data["previous"], None
    _record(session, actor, source, "incident.unmerged", out_of=target.id, reports=data["reports"])
    _record(session, actor, target, "incident.split", source=source.id, reports=data["reports"])
    return source


# Reads -----------------------------------------------------------------------------------------


@dataclass
class Filters:
    state: list[str] | None = None
    disposition: str | None = None
    category: str | None = None
    priority: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    caller_number: str | None = None  # a caller look-up: the 110 desk only, and recorded (look_up)
    incident_id: int | None = None
    words: str | None = None  # in what a caller said, the summary or the address


def listing(session: Session, actor: Principal, filters: Filters, after_id: int | None, limit: int) -> list[Incident]:
    """Newest first; `after_id` is the last id of the previous page (cursor pagination)."""
    require(actor, "incident.read")
    clauses = [scope(session, actor)]
    if filters.state:
        clauses.append(Incident.state.in_(filters.state))
    if filters.disposition:
        clauses.append(Incident.disposition == filters.disposition)
    if filters.category:
        clauses.append(Incident.category == filters.category)
    if filters.priority:
        clauses.append(Incident.priority == filters.priority)
    if filters.since:
        clauses.append(Incident.received_at >= filters.since)
    if filters.until:
        clauses.append(Incident.received_at < filters.until)
    if filters.incident_id:
        clauses.append(Incident.id == filters.incident_id)
    if filters.words:
        said = select(Report.incident_id).where(Report.text.icontains(filters.words, autoescape=True))
        clauses.append(
            or_(
                Incident.id.in_(said),
                Incident.summary.icontains(filters.words, autoescape=True),
                Incident.address.icontains(filters.words, autoescape=True),
            )
        )
    if filters.caller_number:
        clauses.append(Incident.caller_number == look_up(session, actor, filters.caller_number))
    if after_id is not None:
        clauses.append(Incident.id < after_id)
    query = (
        select(Incident)
        .where(and_(*clauses))
        .options(selectinload(Incident.reports), selectinload(Incident.assignments))
        .order_by(Incident.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def history(session: Session, actor: Principal, incident_id: int) -> list[events.Event]:
    require(actor, "incident.history")
    incident = get(session, actor, incident_id)
    return list(session.scalars(select(events.Event).where(events.Event.incident_id == incident.id).order_by("seq")))


ADDRESS_HISTORY = 10  # earlier incidents shown at an address


def at_address(session: Session, actor: Principal, incident_id: int) -> tuple[list, list[Incident]]:
    """What is known about an incident's address: the premise notes in force there and the earlier incidents at it
    (within geo's PREMISE_METRES, newest first), as far as the actor may read them."""
    require(actor, "premise.read")
    incident = get(session, actor, incident_id)
    notes = geo.notes_near(session, incident.lat, incident.lon)
    if incident.lat is None or incident.lon is None:
        return notes, []
    earlier = session.scalars(
        select(Incident)
        .where(
            Incident.id != incident.id,
            Incident.received_at <= incident.received_at,
            *geo.around(Incident.lat, Incident.lon, incident.lat, incident.lon),
            scope(session, actor),
        )
        .order_by(Incident.received_at.desc())
        .limit(ADDRESS_HISTORY * 3)
    )
    near = [i for i in earlier if metres(incident.lat, incident.lon, i.lat, i.lon) <= geo.PREMISE_METRES]
    return notes, near[:ADDRESS_HISTORY]


@dataclass
class Dossier:
    """One incident as its page shows it, cut to what the actor may read."""

    incident: Incident
    merged: list[Incident]  # incidents merged into this one: unmerging gives them back
    attempts: list[CallbackAttempt]  # the desk's call-backs (empty for those who do not call back)
    log: list[events.Event] | None  # None: the event log is not the actor's (the agencies)


def dossier(session: Session, actor: Principal, incident_id: int) -> Dossier:
    require(actor, "incident.read")
    incident = get(session, actor, incident_id)
    merged = select(Incident).where(Incident.merged_into_id == incident.id, scope(session, actor))
    may = permissions.allowed
    return Dossier(
        incident,
        list(session.scalars(merged.order_by(Incident.id))),
        _attempts(session, incident.id) if may(actor.role, "callback.read") else [],
        history(session, actor, incident.id) if may(actor.role, "incident.history") else None,
    )


def caller_scope(session: Session, actor: Principal):
    """None when `actor` may see a number's whole history (the 110 desk), else the incidents it may see."""
    if permissions.sees_all(actor.role) or (actor.role in DESK_110 and under(session, actor.org_id, "centre_110")):
        return None
    return scope(session, actor)


DESK_110 = frozenset({"call_taker", "dispatcher", "supervisor"})
CALLER_READS = ("caller.number_read", "caller.history_read")


def _read_caller(session: Session, actor: Principal, kind: str, number: str, incident_id: int | None) -> None:
    """Who read which caller's data, when, from which incident: a supervisor can list it (caller_reads)."""
    payload = {"role": actor.role, "number": mask_number(number), "number_sha256": sha256(number)}
    events.append(session, kind, payload, actor=actor.username, incident_id=incident_id)


def reveal_caller(session: Session, actor: Principal, incident_id: int, *, his_unit_on_it: bool = False) -> dict:
    """The full number and its history; the read itself is recorded. An officer sees it only on the incident his
    unit is handling (`his_unit_on_it`, from dispatch); a 12345 operator only on what 12345 received (scope)."""
    require(actor, "caller.read")
    incident = get(session, actor, incident_id)
    if actor.role == Role.FIELD_OFFICER and not his_unit_on_it:
        raise Forbidden(
            f"警情 {incident_id} 不是本车组正在处置的警情，不能查看来电号码"
            f" / incident {incident_id} is not your unit's: its caller's number is not yours to read"
        )
    number = incident.caller_number
    if number:
        _read_caller(session, actor, "caller.number_read", number, incident.id)
    within = caller_scope(session, actor)
    return {"number": number, "history": callers.history(session, number, utcnow(), within) if number else None}


def look_up(session: Session, actor: Principal, raw_number: str) -> str:
    """A number looked up (its history, or the incidents it called in): the 110 desk only, and recorded."""
    require(actor, "caller.lookup")
    if not permissions.sees_all(actor.role) and not under(session, actor.org_id, "centre_110"):
        raise Forbidden("只有 110 接警台可按号码查询来电人 / only the 110 desk looks up callers by number")
    number = normalise_number(raw_number)
    if not number or not 3 <= len(number) <= 20:
        raise Invalid(f"号码无效 / not a phone number: {raw_number!r}")
    _read_caller(session, actor, "caller.history_read", number, None)
    return number


def caller_history(session: Session, actor: Principal, raw_number: str) -> dict:
    """Any number's history: the 110 desk only (a 12345 desk sees callers on its own incidents)."""
    number = look_up(session, actor, raw_number)
    return callers.history(session, number, utcnow(), caller_scope(session, actor))


def caller_reads(session: Session, actor: Principal, number: str | None, limit: int) -> list[events.Event]:
    """Every read of a caller's number or history, newest first; `number` narrows it to one caller."""
    require(actor, "audit.reads")
    query = select(events.Event).where(events.Event.kind.in_(CALLER_READS))
    if number:
        digest = sha256(normalise_number(number) or number)
        query = query.where(events.Event.payload.contains(f'"number_sha256":"{digest}"'))
    return list(session.scalars(query.order_by(events.Event.seq.desc()).limit(limit)))


@dataclass
class AuditResult:
    events: int
    incidents: int
    broken_seq: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def audit(session: Session, actor: Principal) -> AuditResult:
    """The chain first (an edited event), then the rows against it (an edited incident)."""
    require(actor, "audit.verify")
    chain = events.verify(session)
    if not chain.ok:
        problem = (
            f"事件链在第 {chain.broken_seq} 号事件处断开 / chain broken at event {chain.broken_seq}: {chain.reason}"
        )
        return AuditResult(chain.events, 0, chain.broken_seq, problem)
    checked, problem = verify_rows(session)
    return AuditResult(chain.events, checked, None, problem)


def verify_rows(session: Session) -> tuple[int, str | None]:
    """Every incident row must equal the snapshot its last event recorded; (checked, first problem)."""
    latest: dict[int, tuple[int, dict]] = {}
    query = select(events.Event).where(events.Event.incident_id.is_not(None)).order_by(events.Event.seq)
    for event in session.execute(query.execution_options(yield_per=1000)).scalars():
        data = event.data
        if "incident" in data:
            latest[event.incident_id] = (event.seq, data["incident"])
    checked = 0
    for incident in session.execute(select(Incident).order_by(Incident.id).execution_options(yield_per=1000)).scalars():
        checked += 1
        if incident.id not in latest:
            return checked, f"警情 {incident.id} 没有事件记录 incident {incident.id} has no events"
        seq, recorded = latest[incident.id]
        if recorded != snapshot(incident):
            return (
                checked,
                f"警情 {incident.id} 与事件 {seq} 的记录不符 incident {incident.id} differs from event {seq}",
            )
    return checked, None


def desk_decisions(session: Session) -> list[dict]:
    """The desk's confirmed decisions as labelled calls, for `lifeline triage-train --from-db`: the first report's
    words and channel with the incident's category, disposition, priority and destinations as the desk left them
    (after any override, whose reason goes with it). Cancelled incidents (duplicates, mistakes) teach nothing."""
    first = (
        select(Report.origin_incident_id, func.min(Report.id).label("report_id"))
        .group_by(Report.origin_incident_id)
        .subquery()
    )
    rows = session.execute(
        select(Incident, Report.text, Report.channel)
        .join(first, first.c.origin_incident_id == Incident.id)
        .join(Report, Report.id == first.c.report_id)
        .where(Incident.confirmed_at.is_not(None), Incident.cancelled_at.is_(None))
        .order_by(Incident.id)
    )
    return [
        {
            "id": f"desk-{incident.id}",
            "text": text,
            "channel": channel,
            "category": incident.category,
            "disposition": incident.disposition,
            "destinations": list(incident.destinations or ()),
            "priority": incident.priority,
            "override_reason": incident.override_reason,
        }
        for incident, text, channel in rows
    ]
