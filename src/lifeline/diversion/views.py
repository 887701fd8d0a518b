"""HTTP routes of work orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id
from lifeline.desk import flows
from lifeline.desk.views import desk
from lifeline.diversion import service
from lifeline.diversion.schemas import (
    CountersignIn,
    DecisionIn,
    ExtensionIn,
    FollowUpOut,
    FollowUpPage,
    LinkageOut,
    OrderCreate,
    OrderOut,
    OrderPage,
    StepCreate,
    SuperviseIn,
    UrgeIn,
)
from lifeline.store.base import utcnow

router = APIRouter(responses=RESPONSES)


def routing(request: Request):
    """The deployment's routing table: its time limits and working-day calendar."""
    return request.app.state.routing


def _out(session, order) -> OrderOut:
    return OrderOut.of(order, service.orgs_of(session, order), utcnow())


@router.post("/incidents/{incident_id}/orders", status_code=201, response_model=OrderOut, tags=["orders"],
             summary="派发工单 raise a work order")  # fmt: skip
def create_order(incident_id: Id, body: OrderCreate, request: Request, ctx: RequestContext,
                 key: IdempotencyKey = None):  # fmt: skip
    return ctx.run(
        lambda s, who: _out(s, flows.raise_order(s, who, desk(request), incident_id, body.to_domain()).orders[0]),
        status=201,
        key=key,
        body=body,
    )


@router.get("/orders", response_model=OrderPage, tags=["orders"], summary="工单列表 list work orders")
def list_orders(
    ctx: RequestContext,
    state: Annotated[str | None, Query(max_length=16, pattern=r"^[a-z_]+$")] = None,
    cursor: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    item: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z][a-z0-9_]*$", description="诉求事项编码")] = None,
):
    def work(session, who):
        rows = service.listing(session, who, state, cursor, limit, item)
        return OrderPage(
            items=[_out(session, o) for o in rows], next_cursor=rows[-1].id if len(rows) == limit else None
        )

    return ctx.run(work)


@router.get("/orders/{order_id}", response_model=OrderOut, tags=["orders"], summary="工单详情")
def read_order(order_id: Id, ctx: RequestContext):
    return ctx.run(lambda s, who: _out(s, service.get(s, who, order_id)))


@router.post("/orders/{order_id}/steps", response_model=OrderOut, tags=["orders"],
             summary="签收/办理/反馈/退回/回访/关闭 a step of the loop")  # fmt: skip
def order_step(order_id: Id, body: StepCreate, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: _out(s, flows.follow_order(s, who, desk(request), order_id, body.to_domain())),
        key=key,
        body=body,
    )


@router.post("/orders/{order_id}/countersign", response_model=OrderOut, tags=["orders"], summary="会签")
def order_countersign(order_id: Id, body: CountersignIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: _out(s, service.countersign(s, who, order_id, body.orgs)), key=key, body=body)


@router.post("/incidents/{incident_id}/linkage", status_code=201, response_model=LinkageOut, tags=["orders"],
             summary="联动：向 119/120/燃气/供电等派单 orders to the linkage units")  # fmt: skip
def linkage(incident_id: Id, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        made = flows.link(session, who, desk(request), incident_id)
        return LinkageOut(items=[_out(session, o) for o in made.orders], unserved=made.unserved)

    return ctx.run(work, status=201, key=key)


# Follow-ups: 延期申请, 催办, 督办 -----------------------------------------------------------------------------


@router.get("/orders/{order_id}/follow-ups", response_model=FollowUpPage, tags=["orders"],
            summary="催办、督办与延期申请记录 an order's urges, supervision and extension requests")  # fmt: skip
def order_follow_ups(order_id: Id, ctx: RequestContext):
    return ctx.run(lambda s, who: FollowUpPage(items=[FollowUpOut.of(r) for r in service.follow_ups(s, who, order_id)]))


@router.post("/orders/{order_id}/extensions", status_code=201, response_model=FollowUpOut, tags=["orders"],
             summary="延期申请 the handling organisation asks for more working days")  # fmt: skip
def order_extension(order_id: Id, body: ExtensionIn, request: Request, ctx: RequestContext,
                    key: IdempotencyKey = None):  # fmt: skip
    def work(session, who):
        asked = service.request_extension(session, who, order_id, body.grounds, body.working_days, routing(request))
        return FollowUpOut.of(asked)

    return ctx.run(work, status=201, key=key, body=body)


@router.post("/orders/{order_id}/extensions/{follow_up_id}/decision", response_model=FollowUpOut, tags=["orders"],
             summary="延期审批 the centre that sent the order approves or refuses")  # fmt: skip
def order_extension_decision(order_id: Id, follow_up_id: Id, body: DecisionIn, ctx: RequestContext,
                             key: IdempotencyKey = None):  # fmt: skip
    return ctx.run(
        lambda s, who: FollowUpOut.of(
            service.decide_extension(s, who, order_id, follow_up_id, body.approve, body.reason)
        ),
        key=key, body=body,
    )  # fmt: skip


@router.post("/orders/{order_id}/urge", status_code=201, response_model=FollowUpOut, tags=["orders"],
             summary="催办 press the handling organisation")  # fmt: skip
def order_urge(order_id: Id, body: UrgeIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: FollowUpOut.of(service.urge(s, who, order_id, body.text)), status=201, key=key,
                   body=body)  # fmt: skip


@router.post("/orders/{order_id}/supervision", status_code=201, response_model=FollowUpOut, tags=["orders"],
             summary="督办 a supervisor's written demand on an overdue order")  # fmt: skip
def order_supervision(order_id: Id, body: SuperviseIn, request: Request, ctx: RequestContext,
                      key: IdempotencyKey = None):  # fmt: skip
    def work(session, who):
        return FollowUpOut.of(
            service.supervise(session, who, order_id, body.demand, body.working_days, routing(request))
        )

    return ctx.run(work, status=201, key=key, body=body)
