"""HTTP route of the KPIs (thin): read-only, on a reader session that never takes SQLite's write lock."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from lifeline.analytics import exports, periods, reports, service
from lifeline.analytics.schemas import ChannelOut, FigureOut, KpiOut
from lifeline.api.context import RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import YEARS, query_time
from lifeline.common import CHINA
from lifeline.errors import Invalid
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction
from lifeline.vocabulary import Channel

router = APIRouter(responses=RESPONSES)
LONGEST = timedelta(days=400)


def period_of(kind: str | None, day: str | None, since: str | None, until: str | None, now) -> periods.Period:
    """The period a query names: a calendar period (`period` and a `date` in it, default today) or a custom
    [since, until) (until defaults to now); by default today so far."""
    if kind and (since or until):
        raise Invalid("period 与 since/until 只能给一种 / give either period (with date) or since/until")
    if kind:
        if kind not in periods.KINDS:
            raise Invalid(f"period 应为 {'|'.join(periods.KINDS)} / period must be one of {', '.join(periods.KINDS)}")
        try:
            on = date.fromisoformat(day) if day else now.astimezone(CHINA).date()
        except ValueError as exc:
            raise Invalid(f"date 应为 YYYY-MM-DD / date must be a day such as 2026-10-01: {day!r}") from exc
        if on.year not in YEARS:
            raise Invalid(f"date 超出范围 / date is out of range: {day!r}")
        return periods.of(kind, on)
    start = query_time(since, "since") or service.today(now)[0]
    end = query_time(until, "until") or now
    if end <= start:
        raise Invalid("until 须晚于 since / until must be later than since")
    if end - start > LONGEST:
        raise Invalid(f"时间窗口最长 {LONGEST.days} 天 / the window is at most {LONGEST.days} days")
    return periods.custom(start, end)


Text = Annotated[str | None, Query(max_length=200)]


@router.get("/kpis", response_model=KpiOut, tags=["analytics"], summary="指标：任意期间、任意单位、环比同比 the KPIs")
def read_kpis(
    ctx: RequestContext,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认今日零点（UTC+8）")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认现在 default now")] = None,
    period: Annotated[
        str | None, Query(max_length=10, description="day|week|month|quarter|year（代替 since/until）")
    ] = None,
    date_: Annotated[
        str | None, Query(alias="date", max_length=10, description="期间内的一天 YYYY-MM-DD，默认今天")
    ] = None,
    org: Annotated[str | None, Query(max_length=64, description="机构代码（含下级）an organisation's code")] = None,
    district: Annotated[str | None, Query(max_length=200, description="辖区代码或名称 a district")] = None,
    category: Annotated[str | None, Query(max_length=400, description="类别代码或类（criminal 等），逗号分隔")] = None,
    group_by: Annotated[str | None, Query(max_length=10, description="category|unit|district|day|month")] = None,
):
    now = utcnow()
    asked = period_of(period, date_, since, until, now)
    if group_by and group_by not in service.BY + service.TIME_BY:
        raise Invalid(f"group_by 应为 {'|'.join(service.BY + service.TIME_BY)} / group_by is one of those")
    with ctx.request.app.state.readers() as session:
        who = ctx.principal(session)
        scope = service.resolve_scope(session, org, district, category)
        compared = service.compare(session, who, asked, scope, group_by, now)
        board = service.dashboard(session, who, asked.since, min(asked.until, now), now, inputs=compared.inputs)
        out = KpiOut.of(board, compared)
        out.channels = channels_out(service.by_channel(session, asked.since, min(asked.until, now), scope))
        return out


def channels_out(counts: dict[str, service.ChannelCounts]) -> list[ChannelOut]:
    """Each channel with contacts in the window, in the vocabulary's order."""
    return [
        ChannelOut(channel=c.value, zh=c.zh, en=c.en, reports=counts[c].reports, answered=counts[c].answered,
                   figures=[FigureOut.of(f) for f in service.channel_figures(counts[c])])
        for c in Channel if c in counts
    ]  # fmt: skip


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send(report: reports.Report, format: str) -> Response:
    """A report as a download (xlsx) or a page to print (html)."""
    if format == "html":
        return Response(reports.to_html(report), media_type="text/html; charset=utf-8")
    name = f"lifeline-{report.kind}-{report.period.first_day.isoformat()}.xlsx"
    return Response(reports.to_xlsx(report), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def report_day(raw: str | None, now) -> date:
    if not raw:
        return now.astimezone(CHINA).date()
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(f"date 应为 YYYY-MM-DD / date must be a day such as 2026-10-01: {raw!r}") from exc
    if day.year not in YEARS:
        raise Invalid(f"date 超出范围 / date is out of range: {raw!r}")
    return day


@router.get("/reports/{kind}", response_class=Response, tags=["analytics"],
            summary="日报、月报、年报（Excel 或打印页）daily, monthly, yearly report")  # fmt: skip
def read_report(
    kind: Literal["daily", "monthly", "yearly"],
    ctx: RequestContext,
    date_: Annotated[str | None, Query(alias="date", max_length=10, description="期间内的一天 YYYY-MM-DD")] = None,
    format: Literal["xlsx", "html"] = "xlsx",
    org: Annotated[str | None, Query(max_length=64)] = None,
    district: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=400)] = None,
):
    now = utcnow()
    day = report_day(date_, now)
    with ctx.request.app.state.readers() as session:
        who = ctx.principal(session)
        scope = service.resolve_scope(session, org, district, category)
        return send(reports.build(session, who, kind, day, now, scope), format)


def export_filter(session, since, until, org, district, category, disposition, state, now) -> exports.Filter:
    """The rows an export asks for: a period (both ends, at most LONGEST) and the filters of the lists."""
    if not since or not until:
        raise Invalid("导出须给出 since 与 until / an export needs since and until")
    window = period_of(None, None, since, until, now)
    return exports.Filter(window.since, window.until, service.resolve_scope(session, org, None, category),
                          disposition, state, district)  # fmt: skip


def stream(request, who, kind: str, f: exports.Filter, format: str, full: bool) -> StreamingResponse:
    readers = request.app.state.readers
    if format == "xlsx":
        body, media = exports.xlsx_chunks(readers, who, kind, f, full), XLSX
    else:
        body, media = exports.csv_lines(readers, who, kind, f, full), "text/csv; charset=utf-8"
    name = exports.file_name(kind, f, format)
    return StreamingResponse(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/exports/{kind}", response_class=StreamingResponse, tags=["analytics"],
            summary="导出警情或工单（CSV/Excel，含全部环节时间）export incidents or orders")  # fmt: skip
def export(
    kind: Literal["incidents", "orders"],
    ctx: RequestContext,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601，必填 required")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601，必填 required")] = None,
    format: Literal["csv", "xlsx"] = "csv",
    org: Annotated[str | None, Query(max_length=64)] = None,
    district: Annotated[str | None, Query(max_length=200, description="地址包含的文字 words in the address")] = None,
    category: Annotated[str | None, Query(max_length=400)] = None,
    disposition: Annotated[str | None, Query(max_length=16)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    numbers: Literal["masked", "full"] = "masked",
):
    now = utcnow()
    with transaction(ctx.request.app.state.sessions) as session:  # the audit of full numbers commits first
        who = ctx.principal(session)
        f = export_filter(session, since, until, org, district, category, disposition, state, now)
        exports.begin(session, who, kind, f, numbers == "full")
    return stream(ctx.request, who, kind, f, format, numbers == "full")
