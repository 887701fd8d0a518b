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
    LinkageOut,
    OrderCreate,
    OrderOut,
    OrderPage,
    StepCreate,
)
from lifeline.store.base import utcnow

router = APIRouter(responses=RESPONSES)


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
