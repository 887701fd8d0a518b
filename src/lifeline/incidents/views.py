"""HTTP routes of reports and incidents (thin: parse, call the service, shape the answer)."""

from __future__ import annotations

import base64
import csv
import io
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import IncidentId, query_time
from lifeline.auth.service import require
from lifeline.desk import flows
from lifeline.errors import Invalid
from lifeline.incidents import service
from lifeline.incidents.schemas import (
    CALLER_READ_COLUMNS,
    AuditOut,
    CallerOut,
    CallerRead,
    CallerReadList,
    Done,
    EventList,
    EventOut,
    IncidentOut,
    IncidentPage,
    IntakeOut,
    LocationIn,
    MergeIn,
    NoteIn,
    ReportCreate,
    RevealOut,
    TransitionIn,
    caller_read_row,
)
from lifeline.triage import triage
from lifeline.vocabulary import Disposition, IncidentState

router = APIRouter(responses=RESPONSES)

State = IncidentState


@router.post(
    "/reports", status_code=201, response_model=IntakeOut, tags=["reports"], summary="接警录入 intake a report"
)
def create_report(body: ReportCreate, ctx: RequestContext, key: IdempotencyKey = None):
    suggestion = triage(body.text, body.channel)  # the CPU work, before the write lock is taken

    def work(session, who):
        return IntakeOut.of(service.intake(session, who, body.to_domain(), suggestion))

    return ctx.run(work, status=201, key=key, body=body)


def _cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        value = int(base64.urlsafe_b64decode(raw.encode() + b"==").decode())
    except ValueError as exc:
        raise Invalid("游标无效，请使用上一页返回的 next_cursor / invalid cursor: use next_cursor as given") from exc
    if not 1 <= value <= 2**31:
        raise Invalid("游标无效 / invalid cursor")
    return value


@router.get("/incidents", response_model=IncidentPage, tags=["incidents"], summary="警情列表 list incidents")
def list_incidents(
    ctx: RequestContext,
    state: Annotated[list[State] | None, Query()] = None,
    disposition: Disposition | None = None,
    category: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")] = None,
    priority: Annotated[int | None, Query(ge=1, le=4)] = None,
    since: Annotated[str | None, Query(description="ISO 8601 时间 with timezone")] = None,
    until: Annotated[str | None, Query(description="ISO 8601 时间 with timezone")] = None,
    caller_number: Annotated[str | None, Query(max_length=32, pattern=r"^[0-9+\- ]+$")] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    filters = service.Filters(
        state=state,
        disposition=disposition,
        category=category,
        priority=priority,
        since=query_time(since, "since"),
        until=query_time(until, "until"),
        caller_number=caller_number,
    )
    after = _cursor(cursor)

    def work(session, who):
        rows = service.listing(session, who, filters, after, limit)
        more = len(rows) == limit
        token = base64.urlsafe_b64encode(str(rows[-1].id).encode()).decode().rstrip("=") if more else None
        return IncidentPage(items=[IncidentOut.of(i) for i in rows], next_cursor=token)

    return ctx.run(work)


@router.get("/incidents/{incident_id}", response_model=IncidentOut, tags=["incidents"], summary="警情详情")
def read_incident(incident_id: IncidentId, ctx: RequestContext):
    return ctx.run(lambda s, who: IncidentOut.of(_readable(s, who, incident_id)))


def _readable(session, who, incident_id):
    require(who, "incident.read")
    return service.get(session, who, incident_id)


@router.post("/incidents/{incident_id}/transitions", response_model=IncidentOut, tags=["incidents"], summary="状态流转")
def move(incident_id: IncidentId, body: TransitionIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: IncidentOut.of(service.transition(s, who, incident_id, body.to, body.reason, body.org)),
        key=key,
        body=body,
    )


@router.post("/incidents/{incident_id}/notes", status_code=201, response_model=Done, tags=["incidents"])
def note(incident_id: IncidentId, body: NoteIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        service.add_note(session, who, incident_id, body.text)
        return Done()

    return ctx.run(work, status=201, key=key, body=body)


@router.post(
    "/incidents/{incident_id}/location", response_model=IncidentOut, tags=["incidents"], summary="标点 pin the place"
)
def locate(incident_id: IncidentId, body: LocationIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(
        lambda s, who: IncidentOut.of(service.pin(s, who, incident_id, body.lat, body.lon)), key=key, body=body
    )


@router.get("/incidents/{incident_id}/events", response_model=EventList, tags=["incidents"], summary="警情历史")
def incident_events(incident_id: IncidentId, ctx: RequestContext):
    def work(session, who):
        rows = service.history(session, who, incident_id)
        return EventList(items=[EventOut(seq=e.seq, at=e.at, kind=e.kind, actor=e.actor, payload=e.data) for e in rows])

    return ctx.run(work)


@router.post("/incidents/{incident_id}/merge", response_model=IncidentOut, tags=["incidents"], summary="合并重复警情")
def merge(incident_id: IncidentId, body: MergeIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: IncidentOut.of(service.merge(s, who, incident_id, body.source)), key=key, body=body)


@router.post("/incidents/{incident_id}/unmerge", response_model=IncidentOut, tags=["incidents"], summary="撤销合并")
def unmerge(incident_id: IncidentId, body: MergeIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: IncidentOut.of(service.unmerge(s, who, incident_id, body.source)), key=key, body=body)


@router.get(
    "/incidents/{incident_id}/caller", response_model=RevealOut, tags=["callers"], summary="查看完整来电号码（留痕）"
)
def reveal(incident_id: IncidentId, ctx: RequestContext):
    def work(session, who):
        got = flows.reveal_caller(session, who, incident_id)
        return RevealOut(number=got["number"], history=CallerOut.of(got["history"], masked=False))

    return ctx.run(work)


@router.get("/callers/{number}", response_model=CallerOut, tags=["callers"], summary="来电人历史（留痕）")
def caller(number: Annotated[str, Path(max_length=32, pattern=r"^\+?[0-9][0-9\- ]*$")], ctx: RequestContext):
    return ctx.run(lambda s, who: CallerOut.of(service.caller_history(s, who, number), masked=False))


@router.get(
    "/audit/caller-reads", response_model=CallerReadList, tags=["audit"], summary="来电人信息查看记录 who read callers"
)
def caller_reads(
    ctx: RequestContext,
    number: Annotated[str | None, Query(max_length=32, pattern=r"^\+?[0-9][0-9\- ]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    format: Annotated[str, Query(pattern="^(json|csv)$", description="csv: 导出 export")] = "json",
):
    """Every read of a caller's full number or history (who, when, which number, from which incident)."""

    def work(session, who):
        return CallerReadList(items=[CallerRead.of(e) for e in service.caller_reads(session, who, number, limit)])

    answer = ctx.run(work)
    if format != "csv" or answer.status_code != 200:
        return answer
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CALLER_READ_COLUMNS)
    writer.writerows(caller_read_row(r) for r in CallerReadList.model_validate_json(answer.body).items)
    disposition = 'attachment; filename="caller-reads.csv"'
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})


@router.get("/audit/verify", response_model=AuditOut, tags=["audit"], summary="校验事件哈希链 verify the event chain")
def audit_verify(ctx: RequestContext):
    def work(session, who):
        got = service.audit(session, who)
        return AuditOut(
            ok=got.ok, events=got.events, incidents=got.incidents, broken_seq=got.broken_seq, problem=got.problem
        )

    return ctx.run(work)
