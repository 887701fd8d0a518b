"""统计分析 the figures for any period and unit: each KPI beside the period before (环比) and a year earlier (同比),
by category, unit, district, day or month, with the reports to download. The same service as GET /api/v1/kpis."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from lifeline import taxonomy
from lifeline.analytics import exports, kpis, periods, service, views
from lifeline.auth.models import Organisation
from lifeline.common import CHINA
from lifeline.errors import Invalid, LifelineError
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction
from lifeline.vocabulary import Channel
from lifeline.web.pages import shell

router = APIRouter(include_in_schema=False)
# The columns of the grouped table: what a commander compares between units.
GROUP_KEYS = ("calls", "valid_incidents", "one_minute_dispatch_rate", "arrival_rate", "diversion_rate",
              "on_time_handle_rate", "satisfaction_rate", "repeat_rate")  # fmt: skip
Word = Annotated[str | None, Query(max_length=200)]


def change(now, before) -> str:
    """环比/同比 as a person reads it: +12.5%, −3.0%, or — with nothing to compare."""
    if now is None or before in (None, 0):
        return "—"
    return f"{(now - before) / before * 100:+.1f}%".replace("-", "−")


@router.get("/console/figures", response_class=HTMLResponse)
def figures_page(
    request: Request, period: Word = "month", date: Word = None, org: Word = None, category: Word = None,
    group_by: Word = "district",
):  # fmt: skip
    now = utcnow()
    asked = {"period": period or "month", "date": date or now.astimezone(CHINA).date().isoformat(),
             "org": org or "", "category": category or "", "group_by": group_by or ""}  # fmt: skip
    found, refused, channel_rows = None, "", []
    with request.app.state.readers() as session:
        orgs = session.execute(select(Organisation.code, Organisation.name).order_by(Organisation.code)).all()
        try:
            window = views.period_of(asked["period"], asked["date"], None, None, now)
            if asked["group_by"] and asked["group_by"] not in service.BY + service.TIME_BY:
                raise Invalid(
                    "分组应为 category|unit|district|day|month / group by category, unit, district, day or month"
                )
            scope = service.resolve_scope(session, asked["org"] or None, None, asked["category"] or None)
            found = service.compare(session, request.state.principal, window, scope, asked["group_by"] or None, now)
            by_channel = service.by_channel(session, window.since, min(window.until, now), scope)
            channel_rows = [(c, counts, service.channel_figures(counts)) for c in Channel if (counts :=
                            by_channel.get(c))]  # fmt: skip
        except LifelineError as exc:
            refused = exc.detail
    rows = []
    if found:
        for f, before, year in zip(found.figures, found.previous_figures, found.last_year_figures, strict=True):
            rows.append({"f": f, "before": before, "year": year, "vs_before": change(f.value, before.value),
                         "vs_year": change(f.value, year.value)})  # fmt: skip
    return shell(
        request, "figures", asked=asked, found=found, rows=rows, refused=refused, orgs=orgs,
        kinds=periods.KINDS, by=service.BY + service.TIME_BY, group_keys=GROUP_KEYS, names=kpis.BY_KEY,
        families=kpis.FAMILIES, categories=taxonomy.default().categories, channel_rows=channel_rows,
    )  # fmt: skip


@router.get("/console/exports/{kind}")
def export(request: Request, kind: str, since: Word = None, until: Word = None, format: Word = "csv",
           numbers: Word = "masked"):  # fmt: skip
    """导出 from the consoles: local days from `since` to `until` (both included), the same rows as the API's."""
    if kind not in exports.KINDS or format not in ("csv", "xlsx") or numbers not in ("masked", "full"):
        raise Invalid("导出警情或工单，格式 csv|xlsx / export incidents or orders as csv or xlsx")
    first, last = views.report_day(since, utcnow()), views.report_day(until, utcnow())
    if last < first:
        raise Invalid("结束日期须不早于开始日期 / the last day must not be before the first")
    window = periods.Period("custom", periods.day_window(first)[0], periods.day_window(last)[1])
    who = request.state.principal
    with transaction(request.app.state.sessions) as session:
        f = exports.Filter(window.since, window.until)
        exports.begin(session, who, kind, f, numbers == "full")
    return views.stream(request, who, kind, f, format, numbers == "full")
