"""HTTP routes of the bridge: emergency pushes to 110 and one-click call transfers to 12345."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.diversion.schemas import PushIn, TransferIn
from lifeline.diversion.views import peer_for
from lifeline.errors import Conflict
from lifeline.exchange import bridge
from lifeline.incidents.schemas import IncidentOut

router = APIRouter(responses=RESPONSES)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/incidents/{incident_id}/push", response_model=IncidentOut, tags=["bridge"],
             summary="12345 推送紧急警情至 110 push an emergency to 110")  # fmt: skip
def push(incident_id: Id, body: PushIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    peer = peer_for(request, "110")
    if peer is None:
        raise Conflict("本进程即 110，无需推送 / this process is the 110 desk; confirm the incident instead")
    return ctx.run(
        lambda s, who: IncidentOut.of(bridge.push_incident(s, who, incident_id, peer, body.reason)), key=key, body=body
    )


@router.post("/incidents/{incident_id}/transfer-call", response_model=IncidentOut, tags=["bridge"],
             summary="一键转接 12345 one-click transfer to 12345")  # fmt: skip
def transfer(incident_id: Id, body: TransferIn, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    peer = peer_for(request, "12345")
    if peer is None:
        raise Conflict("本进程即 12345，请直接派发工单 / this process is the 12345 desk; raise a work order")
    return ctx.run(
        lambda s, who: IncidentOut.of(bridge.transfer_call(s, who, incident_id, peer, body.three_way)),
        key=key,
        body=body,
    )
