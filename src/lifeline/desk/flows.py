"""The desk's flows: the only place where a move crosses rooms.

take_call   a report → triage → the call-taker's decision → what follows from it
decide      the decision on a triaged call, and what follows (close, hand over, or wait for dispatch)
hand_over   divert: one-click transfer to the 12345 peer when there is one, else a local work order;
            joint: linkage orders to 119/120/utilities beside police
follow_order  an order's step, and its effect on the incident
mirrored    a peer's step on an order exchanged with it, and its effect on the incident
call_back   a call-back attempt to a silent call; reached → triaged again with what was learnt
govern      repeat trouble: a confirmed dispute opens, joins or reopens a governance case, referred to the
            governance centre as a work order
answer_directly  a 12345 contact answered at once from a knowledge-base article: closed with no work order

The console, the API, the CLI and the simulator call these and reach the same outcome for the same decision.
Rows are written by each room's service: incidents by `incidents.service`, orders by `diversion.service`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lifeline.auth.service import SYSTEM, Principal, require
from lifeline.catalogue import service as catalogue
from lifeline.catalogue.models import Consultation
from lifeline.channels import service as channels
from lifeline.desk import bridge
from lifeline.dispatch import service as dispatch
from lifeline.diversion import routing
from lifeline.diversion import service as orders
from lifeline.diversion.models import WorkOrder
from lifeline.errors import Conflict
from lifeline.governance import service as governance
from lifeline.governance.models import GovernanceCase
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident
from lifeline.knowledge import service as knowledge
from lifeline.knowledge.models import DirectAnswer
from lifeline.peering.peers import Peers
from lifeline.store import events
from lifeline.triage import TriageResult, triage
from lifeline.vocabulary import (
    POLICE_SIDE,
    CallbackOutcome,
    CallbackState,
    Channel,
    Disposition,
    IncidentMove,
    IncidentState,
    OrderState,
)


@dataclass(frozen=True)
class Desk:
    """What the flows need to know of this deployment: which role it plays, its peers, its routing table."""

    role: str = "both"  # 110 | 12345 | both
    peers: Peers = field(default_factory=Peers)
    routing: routing.Table | None = None

    def peer_for(self, role: str) -> str | None:
        """The peer that plays `role`, or None when this process plays it (or none is configured)."""
        if self.role in (role, "both"):
            return None
        peer = self.peers.by_role(role)
        return peer.name if peer else None


@dataclass
class Outcome:
    """What a decision or a hand-over started."""

    incident: Incident
    orders: list[WorkOrder] = field(default_factory=list)
    transferred_to: str | None = None  # the peer a call was transferred to
    unserved: list[str] = field(default_factory=list)  # destinations nobody here serves: phone them
    awaiting_callback: bool = False  # the decision waits: the caller must be called back first
    case: GovernanceCase | None = None  # the repeat-trouble case the incident opened or joined
    answer: DirectAnswer | None = None  # answered directly from the knowledge base, with no work order
    consultation: Consultation | None = None  # the owner is unclear: held here until the desks agree (会商)
    held: str = ""  # why the decision was not taken (a registered deaf caller's silent call is not closed)
    handed_back: str = ""  # the city an overflowed call's matter went back to, for its desk to decide and dispatch

    def said(self) -> tuple[str, str]:
        """What followed, in Chinese and in English, for the call-taker."""
        parts = []
        if self.consultation is not None and self.consultation.state == "open":
            parts.append((f"权属不清，已发起会商 #{self.consultation.id}：首接负责，商定前由本台负责",
                          f"owner unclear: consultation #{self.consultation.id}; held here until agreed"))  # fmt: skip
        if self.awaiting_callback:
            parts.append(
                ("需回拨：已记入回拨队列，接通前不能按无效结案", "call back first: the call waits in the queue")
            )
        if self.held:
            parts.append((self.held.split(" / ")[0], self.held.split(" / ")[-1]))
        if self.answer is not None:
            parts.append((f"已依据知识库文章 #{self.answer.article_id} 直接答复", f"answered directly from article"
                           f" #{self.answer.article_id}"))  # fmt: skip
        if self.incident.state == IncidentState.CLOSED:
            parts.append(("已结案", "closed"))
        if self.transferred_to:
            parts.append((f"已一键转接 {self.transferred_to}", f"transferred to {self.transferred_to}"))
        if self.handed_back:
            parts.append((f"溢出来电：已交回{self.handed_back}研判派警",
                          f"overflow call: handed back to {self.handed_back} to decide and dispatch"))  # fmt: skip
        if self.orders:
            numbers = "、".join(f"#{o.id}" for o in self.orders)
            parts.append((f"工单 {numbers}", f"work order {numbers}"))
        if self.unserved:
            parts.append(("需电话联系 " + "、".join(self.unserved), "phone " + ", ".join(self.unserved)))
        if self.case is not None:
            parts.append((f"矛盾纠纷案件 #{self.case.id}（多次报警，转综治中心）",
                          f"repeat trouble: governance case #{self.case.id}"))  # fmt: skip
        return "，".join(zh for zh, _ in parts), "; ".join(en for _, en in parts)

    def summary(self) -> str:
        """One line, Chinese first."""
        zh, en = self.said()
        return f"{zh} / {en}" if zh else ""


# A call becomes work --------------------------------------------------------------------------------------


def take_call(
    session: Session,
    actor: Principal,
    desk: Desk,
    report: incidents.ReportIn,
    decision: incidents.Decision | None = None,
    result: TriageResult | None = None,
) -> tuple[incidents.Intake, Outcome | None]:
    """Record the call; with a decision (the console's one key), decide it and start what follows. A call that
    needs a call-back is kept, waiting in the call-back queue, when the decision would close it unheard."""
    taken = incidents.intake(session, actor, report, result)
    if decision is None:
        return taken, None
    try:
        with session.begin_nested():
            return taken, decide(session, actor, desk, taken.incident.id, decision)
    except TextOnly as held:
        return taken, Outcome(taken.incident, held=held.detail)
    except incidents.CallbackPending:
        return taken, Outcome(taken.incident, awaiting_callback=True)


def attach_call(
    session: Session, actor: Principal, report: incidents.ReportIn, incident_id: int, result: TriageResult | None = None
) -> incidents.Intake:
    """The call repeats a live incident: record it (every call is kept, with its words) and merge it into that
    incident, whose decision and units stand. A call that may need police is never buried in a matter that
    has none: it is decided on its own."""
    result = result or triage(report.text, report.channel)
    target = incidents.get(session, actor, incident_id)
    if result.disposition in POLICE_SIDE and target.disposition not in POLICE_SIDE:
        raise Conflict(
            f"该来电研判为{Disposition(result.disposition).zh}，警情 #{incident_id} 不是警务警情：请单独处理"
            f" / this call may need police and incident #{incident_id} has none: decide it on its own"
        )
    taken = incidents.intake(session, actor, report, result)
    incidents.merge(session, actor, incident_id, taken.incident.id)
    return taken


def decide(
    session: Session,
    actor: Principal,
    desk: Desk,
    incident_id: int,
    decision: incidents.Decision,
    via: str = "transfer",
) -> Outcome:
    """The call-taker's decision, and what follows: invalid is closed (a call that needs a call-back only after
    one), divert and joint are handed over, police waits for the dispatcher."""
    incident = incidents.confirm(session, actor, incident_id, decision)
    if incident.disposition == Disposition.INVALID:
        _not_silenced(session, incident)
        incidents.transition(session, actor, incident.id, IncidentMove.CLOSED, reason="无效来电 / invalid call")
        return Outcome(incident)
    held = catalogue.held_for_consultation(session, incident)
    if held is not None:  # 首接负责: the first receiver holds it, its clock running, until the desks agree
        return Outcome(incident, consultation=catalogue.open_consultation(session, actor, incident.id, held))
    if incident.disposition in (Disposition.DIVERT, Disposition.JOINT):
        outcome = hand_over(session, actor, desk, incident.id, via)
    else:
        outcome = Outcome(incident)
    outcome.case = govern(session, desk, incident.id)
    return outcome


class TextOnly(Conflict):
    """A registered deaf or speech-impaired caller's voice call: silence is how they call, never a reason to close."""


def _not_silenced(session: Session, incident: Incident) -> None:
    need = channels.need_of(session, incident.caller_number)
    if need is not None and incident.reports[0].channel == Channel.VOICE:
        raise TextOnly(
            f"该号码登记为{'听障' if need.need == 'deaf' else '言语障碍'}人士：无声来电不得按无效结案，请以短信联系"
            " / a registered deaf or speech-impaired caller: a silent call is never closed as invalid; text them"
        )


def hand_over(session: Session, actor: Principal, desk: Desk, incident_id: int, via: str = "transfer") -> Outcome:
    """A confirmed matter goes where it is handled: a diverted one by one-click transfer to the 12345 peer when
    there is one (or, `via="order"`, as a work order the peer reports back on), else as a local work order; a
    joint one as linkage orders beside the police."""
    require(actor, "order.create")
    incident = incidents.get(session, actor, incident_id, lock=True)
    if incident.disposition == Disposition.JOINT:
        return link(session, actor, desk, incident_id)
    if incident.disposition != Disposition.DIVERT:
        raise Conflict(
            f"警情 {incident_id} 为 {incident.disposition}，只有分流或联动警情可移交 / only diverted or joint"
            " matters are handed over"
        )
    if via == "transfer" and desk.peer_for("12345") is not None:
        return transfer(session, actor, desk, incident_id, three_way=False)
    return raise_order(session, actor, desk, incident_id, orders.OrderIn())


def raise_order(session: Session, actor: Principal, desk: Desk, incident_id: int, data: orders.OrderIn) -> Outcome:
    """A work order for a confirmed diverted or joint matter: to `data.org`, else to the 12345 peer when there is
    one, else to the organisation the routing table names."""
    require(actor, "order.create")
    incident = _confirmed(session, actor, incident_id, (Disposition.DIVERT, Disposition.JOINT))
    open_order = orders.open_order(session, incident.id)
    if open_order is not None and incident.disposition == Disposition.DIVERT:
        raise Conflict(f"警情 {incident_id} 已有在办工单 {open_order} / incident already has open order {open_order}")
    peer = None if data.org else desk.peer_for("12345")
    order, org = orders.create(session, actor, incident, data, peer, desk.routing)
    _handed(session, incident, org.id if org else None, "transfer")
    return Outcome(incident, [order])


def link(session: Session, actor: Principal, desk: Desk, incident_id: int) -> Outcome:
    """Each linkage unit of a joint matter gets its order; destinations nobody serves are named for the phone."""
    require(actor, "order.create")
    incident = _confirmed(session, actor, incident_id, (Disposition.JOINT,))
    made = orders.create_linkage(session, actor, incident, desk.peers.serving())
    for org in made.orgs:
        incidents.hand_to(session, incident.id, org.id, "joint")
    return Outcome(incident, made.orders, unserved=made.unserved)


def transfer(session: Session, actor: Principal, desk: Desk, incident_id: int, three_way: bool) -> Outcome:
    """110 → 12345 one-click transfer: the caller's number, what was said so far, the triage, the call mode."""
    require(actor, "order.create")
    peer = desk.peer_for("12345")
    if peer is None:
        raise Conflict("本进程即 12345 或未配置 12345 对端，请派发工单 / no 12345 peer: raise a work order instead")
    incident = incidents.get(session, actor, incident_id, lock=True)
    if incident.state == IncidentState.TRIAGED and incident.suggestion["disposition"] == Disposition.DIVERT:
        incidents.confirm(session, actor, incident_id, incidents.Decision())
    incident = _confirmed(session, actor, incident_id, (Disposition.DIVERT,))
    bridge.transfer_call(session, actor, incident, peer, three_way)
    incidents.transition(session, actor, incident.id, IncidentMove.TRANSFERRED, reason="一键转接 12345 / transfer")
    # The call and the matter are 12345's now (it raises its own order): 110's part is done, not left open.
    why = f"已一键转接 {peer}，由 12345 办理 / transferred to {peer}, handled there"
    incidents.transition(session, SYSTEM, incident.id, IncidentMove.RESOLVED, reason=why)
    return Outcome(incident, transferred_to=peer)


def _confirmed(session: Session, actor: Principal, incident_id: int, dispositions: tuple[str, ...]) -> Incident:
    incident = incidents.get(session, actor, incident_id, lock=True)
    if incident.disposition not in dispositions:
        raise Conflict(
            f"警情 {incident_id} 为 {incident.disposition}，不能这样移交 / a {incident.disposition} matter is not"
            f" handed over this way (needs {'/'.join(dispositions)})"
        )
    if incident.state not in (IncidentState.CONFIRMED, IncidentState.TRANSFERRED, IncidentState.DISPATCHED,
                              IncidentState.EN_ROUTE, IncidentState.ON_SCENE):  # fmt: skip
        raise Conflict(
            f"警情 {incident_id} 当前为 {incident.state}，须先确认 / confirm the incident before handing it over",
            allowed=incidents.states.allowed_next(incident.state, incident.disposition),
        )
    return incident


def _handed(session: Session, incident: Incident, org_id: int | None, kind: str) -> None:
    """A confirmed diverted matter becomes transferred; an organisation handed it may see it."""
    if incident.state == IncidentState.CONFIRMED and incident.disposition == Disposition.DIVERT:
        incidents.transition(session, SYSTEM, incident.id, IncidentMove.TRANSFERRED)
    if org_id is not None:
        incidents.hand_to(session, incident.id, org_id, kind)


# Orders move incidents ------------------------------------------------------------------------------------


def follow_order(session: Session, actor: Principal, desk: Desk, order_id: int, data: orders.StepIn) -> WorkOrder:
    """One step of an order, and what it does to its incident."""
    order = orders.step(session, actor, order_id, data, desk.routing)
    if order.incident_id is not None:
        _follow(session, order, data.to, data.reason)
    return order


def mirrored(session: Session, peer: str, body: dict) -> WorkOrder:
    """A step the peer took on its copy of an order exchanged with it, and what it does to our incident."""
    order, previous = orders.mirror(session, peer, body)
    if order.incident_id is not None and order.state != previous:
        step = "rerouted" if previous in orders.states.BOUNCED and order.state == OrderState.RECEIVED else order.state
        _follow(session, order, step, order.return_reason)
    return order


# The order states that move a diverted incident or tell its desk (see _follow).
MOVES_INCIDENT = frozenset(
    {OrderState.HANDLED, OrderState.CLOSED, OrderState.IN_PROGRESS, OrderState.TAKEN_BACK, OrderState.RETURNED}
)


def _follow(session: Session, order: WorkOrder, step: str, reason: str | None) -> None:
    """A diverted incident follows its order: handled → resolved, closed → closed, redo → transferred again,
    taken back → triaged for a new decision, re-routed → the new lead may see it. A joint incident is closed by
    the police; its linkage orders only add who may see it."""
    if step != "rerouted" and order.state not in MOVES_INCIDENT:
        return  # received, signed: the incident waits as it is (and is not read: a batch brings hundreds)
    incident = session.get(Incident, order.incident_id)
    if step == "rerouted" and order.org_id is not None:
        kind = "joint" if incident.disposition == Disposition.JOINT else "transfer"
        incidents.hand_to(session, incident.id, order.org_id, kind)
    if incident.disposition != Disposition.DIVERT:
        return
    state = order.state
    if state == OrderState.HANDLED and incident.state == IncidentState.TRANSFERRED:
        incidents.transition(session, SYSTEM, incident.id, IncidentMove.RESOLVED, reason="工单已办结 / order handled")
    elif state == OrderState.CLOSED and incident.state == IncidentState.RESOLVED:
        incidents.transition(session, SYSTEM, incident.id, IncidentMove.CLOSED, reason="工单已回访关闭 / order closed")
    elif state == OrderState.IN_PROGRESS and incident.state == IncidentState.RESOLVED:
        incidents.transition(session, SYSTEM, incident.id, IncidentMove.REOPENED, reason="回访不满意，重办 / redo")
        incidents.transition(session, SYSTEM, incident.id, IncidentMove.TRANSFERRED)
    elif state == OrderState.TAKEN_BACK and incident.state == IncidentState.TRANSFERRED:
        why = f"工单 {order.uid[:8]} 收回：{reason or ''} / order taken back"
        incidents.transition(session, SYSTEM, incident.id, IncidentMove.TAKEN_BACK, reason=why)
    elif state == OrderState.RETURNED:
        events.append(
            session,
            "incident.order_returned",
            {"order": order.uid, "reason": order.return_reason},
            actor=SYSTEM.username,
            incident_id=incident.id,
        )


# Repeat trouble -------------------------------------------------------------------------------------------


def govern(session: Session, desk: Desk, incident_id: int) -> GovernanceCase | None:
    """A confirmed dispute weighed for repeat trouble: it opens (the threshold's dispute), joins or reopens a
    governance case; a new or reopened case is referred to the governance centre as a work order. The rule acts,
    not the person who confirmed, so it runs as SYSTEM."""
    found = governance.evaluate(session, SYSTEM, incident_id)
    if found is None:
        return None
    case = found.case
    if found.needs_referral:
        org = governance.centre(session)
        if org is None:
            governance.unreferred(session, SYSTEM, case)
            return case
        rows = governance.incidents_of(session, case)
        latest = session.get(Incident, incident_id)
        text = governance.referral_text(session, case, rows)
        order = orders.refer(session, SYSTEM, org, latest, text, desk.routing)
        governance.referred(session, SYSTEM, case, order, org)
    return case


def record_parties(session: Session, actor: Principal, desk: Desk, incident_id: int, parties) -> tuple:
    """The other parties of an incident; a confirmed dispute is weighed again (the pair may now repeat)."""
    incident, rows = governance.add_parties(session, actor, incident_id, parties)
    case = govern(session, desk, incident.id) if incident.confirmed_at is not None else None
    return rows, case


# Answered at once ----------------------------------------------------------------------------------------


def answer_directly(
    session: Session, actor: Principal, desk: Desk, incident_id: int, article_id: int, note: str = ""
) -> Outcome:
    """A 12345 contact (received by the 12345 centre, or taken by a hotline operator) that a published article
    answers is decided as diverted, if it was not yet, and closed as answered directly: no work order, the article
    and its version recorded. Never a matter for the police (its decision or triage's suggestion police or joint),
    never a call still waiting for a call-back, never one already handed over."""
    require(actor, "knowledge.answer")
    incident = incidents.get(session, actor, incident_id, lock=True)
    article = knowledge.answerable(session, actor, article_id)
    police = {incident.disposition, (incident.suggestion or {}).get("disposition")} & POLICE_SIDE
    if police:
        raise Conflict(
            f"警情 {incident_id} 的研判或决定为{'、'.join(Disposition(p).zh for p in sorted(police))}，须警方处置，"
            f"不能按咨询直接答复结案，请派警或联动 / incident {incident_id} needs the police"
            f" ({', '.join(sorted(police))}): it cannot be closed as answered directly; dispatch it or start a joint"
            " response"
        )
    if not knowledge.is_hotline_contact(session, incident):
        raise Conflict(
            f"警情 {incident_id} 不是 12345 受理的来电，不能直接答复结案 / incident {incident_id} is no 12345 contact:"
            " only what 12345 received is answered from its knowledge base"
        )
    if incident.callback_state in (CallbackState.WAITING, CallbackState.SUPERVISOR):
        raise Conflict(
            f"警情 {incident_id} 需回拨，接通前不能直接答复结案 / incident {incident_id} waits for a call-back: reach"
            " the caller first"
        )
    open_order = orders.open_order(session, incident.id)
    if open_order is not None:
        raise Conflict(
            f"警情 {incident_id} 已有在办工单 {open_order}，不能再直接答复 / incident {incident_id} already has open"
            f" order {open_order}"
        )
    if incident.state == IncidentState.TRIAGED:
        why = f"依据知识库直接答复 / answered from the knowledge base (article #{article.id})"
        decision = incidents.Decision(disposition=Disposition.DIVERT, reason=why)
        incident = incidents.confirm(session, actor, incident.id, decision)
    reason = f"直接答复：{article.title}（文章 #{article.id} 第 {article.version} 版）/ answered directly"
    reason += f" (article #{article.id})"
    incident = incidents.close_answered(session, actor, incident.id, reason)
    answer = knowledge.record_answer(session, actor, incident, article, note)
    # A dispute answered at once still counts towards repeat trouble at its place.
    return Outcome(incident, answer=answer, case=govern(session, desk, incident.id))


# 会商 -------------------------------------------------------------------------------------------------------


def settle(
    session: Session, actor: Principal, desk: Desk, consultation_id: int, owner: str, record: str,
    other_party: str, three_way: bool, propose: bool = False,
) -> Outcome:  # fmt: skip
    """The desks agreed who owns a held matter: 12345 and its departments take it now, or the police keep it.
    With `propose`, the dispute becomes a proposed catalogue change (the other centre approves it)."""
    row = catalogue.agree(session, actor, consultation_id, owner, record, other_party, three_way)
    if propose:
        catalogue.propose_from(session, actor, desk.role, row, desk.peer_for)
    if owner == "divert":
        outcome = hand_over(session, actor, desk, row.incident_id)
    else:
        reason = f"会商一致由公安处置 / agreed the police keep it: {row.record}"
        outcome = Outcome(incidents.redecide(session, actor, row.incident_id, Disposition.POLICE, reason))
    outcome.consultation = row
    return outcome


# Call-backs -----------------------------------------------------------------------------------------------


def call_back(session: Session, actor: Principal, incident_id: int, outcome: str, note: str) -> Incident:
    """A call-back attempt; when the caller was reached, the call is triaged again with what was learnt."""
    incident, attempt = incidents.record_callback(session, actor, incident_id, outcome, note)
    if attempt.outcome == CallbackOutcome.REACHED:
        incidents.retriage(session, actor, incident, f"回拨接通：{attempt.note}")
    return incident


def reveal_caller(session: Session, actor: Principal, incident_id: int) -> dict:
    """A caller's full number: an officer's part comes from dispatch (is his unit on the incident?)."""
    on_it = dispatch.handles(session, actor.user_id, incident_id) if actor.user_id else False
    return incidents.reveal_caller(session, actor, incident_id, his_unit_on_it=on_it)
