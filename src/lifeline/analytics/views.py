"""HTTP route of the KPIs (thin): read-only, on a reader session that never takes SQLite's write lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from lifeline.analytics import service
from lifeline.analytics.schemas import KpiOut
from lifeline.api.context import RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.errors import Invalid
from lifeline.store.base import utcnow

router = APIRouter(responses=RESPONSES)
LONGEST = timedelta(days=400)


def _when(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise Invalid(f"{name} 须带时区，如 2026-11-23T00:00:00+08:00 / {name} needs a timezone")
        value = value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise Invalid(f"{name} 不是 ISO 8601 时间 / {name} is not an ISO 8601 time: {raw!r}") from exc
    if not 1971 <= value.year <= 9000:
        raise Invalid(f"{name} 超出范围 / {name} is out of range: {raw!r}")
    return value


@router.get("/kpis", response_model=KpiOut, tags=["analytics"], summary="指挥大屏指标 the dashboard's KPIs")
def read_kpis(
    ctx: RequestContext,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认今日零点（UTC+8）")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认现在 default now")] = None,
):
    now = utcnow()
    start = _when(since, "since") or service.today(now)[0]
    end = _when(until, "until") or now
    if end <= start:
        raise Invalid("until 须晚于 since / until must be later than since")
    if end - start > LONGEST:
        raise Invalid(f"时间窗口最长 {LONGEST.days} 天 / the window is at most {LONGEST.days} days")
    with ctx.request.app.state.readers() as session:
        who = ctx.principal(session)
        board = service.dashboard(session, who, start, end, now)
        return KpiOut.of(board)
