"""HTTP route of the KPIs (thin): read-only, on a reader session that never takes SQLite's write lock."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from lifeline.analytics import service
from lifeline.analytics.schemas import KpiOut
from lifeline.api.context import RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import query_time
from lifeline.errors import Invalid
from lifeline.store.base import utcnow

router = APIRouter(responses=RESPONSES)
LONGEST = timedelta(days=400)


@router.get("/kpis", response_model=KpiOut, tags=["analytics"], summary="指挥大屏指标 the dashboard's KPIs")
def read_kpis(
    ctx: RequestContext,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认今日零点（UTC+8）")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认现在 default now")] = None,
):
    now = utcnow()
    start = query_time(since, "since") or service.today(now)[0]
    end = query_time(until, "until") or now
    if end <= start:
        raise Invalid("until 须晚于 since / until must be later than since")
    if end - start > LONGEST:
        raise Invalid(f"时间窗口最长 {LONGEST.days} 天 / the window is at most {LONGEST.days} days")
    with ctx.request.app.state.readers() as session:
        who = ctx.principal(session)
        board = service.dashboard(session, who, start, end, now)
        return KpiOut.of(board)
