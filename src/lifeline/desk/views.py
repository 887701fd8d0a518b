"""HTTP routes of the desk's flows: decisions, hand-overs, the call-back queue, pushes and transfers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id, IncidentId
from lifeline.auth.service import require
from lifeline.catalogue.models import Consultation
from lifeline.desk import bridge, flows
from lifeline.desk.schemas import (
    CallbackIn,
    ConsultationList,
    ConsultationOut,
    DecisionOut,
    SettleIn,
    WaitingOut,
    WaitingPage,
)
from lifeline.diversion.schemas import PushIn, ReferIn, TransferIn
from lifeline.errors import Conflict
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident
from lifeline.incidents.schemas import ConfirmIn, IncidentOut
from lifeline.web.telephony import move_call

router = APIRouter(responses=RESPONSES)


def desk(request: Request) -> flows.Desk:
    return request.app.state.desk


@router.post("/incidents/{incident_id}/confirm", response_model=DecisionOut, tags=["incidents"],
             summary="确认研判并办理后续 decide: confirm, then close, hand over, or wait for dispatch")  # fmt: skip
def confirm(incident_id: IncidentId, body: ConfirmIn, request: Request, ctx: RequestContext,
            key: IdempotencyKey = None):  # fmt: skip
    """The call-taker's decision and what follows from it, as the console's keys do: invalid is closed (a call
    that needs a call-back only after one), divert and joint are handed over, police waits for dispatch."""
    return ctx.run(
        lambda s, who: DecisionOut.of_outcome(
            flows.decide(s, who, desk(request), incident_id, body.to_domain(), body.via)
        ),
        key=key,
        body=body,
    )


@router.post("/incidents/{incident_id}/hand-over", response_model=DecisionOut, tags=["incidents"],
             summary="移交：分流转 12345 或派工单，联动派单 hand a confirmed matter over")  # fmt: skip
def hand_over(incident_id: Id, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: DecisionOut.of_outcome(flows.hand_over(s, who, desk(request), incident_id)), key=key)


@router.get("/callbacks", response_model=WaitingPage, tags=["callbacks"],
            summary="待回拨来电（最早的在前）calls waiting for a call-back, oldest first")  # fmt: skip
def callbacks(ctx: RequestContext):
    return ctx.run(lambda s, who: WaitingPage(items=[WaitingOut.of(w) for w in incidents.callback_queue(s, who)]))


@router.post("/incidents/{incident_id}/callbacks", status_code=201, response_model=IncidentOut, tags=["callbacks"],
             summary="记录一次回拨 record a call-back attempt")  # fmt: skip
def call_back(incident_id: IncidentId, body: CallbackIn, ctx: RequestContext, key: IdempotencyKey = None):
    """Reached: the call is triaged again with the note. Three unanswered attempts (or a wrong number): a
    supervisor decides, with a reason."""
    return ctx.run(
        lambda s, who: IncidentOut.of(flows.call_back(s, who, incident_id, body.outcome, body.note)),
        status=201,
        key=key,
        body=body,
    )


@router.post("/incidents/{incident_id}/push", response_model=IncidentOut, tags=["bridge"],
             summary="12345 推送紧急警情至 110 push an emergency to 110")  # fmt: skip
def push(incident_id: Id, body: PushIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        require(who, "incident.push")
        peer = desk(request).peer_for("110")
        if peer is None:
            raise Conflict("本进程即 110 或未配置 110 对端，请直接确认警情 / no 110 peer: confirm the incident here")
        return IncidentOut.of(bridge.push_incident(session, who, incident_id, peer, body.reason))

    return ctx.run(work, key=key, body=body)


@router.post("/incidents/{incident_id}/refer", response_model=IncidentOut, tags=["bridge"],
             summary="经省平台转外市 refer a matter about a place in another city to its desk")  # fmt: skip
def refer(incident_id: Id, body: ReferIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        hub = desk(request).peers.by_role("hub")
        if hub is None:
            raise Conflict("未配置省平台（hub 对端）/ no provincial hub among the peers")
        return IncidentOut.of(bridge.refer(session, who, hub.name, incident_id, body.reason, body.city))

    return ctx.run(work, key=key, body=body)


@router.post("/incidents/{incident_id}/transfer-call", response_model=DecisionOut, tags=["bridge"],
             summary="一键转接 12345 one-click transfer to 12345")  # fmt: skip
def transfer(incident_id: Id, body: TransferIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    """The matter goes to 12345 as a message; a caller still on the SIP line is transferred there too."""
    answer = ctx.run(
        lambda s, who: DecisionOut.of_outcome(flows.transfer(s, who, desk(request), incident_id, body.three_way)),
        key=key,
        body=body,
    )
    if answer.status_code < 300:
        move_call(request.app, incident_id, three_way=body.three_way)
    return answer


@router.get("/consultations", response_model=ConsultationList, tags=["incidents"],
            summary="会商：权属不清、由首接方暂管的事项 matters held until the desks agree who owns them")  # fmt: skip
def consultations(ctx: RequestContext, state: str = "open"):
    def work(session, who):
        require(who, "consultation.read")
        mine = select(Incident.id).where(incidents.scope(session, who))
        query = select(Consultation).where(Consultation.incident_id.in_(mine)).order_by(Consultation.id)
        if state != "all":
            query = query.where(Consultation.state == state)
        return ConsultationList(items=[ConsultationOut.of(c) for c in session.scalars(query.limit(500))])

    return ctx.run(work)


@router.post("/consultations/{consultation_id}/agree", response_model=DecisionOut, tags=["incidents"],
             summary="会商一致：公安处置或转 12345 the desks agree who owns the matter")  # fmt: skip
def agree(consultation_id: Id, body: SettleIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        held = session.get(Consultation, consultation_id)
        if held is not None:
            incidents.get(session, who, held.incident_id)  # only on a matter the actor may see
        outcome = flows.settle(session, who, desk(request), consultation_id, body.owner, body.record,
                               body.other_party, body.three_way, body.propose)  # fmt: skip
        return DecisionOut.of_outcome(outcome)

    return ctx.run(work, key=key, body=body)
