"""指挥大屏 the command screen: what waits now (P1/P2, the longest wait, overdue orders, call-backs), today's KPI
tiles, charts and a heat map, live on the `kpi` signal. Each tile says its formula and links to the list behind it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from lifeline.analytics import reports, service, views
from lifeline.analytics.schemas import KpiOut
from lifeline.auth.permissions import allowed
from lifeline.channels import service as channels
from lifeline.common import CHINA
from lifeline.errors import Invalid
from lifeline.store.base import utcnow
from lifeline.web.pages import Viewer, act, render, viewer

router = APIRouter(include_in_schema=False)

# The list behind each tile (agreed console addresses; the window's tiles search the window).
DISPATCH = "/console/dispatch"
OVERDUE = "/console/orders?view=inbox&overdue=1&sort=deadline"
LISTS = {
    "p1_waiting": DISPATCH,
    "p2_waiting": DISPATCH,
    "orders_overdue": OVERDUE,
    "callbacks_waiting": "/console/calls#callbacks",
    "on_time_sign_rate": OVERDUE,
    "on_time_handle_rate": OVERDUE,
    "satisfaction_rate": "/console/orders?view=visit",
    "basic_satisfaction_rate": "/console/orders?view=visit",
}
STATES = {"diversion_rate": "transferred"}  # a window's search narrowed to the state the figure is about


def links(out: KpiOut) -> dict[str, str]:
    """Tile key → the address of the list behind it (pure)."""
    window = {"since": out.since.isoformat(), "until": out.until.isoformat()}
    found = {}
    for figure in out.waiting + out.figures:
        if figure.key in LISTS:
            found[figure.key] = LISTS[figure.key]
        elif figure.key == "longest_wait":
            found[figure.key] = f"/console/incidents/{out.longest.incident_id}" if out.longest else DISPATCH
        else:
            state = {"state": STATES[figure.key]} if figure.key in STATES else {}
            found[figure.key] = "/console/search?" + urlencode(window | state)
    return found


def _figures(request: Request, who: Viewer) -> dict:
    """Today's figures and what waits now (the same service and shapes as GET /api/v1/kpis)."""
    with request.app.state.readers() as session:
        board = service.dashboard(session, who.user)
    out = KpiOut.of(board)
    return {"kpi": out, "kpi_json": out.model_dump(mode="json"), "links": links(out)}


@router.get("/console/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request):
    who = viewer(request)  # api.context.guard let in only those who may read the figures
    today = utcnow().astimezone(CHINA).date().isoformat()
    with request.app.state.readers() as session:
        surges = channels.surges(session, who.user, limit=3) if allowed(who.user.role, "surge.read") else []
        waiting = channels.waiting_calls(session)
    surge = next((f for f in surges if f.surge.ended_at is None), None)
    return render(request, "dashboard.html", who, "dashboard", today=today, surge=surge, surges=surges,
                  waiting=waiting, **_figures(request, who))  # fmt: skip


@router.post("/console/surge", response_class=HTMLResponse)
def start_surge(
    request: Request,
    reason: Annotated[str, Form()] = "",
    event: Annotated[str, Form()] = "",
    announcement: Annotated[str, Form()] = "",
    triage_first: Annotated[str, Form()] = "",
    overflow_to: Annotated[str, Form()] = "",
    overflow_at: Annotated[str, Form()] = "",
    overflow_city: Annotated[str, Form()] = "",
):
    """应急状态 from the command screen: the same checks as POST /api/v1/surge."""

    def work(session, user):
        if overflow_at.strip() and not overflow_at.strip().isdigit():
            raise Invalid("溢出阈值须为整数 / overflow_at must be a whole number")
        data = channels.SurgeIn(reason[:2000], event.strip()[:100], announcement.strip()[:2000], bool(triage_first),
                                overflow_to.strip()[:64] or None,
                                int(overflow_at) if overflow_at.strip() else None,
                                overflow_city.strip().lower()[:32] or None)  # fmt: skip
        return channels.start_surge(session, user, data)

    return act(request, work, lambda _: "已启动应急状态 / surge started", redirect=lambda _: "/console/dashboard")


@router.post("/console/surge/end", response_class=HTMLResponse)
def end_surge(request: Request):
    return act(
        request, channels.end_surge, lambda _: "已结束应急状态 / surge ended", redirect=lambda _: "/console/dashboard"
    )


@router.get("/console/dashboard/tiles", response_class=HTMLResponse)
def tiles(request: Request):
    who = viewer(request)
    return render(request, "partials/kpis.html", who, **_figures(request, who))


@router.get("/console/dashboard/heat.json")
def heat(request: Request):
    """Today's incidents with coordinates, binned into cells, and the city's own layers to draw them on."""
    who = viewer(request)
    with request.app.state.readers() as session:
        board = service.dashboard(session, who.user, with_heat=True)
    return {
        "cells": [{"lat": lat, "lon": lon, "count": n} for lat, lon, n in board.heat],
        "layers": request.app.state.city_layers,
    }


@router.get("/console/dashboard/report")
def report(request: Request, kind: str = "daily", date: str | None = None, format: str = "xlsx"):
    """日报、月报、年报 from the command screen: the same report as GET /api/v1/reports/{kind}."""
    who = viewer(request)
    if kind not in reports.KINDS or format not in ("xlsx", "html"):
        raise Invalid("报表应为 daily|monthly|yearly，格式 xlsx|html / kind: daily, monthly, yearly; xlsx, html")
    now = utcnow()
    day = views.report_day(date, now)
    with request.app.state.readers() as session:
        return views.send(reports.build(session, who.user, kind, day, now), format)
