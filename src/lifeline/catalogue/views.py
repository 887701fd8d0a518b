"""HTTP routes of the matters catalogue: read it, its versions, propose, approve or reject, Excel out and in."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id, Text, query_time
from lifeline.auth.service import require
from lifeline.catalogue import excel, service
from lifeline.catalogue.items import diff
from lifeline.catalogue.schemas import (
    ApproveIn,
    CatalogueOut,
    ItemCount,
    ItemFigures,
    ItemOut,
    ProposalIn,
    RejectIn,
    VersionList,
    VersionOut,
)
from lifeline.incidents import service as incidents
from lifeline.store.base import utcnow

router = APIRouter(responses=RESPONSES, tags=["catalogue"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _here(ctx) -> tuple[str, object]:
    state = ctx.request.app.state
    return state.role, state.desk.peer_for


@router.get("/catalogue", response_model=CatalogueOut, summary="现行诉求事项清单 the catalogue in force")
def read_catalogue(ctx: RequestContext):
    def work(session, who):
        service.require(who, "catalogue.read")
        now = service.current(session)
        items = [ItemOut.of(i) for i in now.catalogue.items]
        return CatalogueOut(version=now.number, sha256=now.sha256, name=now.catalogue.name, items=items)

    return ctx.run(work)


@router.get("/catalogue/versions", response_model=VersionList, summary="清单各版本 every version")
def list_versions(ctx: RequestContext):
    def work(session, who):
        rows = service.versions(session, who)
        now = service.current(session)
        out = []
        for row in rows:
            changes = None
            if row.state == "proposed":
                changes = diff(now.catalogue, service.catalogue_of(row))
            out.append(VersionOut.of(row, changes))
        return VersionList(current=now.number, sha256=now.sha256, items=out)

    return ctx.run(work)


@router.post("/catalogue/proposals", status_code=201, response_model=VersionOut, summary="提出清单变更 propose")
def propose(body: ProposalIn, ctx: RequestContext, key: IdempotencyKey = None):
    here, peer_for = _here(ctx)

    def work(session, who):
        catalogue = service.read(session, body.document, "proposal")
        row = service.propose(session, who, here, catalogue, "json", body.note, peer_for)
        return VersionOut.of(row, diff(service.current(session).catalogue, catalogue))

    return ctx.run(work, status=201, key=key, body=body)


@router.post("/catalogue/proposals/{version}/approve", response_model=VersionOut, summary="审批通过 approve")
def approve(version: Id, ctx: RequestContext, body: ApproveIn | None = None, key: IdempotencyKey = None):
    here, peer_for = _here(ctx)
    note = body.note if body else ""
    return ctx.run(lambda s, who: VersionOut.of(service.approve(s, who, here, version, peer_for, note)), key=key)


@router.post("/catalogue/proposals/{version}/reject", response_model=VersionOut, summary="驳回 reject")
def reject(version: Id, body: RejectIn, ctx: RequestContext, key: IdempotencyKey = None):
    here, peer_for = _here(ctx)
    work = lambda s, who: VersionOut.of(service.reject(s, who, here, version, body.reason, peer_for))  # noqa: E731
    return ctx.run(work, key=key, body=body)


@router.get("/catalogue.xlsx", summary="导出 Excel the catalogue in force as a workbook", response_class=Response)
def export(ctx: RequestContext):
    def work(session, who):
        service.require(who, "catalogue.read")
        return service.current(session)

    now = ctx.fetch(work)
    name = f"catalogue-v{now.number}.xlsx"
    return Response(excel.export(now.catalogue), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.post("/catalogue/import", status_code=201, response_model=VersionOut, summary="导入 Excel 并提出变更")
async def import_workbook(
    request: Request,
    ctx: RequestContext,
    note: Annotated[Text, Query(max_length=2000, description="变更理由 why")] = "",
):
    raw = await request.body()
    here, peer_for = _here(ctx)

    def work(session, who):
        service.require(who, "catalogue.propose")
        catalogue = service.read(session, raw, "workbook")
        row = service.propose(session, who, here, catalogue, "xlsx", note, peer_for)
        return VersionOut.of(row, diff(service.current(session).catalogue, catalogue))

    return ctx.run(work, status=201)


@router.get("/catalogue/figures", response_model=ItemFigures, summary="按诉求事项统计 matters and orders by item")
def figures(ctx: RequestContext, since: str | None = None, until: str | None = None):
    now = utcnow()
    start, end = query_time(since, "since") or now - timedelta(days=30), query_time(until, "until") or now

    def work(session, who):
        require(who, "kpi.read")
        rows = service.by_item(session, start, end, incidents.scope(session, who))
        return ItemFigures(since=start, until=end, items=[ItemCount(**r) for r in rows])

    return ctx.run(work)
