"""HTTP routes of governance cases (矛盾纠纷调处) and an incident's parties."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id, IncidentId
from lifeline.desk import flows
from lifeline.governance import service
from lifeline.governance.schemas import CaseOut, CasePage, MediationIn, PartiesIn, PartiesOut, PartyOut, ReturnVisitIn
from lifeline.vocabulary import CaseState

router = APIRouter(responses=RESPONSES, tags=["governance"])


def case_out(session, case, *, full: bool = True) -> CaseOut:
    rows = service.incidents_of(session, case)
    names = service.names_of(session, [case.party_a, case.party_b])
    labels = [service.label(k, names) for k in (case.party_a, case.party_b) if k]
    return CaseOut.of(case, rows, service.order_of(session, case), labels, full=full)


@router.post("/incidents/{incident_id}/parties", status_code=201, response_model=PartiesOut,
             summary="记录当事人 the other parties of an incident")  # fmt: skip
def add_parties(incident_id: IncidentId, body: PartiesIn, request: Request, ctx: RequestContext,
                key: IdempotencyKey = None):  # fmt: skip
    def work(session, who):
        pairs = [(p.name, p.phone or None) for p in body.parties]
        rows, case = flows.record_parties(session, who, request.app.state.desk, incident_id, pairs)
        parties = [PartyOut(name=r.name, phone=service.label(r.phone) if r.phone else None) for r in rows]
        return PartiesOut(incident_id=incident_id, parties=parties, case_id=case.id if case else None)

    return ctx.run(work, status=201, key=key, body=body)


@router.get("/governance", response_model=CasePage, summary="矛盾纠纷案件 governance cases")
def listing(ctx: RequestContext, state: Annotated[CaseState | None, Query()] = None):
    def work(session, who):
        return CasePage(items=[case_out(session, c, full=False) for c in service.listing(session, who, state)])

    return ctx.run(work)


@router.get("/governance/{case_id}", response_model=CaseOut, summary="一个案件及其警情 one case and its incidents")
def one(case_id: Id, ctx: RequestContext):
    return ctx.run(lambda s, who: case_out(s, service.get(s, who, case_id)))


@router.post("/governance/{case_id}/mediation", response_model=CaseOut, summary="调解结果 the mediation outcome")
def mediation(case_id: Id, body: MediationIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        return case_out(session, service.mediate(session, who, case_id, body.outcome, body.note))

    return ctx.run(work, key=key, body=body)


@router.post("/governance/{case_id}/return-visit", response_model=CaseOut, summary="民警回访 the police return visit")
def return_visit(case_id: Id, body: ReturnVisitIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        case = service.return_visit(session, who, case_id, body.officer, body.found, body.visited_at)
        return case_out(session, case)

    return ctx.run(work, key=key, body=body)
