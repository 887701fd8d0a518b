"""A province's doors. At a city: POST /exchange/v1/figures, its KPIs for the hub that asks (signed). At the hub:
GET /api/v1/province (the cities and what waits for each) and GET /api/v1/province/figures (each KPI per city and
for the province), and the console that shows the province on one screen (/console/province)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Annotated

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import func, select

from lifeline.analytics import service as analytics
from lifeline.analytics.schemas import KpiOut
from lifeline.analytics.views import period_of
from lifeline.api.context import RequestContext
from lifeline.api.problems import RESPONSES, problem
from lifeline.auth.service import SYSTEM, require
from lifeline.errors import Invalid, LifelineError
from lifeline.peering.models import PeerCursor
from lifeline.peering.receiver import signed
from lifeline.peering.relay import signed_headers
from lifeline.province import rollup
from lifeline.province.service import of_peers
from lifeline.store.base import utcnow
from lifeline.store.events import Event
from lifeline.web.pages import shell, templates

templates.env.filters["shown"] = rollup.shown

router = APIRouter(responses=RESPONSES, tags=["province"])
pages = APIRouter(include_in_schema=False)
ASK_SECONDS = 20.0  # a city that does not answer its figures in this long is shown as unreachable


class FiguresAsked(BaseModel):
    period: str = "day"
    date: str | None = None


@router.post("/exchange/v1/figures", response_model=KpiOut, summary="向省平台报送指标 a city's KPIs for its hub")
async def figures_for_hub(request: Request):
    name, asked, refused = await signed(request, FiguresAsked, "请求无效 / bad request")
    if refused is not None:
        return refused
    if request.app.state.peers.peers[name].role != "hub":
        return problem(403, "无权操作 Forbidden", "只有省平台可以调取指标 / only the province's hub asks", request)
    try:
        return await run_in_threadpool(_figures, request, asked)
    except LifelineError as exc:
        return problem(422, "内容无效 Unprocessable content", exc.detail, request)


def _figures(request: Request, asked: FiguresAsked) -> KpiOut:
    now = utcnow()
    window = period_of(asked.period, asked.date, None, None, now)
    with request.app.state.readers() as session:
        board = analytics.dashboard(session, SYSTEM, window.since, min(window.until, now), now)
        return KpiOut.of(board)


# At the hub ---------------------------------------------------------------------------------------------------


def _hub(request: Request):
    if request.app.state.role != "hub":
        raise Invalid("本进程不是省平台 / this process is not a province's hub (--role hub)")
    return of_peers(request.app.state.peers)


def gather(request: Request, period: str, day: str | None) -> rollup.Rollup:
    """Every city's figures, asked at once (signed), summed; a city that does not answer is named."""
    province, peers = _hub(request), request.app.state.peers
    body = json.dumps({"period": period, "date": day}).encode()

    def ask(code: str) -> dict | None:
        peer = peers.peers[province.cities[code].desk]
        try:
            answer = httpx.post(f"{peer.url}/exchange/v1/figures", content=body, timeout=ASK_SECONDS,
                                headers=signed_headers(peers.name, peer, body))  # fmt: skip
        except httpx.HTTPError:
            return None
        if answer.status_code == 422:
            raise Invalid(answer.json().get("detail", "期间无效 / bad period"))
        return answer.json() if answer.status_code == 200 else None

    with ThreadPoolExecutor(max(1, len(province.cities))) as pool:
        answers = dict(zip(province.cities, pool.map(ask, province.cities), strict=True))
    return rollup.roll_up(answers)


def cities(request: Request) -> list[dict]:
    """Each city, and what the hub holds for its desk: messages not yet delivered, tries, the last error."""
    province = _hub(request)
    with request.app.state.readers() as session:
        cursors = {c.peer: c for c in session.scalars(select(PeerCursor))}
        rows = []
        for city in province.cities.values():
            cursor = cursors.get(city.desk)
            delivered = cursor.delivered_seq if cursor else 0
            waiting = session.scalar(
                select(func.count()).where(Event.to_peer == city.desk, Event.seq > delivered)
            )  # fmt: skip
            rows.append({"code": city.code, "name": city.name, "desk": city.desk, "waiting": waiting,
                         "attempts": cursor.attempts if cursor else 0,
                         "last_error": cursor.last_error if cursor else None,
                         "neighbours": list(city.neighbours)})  # fmt: skip
    return rows


def _reader(ctx: RequestContext) -> None:
    with ctx.request.app.state.readers() as session:
        require(ctx.principal(session), "kpi.read")


@router.get("/api/v1/province", summary="全省：各市与待送消息 the cities and what waits for each")
def read_province(request: Request, ctx: RequestContext):
    _reader(ctx)
    return {"name": _hub(request).name, "cities": cities(request)}


Period = Annotated[str, Query(max_length=10, description="day|week|month|quarter|year")]
Day = Annotated[str | None, Query(max_length=10, description="期间内的一天 YYYY-MM-DD，默认今天")]


@router.get("/api/v1/province/figures", summary="全省指标：各市与全省合计 each KPI per city and for the province")
def read_figures(request: Request, ctx: RequestContext, period: Period = "day", date: Day = None):
    _reader(ctx)
    found = gather(request, period, date)
    return {
        "cities": {code: {k: asdict(f) for k, f in figures.items()} for code, figures in found.cities.items()},
        "province": {k: asdict(f) for k, f in found.province.items()},
        "unreachable": found.unreachable,
        "complete": found.complete,
        "published": list(rollup.PUBLISHED),
    }


@pages.get("/console/province", response_class=HTMLResponse)
def province_page(request: Request, period: Period = "day", date: Day = None):
    refused, found, rows = "", None, []
    try:
        rows = cities(request)
        found = gather(request, period, date)
    except LifelineError as exc:
        refused = exc.detail
    return shell(request, "province", rows=rows, found=found, keys=rollup.PUBLISHED, asked={"period": period,
                 "date": date or utcnow().date().isoformat()}, refused=refused)  # fmt: skip
