"""指挥大屏 the command dashboard: KPI tiles, charts and a heat map of today's incidents, live on the `kpi` signal."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from lifeline.analytics import service
from lifeline.analytics.schemas import KpiOut
from lifeline.auth import permissions
from lifeline.web.pages import Viewer, page_guard, render, viewer

router = APIRouter(include_in_schema=False)


def _reader(request: Request) -> Viewer | None:
    who = viewer(request)
    if who is None or not permissions.allowed(who.user.role, "kpi.read"):
        return None
    return who


def _figures(request: Request, who: Viewer) -> dict:
    """Today's figures (the same service and shapes as GET /api/v1/kpis) for the tiles and the charts."""
    with request.app.state.readers() as session:
        board = service.dashboard(session, who.user)
    out = KpiOut.of(board)
    return {"kpi": out, "kpi_json": out.model_dump(mode="json")}


@router.get("/console/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request):
    who = page_guard(request, "dashboard")
    if isinstance(who, Response):
        return who
    return render(request, "dashboard.html", who, "dashboard", **_figures(request, who))


@router.get("/console/dashboard/tiles", response_class=HTMLResponse)
def tiles(request: Request):
    who = _reader(request)
    if who is None:
        return HTMLResponse("", status_code=401)
    return render(request, "partials/kpis.html", who, **_figures(request, who))


@router.get("/console/dashboard/heat.json")
def heat(request: Request):
    """Today's incidents with coordinates, binned into cells, and the city's own layers to draw them on."""
    who = _reader(request)
    if who is None:
        return JSONResponse({}, status_code=401)
    with request.app.state.readers() as session:
        board = service.dashboard(session, who.user, with_heat=True)
    return {
        "cells": [{"lat": lat, "lon": lon, "count": n} for lat, lon, n in board.heat],
        "layers": request.app.state.city_layers,
    }
