"""HTTP routes of missing-person cases (走失人员查找)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id, query_time
from lifeline.common import CHINA
from lifeline.missing import reports, service
from lifeline.missing.schemas import (
    AppealIn,
    AppealOut,
    AssignIn,
    CaseFile,
    CaseIn,
    CaseList,
    CaseOut,
    EntryOut,
    FiguresOut,
    GradeIn,
    NoteIn,
    OutcomeIn,
    PublicAppeal,
    PublicAppeals,
    RegionalAlertOut,
    RegionalAlerts,
    SightingIn,
    SightingOut,
    TaskDoneIn,
    TaskIn,
    TaskOut,
)
from lifeline.store.base import utcnow

router = APIRouter(responses=RESPONSES, tags=["missing persons"])
Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


def case_out(case, station: str | None = None) -> CaseOut:
    now = utcnow()
    out = CaseOut.model_validate(case)
    out.station = station
    out.review_overdue = case.state != "closed" and case.next_review_at < now
    out.hours_missing = round(((case.found_at or case.closed_at or now) - case.reported_at).total_seconds() / 3600, 1)
    return out


def file_out(session, who, case_id: int) -> CaseFile:
    f = service.file(session, who, case_id)
    appeals = []
    for appeal, partner in f.appeals:
        out = AppealOut.model_validate(appeal)
        out.partner = partner
        appeals.append(out)
    return CaseFile(
        case=case_out(f.case, f.station),
        tasks=[TaskOut.model_validate(t) for t in f.tasks],
        sightings=[SightingOut.model_validate(s) for s in f.sightings],
        appeals=appeals,
        timeline=[EntryOut.model_validate(e) for e in f.timeline],
    )


def _step(ctx, key, body, case_id: int, move):
    """A step on a case; the answer is the whole file, as the case page shows it."""

    def work(session, who):
        move(session, who)
        session.flush()
        return file_out(session, who, case_id)

    return ctx.run(work, key=key, body=body)


@router.post("/missing", status_code=201, response_model=CaseFile, summary="走失人员立案 open a missing-person case")
def open_case(body: CaseIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        case = service.open_case(session, who, service.CaseIn(**body.model_dump()))
        session.flush()
        return file_out(session, who, case.id)

    return ctx.run(work, status=201, key=key, body=body)


@router.get("/missing", response_model=CaseList, summary="走失人员看板 open cases, highest risk first")
def board(ctx: RequestContext, closed: bool = Query(False, description="包括已结案 include closed cases")):
    return ctx.run(lambda s, who: CaseList(items=[case_out(c) for c in service.board(s, who, include_closed=closed)]))


@router.get("/missing/figures", response_model=FiguresOut, summary="24 小时找回率 found within a day")
def figures(ctx: RequestContext, since: str | None = None, until: str | None = None):
    now = utcnow()
    start = query_time(since, "since") or now.astimezone(CHINA).replace(month=1, day=1, hour=0, minute=0, second=0)
    end = query_time(until, "until") or now
    return ctx.run(lambda s, who: FiguresOut(**vars(service.figures(s, who, start, end, now))))


@router.get("/missing/alerts", response_model=RegionalAlerts, summary="外市协查通报 other cities' alerts reaching here")
def regional_alerts(ctx: RequestContext, withdrawn: bool = Query(False, description="包括已撤销 include withdrawn")):
    def work(session, who):
        rows = service.regional_alerts(session, who, include_withdrawn=withdrawn)
        return RegionalAlerts(items=[RegionalAlertOut.model_validate(r) for r in rows])

    return ctx.run(work)


@router.get("/missing/appeals", response_model=PublicAppeals, summary="合作方可发布的启事 what a partner may publish")
def public_appeals(ctx: RequestContext):
    def work(session, who):
        items = [
            PublicAppeal(
                id=a.id,
                case_id=c.id,
                text=a.text,
                published_at=a.published_at,
                withdraw_by=a.withdraw_by,
                photo=f"/api/v1/missing/photos/{c.photo_sha256}" if a.with_photo and c.photo_sha256 else None,
            )
            for a, c in service.live_appeals(session, who)
        ]
        return PublicAppeals(items=items)

    return ctx.run(work)


@router.get("/missing/photos/{digest}", summary="走失人员照片 a photo", response_class=Response)
def photo(digest: Digest, ctx: RequestContext):
    def work(session, who):
        found = service.photo(session, who, digest)
        return found.data, found.media_type

    data, kind = ctx.fetch(work)
    return Response(data, media_type=kind, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/missing/{case_id}", response_model=CaseFile, summary="走失案件 a case, its tasks, sightings and timeline")
def case_file(case_id: Id, ctx: RequestContext):
    return ctx.run(lambda s, who: file_out(s, who, case_id))


@router.post("/missing/{case_id}/grade", response_model=CaseFile, summary="研判定级 set the risk grade")
def grade(case_id: Id, body: GradeIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(ctx, key, body, case_id, lambda s, who: service.set_grade(s, who, case_id, body.grade, body.reason))


@router.post("/missing/{case_id}/assign", response_model=CaseFile, summary="指定查找单位 the station that searches")
def assign(case_id: Id, body: AssignIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(ctx, key, body, case_id, lambda s, who: service.assign(s, who, case_id, body.station, body.searchers))


@router.post("/missing/{case_id}/tasks", response_model=CaseFile, summary="新增查找任务 add a task")
def add_task(case_id: Id, body: TaskIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(
        ctx, key, body, case_id, lambda s, who: service.add_task(s, who, case_id, body.kind, body.title, body.assignee)
    )


@router.post("/missing/{case_id}/tasks/{task_id}/done", response_model=CaseFile, summary="任务完成 a task done")
def finish_task(case_id: Id, task_id: Id, body: TaskDoneIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(ctx, key, body, case_id, lambda s, who: service.finish_task(s, who, case_id, task_id, body.result))


@router.post("/missing/{case_id}/sightings", response_model=CaseFile, summary="线索 a sighting")
def sighting(case_id: Id, body: SightingIn, ctx: RequestContext, key: IdempotencyKey = None):
    def move(session, who):
        service.add_sighting(session, who, case_id, body.seen_at, body.place, body.lat, body.lon, body.source,
                             body.note, body.confirmed)  # fmt: skip

    return _step(ctx, key, body, case_id, move)


@router.post("/missing/{case_id}/reviews", response_model=CaseFile, summary="按时复核 a review")
def review(case_id: Id, body: NoteIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(ctx, key, body, case_id, lambda s, who: service.review(s, who, case_id, body.note))


@router.post("/missing/{case_id}/monitor", response_model=CaseFile, summary="转入监测 keep watching")
def monitor(case_id: Id, body: NoteIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(ctx, key, body, case_id, lambda s, who: service.monitor(s, who, case_id, body.note))


@router.post("/missing/{case_id}/photo", response_model=CaseFile, summary="上传照片 the person's photo (JPEG/PNG body)")
async def upload_photo(case_id: Id, request: Request, ctx: RequestContext):
    data = await request.body()

    def work(session, who):
        service.add_photo(session, who, case_id, data)
        session.flush()
        return file_out(session, who, case_id)

    return ctx.run(work)


@router.post("/missing/{case_id}/appeals", response_model=CaseFile, summary="发布寻人启事 a public appeal")
def appeal(case_id: Id, body: AppealIn, ctx: RequestContext, key: IdempotencyKey = None):
    def move(session, who):
        service.publish_appeal(session, who, case_id, body.partner, body.text, body.with_photo, body.withdraw_by)

    return _step(ctx, key, body, case_id, move)


@router.post("/missing/{case_id}/appeals/{appeal_id}/withdraw", response_model=CaseFile, summary="撤回启事 withdraw")
def withdraw(case_id: Id, appeal_id: Id, body: NoteIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(ctx, key, body, case_id, lambda s, who: service.withdraw_appeal(s, who, case_id, appeal_id, body.note))


@router.post("/missing/{case_id}/outcome", response_model=CaseFile, summary="查找结果 how the search ended")
def outcome(case_id: Id, body: OutcomeIn, ctx: RequestContext, key: IdempotencyKey = None):
    def move(session, who):
        service.record_outcome(session, who, case_id, body.outcome, body.found_at, body.place, body.note)

    return _step(ctx, key, body, case_id, move)


@router.post("/missing/{case_id}/safe-and-well", response_model=CaseFile, summary="平安核查 then close")
def safe_and_well(case_id: Id, body: NoteIn, ctx: RequestContext, key: IdempotencyKey = None):
    return _step(ctx, key, body, case_id, lambda s, who: service.safe_and_well(s, who, case_id, body.note))


@router.get("/missing/{case_id}/reports/{day}", summary="第 3 / 7 天报告 day-3, day-7 report", response_class=Response)
def report(case_id: Id, day: Annotated[int, Path(ge=1, le=31)], ctx: RequestContext,
           format: Literal["xlsx", "html"] = "xlsx"):  # fmt: skip
    now = utcnow()
    written = ctx.fetch(lambda s, who: reports.build(service.for_report(s, who, case_id, day, now), day, now))
    name = f"missing-{case_id}-day{day}"
    if format == "html":
        return Response(reports.to_html(written), media_type="text/html; charset=utf-8")
    return Response(
        reports.to_xlsx(written),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
