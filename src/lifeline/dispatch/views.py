"""HTTP routes of units and dispatch."""

from __future__ import annotations

from fastapi import APIRouter

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id
from lifeline.dispatch import service
from lifeline.dispatch.schemas import (
    AssignIn,
    CardIn,
    CardList,
    CardOut,
    CoverageOut,
    CrewIn,
    FeedbackIn,
    PositionsIn,
    PositionsOut,
    Recommendation,
    RecommendationList,
    StatusIn,
    UnitIn,
    UnitList,
    UnitOut,
)

router = APIRouter(responses=RESPONSES, tags=["dispatch"])


@router.get("/units", response_model=UnitList, summary="警力列表 units")
def list_units(ctx: RequestContext):
    return ctx.run(lambda s, who: UnitList(items=[UnitOut.model_validate(u) for u in service.visible(s, who)]))


@router.post("/units", status_code=201, response_model=UnitOut, summary="新增警力 add a unit")
def add_unit(body: UnitIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: UnitOut.model_validate(
            service.add(s, who, body.code, body.name, body.org, body.lat, body.lon, body.kind)
        ),
        status=201,
        key=key,
        body=body,
    )


@router.post("/units/{unit_id}/status", response_model=UnitOut, summary="警力状态/位置 a unit reports")
def unit_status(unit_id: Id, body: StatusIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: UnitOut.model_validate(service.report(s, who, unit_id, body.status, body.lat, body.lon)),
        key=key,
        body=body,
    )


@router.post("/units/{unit_id}/feedback", response_model=UnitOut, summary="处置反馈 the unit reports its result")
def unit_feedback(unit_id: Id, body: FeedbackIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: UnitOut.model_validate(service.feedback(s, who, unit_id, body.result, body.outcome)),
        key=key,
        body=body,
    )


@router.post("/units/{unit_id}/crew", response_model=UnitOut, summary="车组人员 who is on the unit")
def unit_crew(unit_id: Id, body: CrewIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: UnitOut.model_validate(service.set_crew(s, who, unit_id, body.officers)), key=key, body=body
    )


@router.get("/incidents/{incident_id}/units", response_model=RecommendationList, summary="推荐警力 units to send")
def recommend(incident_id: Id, ctx: RequestContext):
    def work(session, who):
        service.require(who, "unit.dispatch")
        offer = service.recommend(session, who, incident_id)
        return RecommendationList(
            items=[Recommendation.of(unit, ranked) for unit, ranked in offer.rows],
            card=CardOut.of(offer.card) if offer.card else None,
            proposed=offer.proposed,
            missing=offer.missing,
        )

    return ctx.run(work)


@router.post("/incidents/{incident_id}/assign", response_model=UnitOut, summary="派警 send a unit")
def assign(incident_id: Id, body: AssignIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: UnitOut.model_validate(service.assign(s, who, incident_id, body.unit)), key=key, body=body
    )


@router.post("/units/positions", response_model=PositionsOut, summary="车载定位 unit positions (AVL), in a batch")
def positions(body: PositionsIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        moved = service.move_many(session, who, [(p.unit, p.lat, p.lon) for p in body.positions])
        return PositionsOut(moved=moved)

    return ctx.run(work, key=key, body=body)


@router.get("/coverage", response_model=CoverageOut, summary="警力覆盖 what the available units reach in time")
def coverage(ctx: RequestContext):
    return ctx.run(lambda s, who: CoverageOut(**service.coverage(s, who)))


@router.get("/runcards", response_model=CardList, summary="预案（含各版本） run cards, every version")
def run_cards(ctx: RequestContext):
    return ctx.run(lambda s, who: CardList(items=[CardOut.model_validate(r) for r in service.card_versions(s, who)]))


@router.post("/runcards", status_code=201, response_model=CardOut, summary="新建或修改预案 a new card version")
def save_run_card(body: CardIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        fields = body.model_dump()
        return CardOut.model_validate(service.save_card(session, who, fields.pop("card"), **fields))

    return ctx.run(work, status=201, key=key, body=body)
