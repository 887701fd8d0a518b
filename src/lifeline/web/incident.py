"""警情页 one incident's page (what was said, decided and done, and the moves open now) and 警情查询 search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from lifeline import taxonomy
from lifeline.api.schemas import MAX_ID, FormId, Id, Text
from lifeline.auth.models import Organisation
from lifeline.auth.permissions import allowed, mask_number, may_move_to
from lifeline.callers import service as callers
from lifeline.catalogue import service as catalogue
from lifeline.catalogue.items import LIMITS, RULES
from lifeline.channels import service as channels
from lifeline.channels import views as channel_views
from lifeline.channels.models import AlarmPost
from lifeline.common import CHINA, parse_iso
from lifeline.desk import flows
from lifeline.diversion import service as diversion
from lifeline.diversion.service import STAMP as ORDER_STAMP
from lifeline.errors import Forbidden, Invalid, LifelineError
from lifeline.governance import service as governance
from lifeline.incidents import service as incidents
from lifeline.incidents import states
from lifeline.knowledge import service as knowledge
from lifeline.missing import service as missing
from lifeline.store.engine import transaction
from lifeline.store.events import Event
from lifeline.vocabulary import (
    POLICE_SIDE,
    CallbackOutcome,
    CallbackState,
    IncidentMove,
    IncidentState,
    OrderState,
    UnitStatus,
)
from lifeline.web.board import map_roads
from lifeline.web.i18n import localise, translator
from lifeline.web.pages import SESSION_ENDED, act, csrf_ok, prefs, render, toast, viewer

router = APIRouter(include_in_schema=False)
SEARCH_LIMIT = 50

# The moves a person makes on this page, each with its key; the rest belong to the call-taker's decision,
# the dispatcher's board and the officer's page.
MOVE_KEYS = {
    IncidentMove.RESOLVED: "r",
    IncidentMove.CLOSED: "c",
    IncidentMove.CANCELLED: "x",
    IncidentMove.REOPENED: "o",
}
# An incident's clock: the state each timestamp marks, in the order of the state machine.
TIMES = {"received": "received_at", **states.TIMESTAMP}


def cst(value: datetime | None) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def moves_open(role: str, state: str, disposition: str | None) -> list[IncidentMove]:
    """The page's moves the state machine and the role both allow now (pure)."""
    return [IncidentMove(m) for m in states.allowed_next(state, disposition) if m in MOVE_KEYS and may_move_to(role, m)]


# The timeline: each event in words ------------------------------------------------------------------------

WHAT: dict[str, tuple[str, str]] = {
    "report.received": ("来电接入", "Call received"),
    "incident.triaged": ("自动研判", "Triaged"),
    "incident.confirmed": ("确认决定", "Decision confirmed"),
    "incident.prioritised": ("提升优先级", "Priority raised"),
    "incident.callback": ("回拨", "Call-back"),
    "incident.retriaged": ("重新研判", "Triaged again"),
    "incident.note": ("备注", "Note"),
    "incident.merged": ("并入警情", "Merged into"),
    "incident.absorbed": ("合并重复警情", "Duplicate merged in"),
    "incident.unmerged": ("撤销合并，移出", "Unmerged from"),
    "incident.split": ("撤销合并，拆出", "Duplicate split off"),
    "incident.order_returned": ("工单被退回", "Order returned"),
    "incident.pushed": ("推送 110", "Pushed to 110"),
    "incident.linkage_unserved": ("联动单位需电话联系", "Linkage units to phone"),
    "unit.assigned": ("派出警力", "Unit sent"),
    "unit.reported": ("警力报告", "Unit reports"),
    "caller.number_read": ("查看完整号码", "Full number read"),
    "call.transfer": ("一键转接", "Call transferred"),
    "call.transferred": ("一键转接", "Call transferred"),
}


@dataclass
class Line:
    at: str
    actor: str
    what: str  # the console's words
    said: str  # what a person wrote (a note, a reason) or a code: data, shown as it is


def describe(event: Event, t) -> Line:
    """One event of the log in readable words (pure); a word the vocabulary does not know is shown as stored."""
    data, kind = event.data, event.kind
    head, _, move = kind.partition(".")

    def term(vocabulary, value) -> str:
        return t(vocabulary(value)) if value in vocabulary.__members__.values() else str(value)

    said = data.get("reason") or data.get("note") or data.get("text") or data.get("org") or ""
    if kind in WHAT:
        what = t(*WHAT[kind])
    elif head == "incident" and move in IncidentMove.__members__.values():
        what = t(IncidentMove(move))
    elif head == "order":
        what = t("工单", "Order") + " " + term(OrderState, data["order"]["state"])
        said = data.get("reason") or data.get("org") or ""
    else:
        what = kind
    if head == "unit":
        what += f" {data['unit']['code']} · {term(UnitStatus, data['unit']['status'])}"
    elif kind == "incident.callback":
        what += " · " + term(CallbackOutcome, data["outcome"])
    elif kind == "incident.prioritised":
        what += f" P{data['priority']}"
    elif kind in ("incident.merged", "incident.absorbed", "incident.unmerged", "incident.split"):
        what += f" #{data.get('into') or data.get('source') or data.get('out_of')}"
    return Line(cst(event.at), event.actor or "", what, said)


def units_of(log: list[Event]) -> dict[str, list[tuple[str, str]]]:
    """Each unit sent to the incident, with the time of each status it reported (pure, from the log)."""
    units: dict[str, list[tuple[str, str]]] = {}
    for event in log:
        if event.kind in ("unit.assigned", "unit.reported"):
            unit = event.data["unit"]
            units.setdefault(unit["code"], []).append((unit["status"], cst(event.at)))
    return units


# The page ---------------------------------------------------------------------------------------------------


def _context(request: Request, who, incident_id: int, offers: bool) -> dict:
    """What the page shows; `offers`: with the possible duplicates to merge (the moves' part, not the facts')."""
    with request.app.state.readers() as session:  # reads only: no write lock
        file = incidents.dossier(session, who.user, incident_id)
        orders = diversion.of_incident(session, who.user, incident_id)
        missing_case = missing.of_incident(session, who.user, incident_id)
        consultation = catalogue.consultation_of(session, incident_id)
        stamps = {o.id: [(s, cst(getattr(o, f))) for s, f in ORDER_STAMP.items() if getattr(o, f)] for o in orders}
        incident, reports = file.incident, list(file.incident.reports)
        cases = [case_row(session, c) for c in governance.for_incident(session, who.user, incident)]
        parties = governance.parties_of(session, [incident.id])[incident.id]
        may_merge = allowed(who.user.role, "incident.merge") and incident.state in states.OPEN_STATES
        twins = (
            incidents.duplicates(session, who.user, incidents.sighting(incident), incident.id)
            if may_merge and offers
            else []
        )
        nuisance = _nuisance(request, session, who.user, incident.caller_number)
        answers = _answers(request, session, who.user, incident, orders) if offers else []
        matter = catalogue.item(session, incident.catalogue_item)
        contact = _contact(request, session, who.user, incident.id)
    t = translator(prefs(request)["lang"])
    role = who.user.role
    tax = taxonomy.default()
    categories, destinations = tax.categories, tax.destinations
    return {
        "i": incident,
        "file": file,
        "reports": reports,
        "orders": orders,
        "order_stamps": stamps,
        "times": [(IncidentState(s), cst(getattr(incident, f))) for s, f in TIMES.items() if getattr(incident, f)],
        "timeline": [describe(e, t) for e in file.log] if file.log is not None else None,
        "units": units_of(file.log or []),
        "notes": [describe(e, t) for e in file.log or [] if e.kind == "incident.note"],
        "category": lambda code: t(categories[code].zh, categories[code].en) if code in categories else code,
        "places": lambda codes: (
            ", ".join(t(destinations[c].zh, destinations[c].en) if c in destinations else c for c in codes or []) or "—"
        ),
        "masked": mask_number(incident.caller_number) if allowed(role, "caller.read") else None,
        "may": lambda action: allowed(role, action),
        "moves": moves_open(role, incident.state, incident.disposition),
        "keys": MOVE_KEYS,
        "needs_reason": states.NEEDS_REASON,
        "callback_open": incident.callback_state in (CallbackState.WAITING, CallbackState.SUPERVISOR)
        and incident.state in states.OPEN_STATES,
        "may_merge": may_merge,
        "twins": twins,
        "cst": cst,
        "needs_pin": incidents.needs_confirming(incident),
        "missing_case": missing_case,
        "consultation": consultation,
        "nuisance": nuisance,
        "cases": cases,
        "answers": answers,
        "parties": [(p.name, mask_number(p.phone)) for p in parties],
        "matter": matter,
        "contact": contact,
        "rules": RULES,
        "limits": LIMITS,
    }


def _contact(request: Request, session, actor, incident_id: int) -> dict | None:
    """The contact that brought the incident: its channel, a text conversation, photos and snapshots."""
    found = channels.of_incident(session, incident_id)
    if found is None or not allowed(actor.role, "contact.read"):
        return None
    shown = channel_views.detail(session, actor, found, request.app.state.clock(), reveal=False)
    post = session.get(AlarmPost, found.post_id) if found.post_id else None
    insurers = (
        list(session.scalars(select(Organisation).where(Organisation.kind == "insurer").order_by(Organisation.code)))
        if found.channel == "video" else []
    )  # fmt: skip
    return {"row": shown, "messages": shown.messages, "attachments": shown.attachments,
            "post_code": post.code if post else None, "insurers": insurers}  # fmt: skip


def case_row(session, case) -> dict:
    """A governance case as the incident page shows it (numbers masked)."""
    names = governance.names_of(session, [case.party_a, case.party_b])
    return {
        "case": case,
        "parties": [governance.label(k, names) for k in (case.party_a, case.party_b) if k],
        "count": len(governance.incidents_of(session, case)),
        "order": governance.order_of(session, case),
    }


def _nuisance(request: Request, session, actor, number: str | None) -> dict | None:
    """The caller's nuisance case and flag, for the 110 desk; for a supervisor also whether the number meets the
    criteria, so that the page links to its case (the incident's id travels, not the number)."""
    if not number or not allowed(actor.role, "caller.read") or incidents.caller_scope(session, actor) is not None:
        return None
    standing = callers.standing(session, number, request.app.state.clock())
    governs = allowed(actor.role, "nuisance.read")
    meets = governs and callers.meets_now(session, number, request.app.state.clock(), request.app.state.criteria)
    if standing is None and not meets:
        return None
    return {"standing": standing, "meets": meets, "governs": governs}


def _answers(request: Request, session, actor, incident, orders) -> list:
    """Knowledge-base articles that may answer a 12345 contact still open to a direct answer (undecided or decided
    as divert, no order, nothing for the police, nobody waiting for a call-back), found by what the caller said."""
    if not allowed(actor.role, "knowledge.answer") or orders or incident.state not in ("triaged", "confirmed"):
        return []
    if {incident.disposition, (incident.suggestion or {}).get("disposition")} & POLICE_SIDE:
        return []
    if incident.callback_state in (CallbackState.WAITING, CallbackState.SUPERVISOR):
        return []
    if not knowledge.is_hotline_contact(session, incident):
        return []
    words = "\n".join(r.text for r in incident.reports)[-500:]
    return knowledge.search(session, actor, words, catalogue.synonyms(session), limit=3)


def _part(request: Request, name: str, incident_id: int):
    who = viewer(request)
    try:
        context = _context(request, who, incident_id, offers=name != "partials/incident_view.html")
    except LifelineError as exc:  # a part answers its status alone (htmx then leaves the page as it was)
        if name != "incident.html":
            return HTMLResponse("", status_code=exc.status)
        return render(request, "incident.html", who, status=exc.status, missing=True)
    return render(request, name, who, **context)


@router.get("/console/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: Id):
    return _part(request, "incident.html", incident_id)


@router.get("/console/incidents/{incident_id}/view", response_class=HTMLResponse)
def incident_view(request: Request, incident_id: Id):
    """The incident's facts and timeline, re-read on each incidents signal (no form in it)."""
    return _part(request, "partials/incident_view.html", incident_id)


@router.get("/console/incidents/{incident_id}/moves", response_class=HTMLResponse)
def incident_moves(request: Request, incident_id: Id):
    """The moves open now; the page re-reads them after a move, and on a signal only when nothing is typed."""
    return _part(request, "partials/incident_moves.html", incident_id)


def _act(request: Request, work, said):
    """One move on the incident; its page reads itself again."""
    return act(request, work, said, trigger="incident-moved")


def _landed(incident) -> str:
    state = IncidentState(incident.state)
    return f"警情 #{incident.id}：{state.zh} / incident #{incident.id}: {state.en}"


@router.post("/console/incidents/{incident_id}/move", response_class=HTMLResponse)
def move(
    request: Request,
    incident_id: Id,
    to: Annotated[str, Form(max_length=16)],
    reason: Annotated[Text, Form(max_length=2000)] = "",
):
    """Resolve, close, cancel or reopen (incidents.transition checks the state machine, the role and the reason)."""
    return _act(request, lambda s, user: incidents.transition(s, user, incident_id, to, reason or None), _landed)


@router.get("/console/roads.json")
def roads_layer(request: Request):
    """The city's layers and named roads, for the map a place is pinned on (no units, no incidents)."""
    with request.app.state.readers() as session:  # reads only
        return {"layers": request.app.state.city_layers, "roads": map_roads(session)}


@router.post("/console/incidents/{incident_id}/locate", response_class=HTMLResponse)
def locate(
    request: Request,
    incident_id: Id,
    lat: Annotated[float, Form(ge=-90, le=90)],
    lon: Annotated[float, Form(ge=-180, le=180)],
):
    """标点: the desk puts the incident where the caller says it is, with a click on the map."""

    def said(incident) -> str:
        return f"警情 #{incident.id} 已标点 {incident.lat:.5f}, {incident.lon:.5f} / incident #{incident.id} pinned"

    return _act(request, lambda s, user: incidents.pin(s, user, incident_id, lat, lon), said)


@router.post("/console/incidents/{incident_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    incident_id: Id,
    decision: Annotated[str, Form(max_length=16)],
    reason: Annotated[Text, Form(max_length=2000)] = "",
):
    """A matter taken back from 12345 or pushed by a peer, decided as a call is (desk.flows.decide)."""
    desk = request.app.state.desk
    decided = incidents.Decision(disposition=decision, reason=reason.strip() or None)

    def said(outcome) -> str:
        zh, en = outcome.said()
        zh, en = (f"，{zh}", f"; {en}") if zh else ("", "")
        state = IncidentState(outcome.incident.state)
        return f"警情 #{incident_id}：{state.zh}{zh} / incident #{incident_id}: {state.en}{en}"

    return _act(request, lambda s, user: flows.decide(s, user, desk, incident_id, decided), said)


@router.post("/console/incidents/{incident_id}/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    incident_id: Id,
    article_id: FormId,
    note: Annotated[Text, Form(max_length=2000)] = "",
):
    """直接答复: a 12345 contact (a call 110 transferred, say) closed with an article, no work order."""
    desk = request.app.state.desk

    def said(outcome) -> str:
        zh, en = outcome.said()
        return f"警情 #{incident_id}：{zh} / incident #{incident_id}: {en}"

    return _act(request, lambda s, user: flows.answer_directly(s, user, desk, incident_id, article_id, note), said)


@router.post("/console/incidents/{incident_id}/note", response_class=HTMLResponse)
def note(request: Request, incident_id: Id, text: Annotated[Text, Form(max_length=2000)] = ""):
    return _act(
        request,
        lambda s, user: incidents.add_note(s, user, incident_id, text),
        lambda _: f"警情 #{incident_id} 已添加备注 / note added to incident #{incident_id}",
    )


@router.post("/console/incidents/{incident_id}/merge", response_class=HTMLResponse)
def merge(request: Request, incident_id: Id, source: FormId):
    return _act(
        request,
        lambda s, user: incidents.merge(s, user, incident_id, source),
        lambda _: f"警情 #{source} 已并入 #{incident_id} / incident #{source} merged into #{incident_id}",
    )


@router.post("/console/incidents/{incident_id}/unmerge", response_class=HTMLResponse)
def unmerge(request: Request, incident_id: Id, source: FormId):
    return _act(
        request,
        lambda s, user: incidents.unmerge(s, user, incident_id, source),
        lambda _: f"警情 #{source} 已从 #{incident_id} 拆出 / incident #{source} split off #{incident_id}",
    )


@router.post("/console/incidents/{incident_id}/caller", response_class=HTMLResponse)
def reveal(request: Request, incident_id: Id):
    """The caller's full number, through the audited path (the read is recorded)."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            number = flows.reveal_caller(session, who.user, incident_id)["number"]
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    return render(request, "partials/caller_number.html", who, number=number)


# Search -----------------------------------------------------------------------------------------------------


def _day(raw: str, name: str, *, end: bool = False) -> datetime | None:
    """A day (2026-12-04, from a date field) as its first moment in China, or the next day's when it `end`s a
    range; or a full ISO time that names its zone. Invalid for anything else (pure)."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
        value = datetime.combine(day + timedelta(days=end), time(), CHINA)
    except (ValueError, OverflowError):  # not a day, or the last one there is
        try:
            value = parse_iso(raw)
        except ValueError:
            raise Invalid(f"{name} 不是日期，如 2026-12-04 / {name} is not a date like 2026-12-04: {raw!r}") from None
    if not 2000 <= value.year <= 2100:
        raise Invalid(f"{name} 超出范围 / {name} is out of range: {raw!r}")
    return value


def search_filters(q: str, state: str, priority: str, since: str, until: str, number: str) -> incidents.Filters:
    """The search form's fields as the listing's filters; Invalid for a field that is not what it says (pure)."""
    q = q.strip()
    found = re.fullmatch(r"#?\s*(\d{1,10})", q)
    if found and int(found.group(1)) > MAX_ID:
        raise Invalid(f"警情号过大 / no incident has number {q}")
    if state and state not in IncidentState.__members__.values():
        raise Invalid(f"未知状态 / unknown state {state!r}")
    if priority and priority not in ("1", "2", "3", "4"):
        raise Invalid(f"优先级为 1–4 / priority is 1 to 4, not {priority!r}")
    return incidents.Filters(
        state=[state] if state else None,
        priority=int(priority) if priority else None,
        since=_day(since, "since"),
        until=_day(until, "until", end=True),
        caller_number=number.strip() or None,
        incident_id=int(found.group(1)) if found else None,
        words=q if q and not found else None,
    )


@router.get("/console/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    state: Annotated[str, Query(max_length=16)] = "",
    priority: Annotated[str, Query(max_length=1)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
    number: Annotated[str, Query(max_length=32)] = "",
    after: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    """Incidents the viewer may see, newest first; a caller's number only for those who look callers up."""
    who = viewer(request)
    fields = {"q": q, "state": state, "priority": priority, "since": since, "until": until, "number": number}
    may_look_up = allowed(who.user.role, "caller.lookup")
    rows, more, error, status = [], None, "", 200
    asked = any(fields.values())
    try:
        if number and not may_look_up:
            raise Forbidden("您的角色不能按来电号码查询 / your role may not search by a caller's number")
        filters = search_filters(**fields)
        if asked:
            # A number searched is a caller read, recorded: only then does the search write.
            looked_up = filters.caller_number is not None
            with transaction(request.app.state.sessions) if looked_up else request.app.state.readers() as session:
                rows = incidents.listing(session, who.user, filters, after, SEARCH_LIMIT + 1)
                shown = [(i, i.reports[0].text if i.reports else i.summary) for i in rows[:SEARCH_LIMIT]]
            more = rows[SEARCH_LIMIT - 1].id if len(rows) > SEARCH_LIMIT else None
            rows = shown
    except LifelineError as exc:
        error, status = localise(exc.detail, prefs(request)["lang"]), exc.status
    return render(
        request, "search.html", who, "search", status=status, rows=rows, more=more, error=error, asked=asked,
        fields=fields, may_look_up=may_look_up, cst=cst,
    )  # fmt: skip


@router.post("/console/incidents/{incident_id}/consultation", response_class=HTMLResponse)
def settle(
    request: Request,
    incident_id: Id,
    owner: Annotated[str, Form(max_length=8)],
    record: Annotated[Text, Form(max_length=2000)] = "",
    other_party: Annotated[Text, Form(max_length=200)] = "",
    three_way: Annotated[str, Form(max_length=4)] = "",
    propose: Annotated[str, Form(max_length=4)] = "",
):
    """会商一致: the desks agreed who owns a held matter (desk.flows.settle)."""
    desk = request.app.state.desk

    def work(session, user):
        incidents.get(session, user, incident_id)
        held = catalogue.consultation_of(session, incident_id)
        if held is None:
            raise Invalid(f"警情 #{incident_id} 没有会商 / incident #{incident_id} has no consultation")
        return flows.settle(session, user, desk, held.id, owner, record, other_party, three_way == "1", propose == "1")

    def said(outcome) -> str:
        zh, en = outcome.said()
        return f"会商一致，{zh} / agreed; {en}" if zh else "会商一致 / agreed"

    return _act(request, work, said)
