"""指挥大屏 the command dashboard: KPI tiles, charts and a heat map of today's incidents, live on the `kpi` signal."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from lifeline.analytics import service
from lifeline.analytics.schemas import KpiOut
from lifeline.web.pages import Viewer, render, viewer

router = APIRouter(include_in_schema=False)


def _figures(request: Request, who: Viewer) -> dict:
    """Today's figures (the same service and shapes as GET /api/v1/kpis) for the tiles and the charts."""
    with request.app.state.readers() as session:
        board = service.dashboard(session, who.user)
    out = KpiOut.of(board)
    return {"kpi": out, "kpi_json": out.model_dump(mode="json")}


@router.get("/console/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request):
    who = viewer(request)  # api.context.guard let in only those who may read the figures
    return render(request, "dashboard.html", who, "dashboard", **_figures(request, who))


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
