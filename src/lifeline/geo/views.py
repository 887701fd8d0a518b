"""HTTP routes of premise notes and an incident's address history."""

from __future__ import annotations

from fastapi import APIRouter

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id
from lifeline.geo import service
from lifeline.geo.schemas import AddressOut, EarlierIncident, PremiseIn, PremiseOut
from lifeline.incidents import service as incidents

router = APIRouter(responses=RESPONSES, tags=["roads and places"])


@router.post("/premises", status_code=201, response_model=PremiseOut, summary="地址风险提示 a premise note")
def add_premise(body: PremiseIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        row = service.add_note(session, who, body.hazard, body.note, body.place, body.lat, body.lon)
        return PremiseOut.model_validate(row)

    return ctx.run(work, status=201, key=key, body=body)


@router.post("/premises/{note_id}/retire", response_model=PremiseOut, summary="撤销提示 the note no longer holds")
def retire_premise(note_id: Id, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: PremiseOut.model_validate(service.retire_note(s, who, note_id)), key=key)


@router.get("/incidents/{incident_id}/address", response_model=AddressOut, summary="地址风险与历史警情")
def address(incident_id: Id, ctx: RequestContext):
    def work(session, who):
        notes, earlier = incidents.at_address(session, who, incident_id)
        return AddressOut(
            notes=[PremiseOut.model_validate(n) for n in notes],
            earlier=[EarlierIncident.model_validate(i) for i in earlier],
        )

    return ctx.run(work)
