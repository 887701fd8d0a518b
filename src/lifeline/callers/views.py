"""HTTP routes of nuisance-caller governance: the supervisors' queue, a number's case and its steps, the figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import query_time
from lifeline.callers import service
from lifeline.callers.schemas import FiguresOut, GovernanceOut, QueueOut, StepIn
from lifeline.errors import Invalid
from lifeline.incidents import service as incidents

router = APIRouter(responses=RESPONSES, tags=["callers"])
Number = Annotated[str, Path(max_length=32, pattern=r"^\+?[0-9][0-9\- ]*$")]
FIGURES_DAYS = 30


def _now_and_criteria(ctx):
    state = ctx.request.app.state
    return state.clock(), state.criteria


@router.get("/nuisance", response_model=QueueOut, summary="骚扰来电待审队列（留痕）the nuisance queue")
def nuisance_queue(ctx: RequestContext, limit: Annotated[int, Query(ge=1, le=service.QUEUE_LIMIT)] = 50):
    """Numbers that meet the criteria and have no open case, with their evidence; each number shown is a read."""
    now, criteria = _now_and_criteria(ctx)
    return ctx.run(lambda s, who: QueueOut(items=service.queue(s, who, now, criteria, limit)))


@router.get("/nuisance/figures", response_model=FiguresOut, summary="虚假与骚扰来电统计 nuisance figures")
def nuisance_figures(
    ctx: RequestContext,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认 30 天前")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认现在 default now")] = None,
):
    now, criteria = _now_and_criteria(ctx)
    end = query_time(until, "until") or now
    start = query_time(since, "since") or end - timedelta(days=FIGURES_DAYS)
    if end <= start:
        raise Invalid("until 须晚于 since / until must be later than since")
    return ctx.run(lambda s, who: FiguresOut(**service.figures(s, who, start, end, criteria)))


@router.get("/callers/{number}/governance", response_model=GovernanceOut, summary="骚扰来电案件与证据（留痕）")
def governance(number: Number, ctx: RequestContext):
    now, criteria = _now_and_criteria(ctx)

    def work(session, who):
        found = incidents.look_up(session, who, number)  # normalised, checked, and the read recorded
        return GovernanceOut(**service.governance(session, who, found, now, criteria))

    return ctx.run(work)


@router.post(
    "/callers/{number}/governance/steps", response_model=GovernanceOut, summary="记录案件步骤 record a case step"
)
def add_step(number: Number, body: StepIn, ctx: RequestContext, key: IdempotencyKey = None):
    now, criteria = _now_and_criteria(ctx)

    def work(session, who):
        found = incidents.look_up(session, who, number)
        service.record_step(session, who, found, body.step, body.note, now, criteria, means=body.means,
                            review_at=body.review_at, exit_days=body.exit_days)  # fmt: skip
        return GovernanceOut(**service.governance(session, who, found, now, criteria))

    return ctx.run(work, key=key, body=body)
