"""HTTP routes of the bridge: emergency pushes to 110 and one-click call transfers to 12345."""

from __future__ import annotations

from fastapi import APIRouter, Request

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id
from lifeline.auth.service import require
from lifeline.desk import bridge
from lifeline.diversion.schemas import PushIn, TransferIn
from lifeline.diversion.views import peer_for
from lifeline.errors import Conflict
from lifeline.incidents.schemas import IncidentOut

router = APIRouter(responses=RESPONSES)


def _peer(request: Request, role: str, alone: str) -> str:
    peer = peer_for(request, role)
    if peer is None:
        raise Conflict(alone)
    return peer


@router.post("/incidents/{incident_id}/push", response_model=IncidentOut, tags=["bridge"],
             summary="12345 推送紧急警情至 110 push an emergency to 110")  # fmt: skip
def push(incident_id: Id, body: PushIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        require(who, "incident.push")
        peer = _peer(
            request, "110", "本进程即 110，无需推送 / this process is the 110 desk; confirm the incident instead"
        )
        return IncidentOut.of(bridge.push_incident(session, who, incident_id, peer, body.reason))

    return ctx.run(work, key=key, body=body)


@router.post("/incidents/{incident_id}/transfer-call", response_model=IncidentOut, tags=["bridge"],
             summary="一键转接 12345 one-click transfer to 12345")  # fmt: skip
def transfer(incident_id: Id, body: TransferIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        require(who, "order.create")
        peer = _peer(
            request, "12345", "本进程即 12345，请直接派发工单 / this process is the 12345 desk; raise an order"
        )
        return IncidentOut.of(bridge.transfer_call(session, who, incident_id, peer, body.three_way))

    return ctx.run(work, key=key, body=body)
