"""The centre's daily, monthly and yearly reports (日报、月报、年报): one content, as an Excel workbook with native
charts and as a printable HTML page.

Sheets: 概况 (each KPI this period, the period before and a year earlier, with the changes 环比/同比, and for a
year the paragraph in the shape the provinces publish), 类别 (each category and the families, with a pie chart of
the mix), 辖区 (each district's figures, with a bar chart), 时段 (calls by hour, with a bar chart) and 趋势 (the
hours of the day for a daily report, the days of the month, the months of the year, with a line chart).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from lifeline import taxonomy
from lifeline.analytics import kpis, periods, service
from lifeline.auth.service import Principal
from lifeline.common import CHINA, facts_sheet, printable

KINDS = {"daily": "day", "monthly": "month", "yearly": "year"}
TITLES = {"daily": "日报 daily report", "monthly": "月报 monthly report", "yearly": "年报 yearly report"}
# The district table's columns: a few figures a commander compares between districts.
DISTRICT_KEYS = ("calls", "valid_incidents", "one_minute_dispatch_rate", "arrival_rate", "diversion_rate",
                 "on_time_handle_rate", "satisfaction_rate")  # fmt: skip
PERCENT = "0.0%"
VALUE_COLUMNS = (1, 2, 4)  # the summary's figures: this period, the period before, a year earlier


@dataclass
class Table:
    title: str  # the sheet's title
    header: list[str]
    rows: list[list]  # numbers stay numbers (a share as 0–1), so that Excel can sum and chart them
    percent_columns: tuple[int, ...] = ()  # 0-based columns holding shares
    chart: str | None = None  # line | bar | pie
    chart_title: str = ""
    series: int = 1  # how many value columns after the first are charted
    share_rows: frozenset[int] = frozenset()  # rows whose VALUE_COLUMNS are shares (the summary's rates)

    def percent(self, row: int, column: int) -> bool:
        return column in self.percent_columns or (row in self.share_rows and column in VALUE_COLUMNS)


@dataclass
class Report:
    kind: str
    title: str
    period: periods.Period
    made_at: datetime
    facts: list[tuple[str, str]]
    published: str  # the yearly paragraph (or the period's, for the others)
    tables: list[Table] = field(default_factory=list)


def _share(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _change(now, before) -> float | None:
    """The relative change from `before` to `now`, or None when there is nothing to compare with."""
    if now is None or before in (None, 0):
        return None
    return round((now - before) / before, 4)


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def published(c: service.Compared) -> str:
    """The period in the shape the seeds publish: total calls, valid, criminal/public order, help, disputes,
    diverted share, non-police share, answer rate, one-minute rate."""
    f = {x.key: x for x in c.figures}
    i = c.inputs
    decided = i.valid + i.invalid
    non_police = kpis.rate(i.diverted + i.invalid, decided) if decided else None
    return (
        f"{c.period.label}共接报警求助 {i.reports} 起，其中有效警情 {i.valid} 起；刑事类 {i.families['criminal']} 起，"
        f"治安类 {i.families['public_order']} 起，求助类 {i.families['help']} 起，纠纷类 {i.families['dispute']} 起。"
        f"非警务及无效警情占 {_pct(non_police)}，非警务警情分流 {i.diverted} 起，分流率 {f['diversion_rate'].shown}；"
        f"接通率 {f['answer_rate'].shown}，1分钟派警率 {f['one_minute_dispatch_rate'].shown}，"
        f"到场及时率 {f['arrival_rate'].shown}。"
    )


def _summary_table(c: service.Compared) -> Table:
    rows = []
    for now, before, year in zip(c.figures, c.previous_figures, c.last_year_figures, strict=True):
        rows.append([f"{now.zh} {now.en}", now.value, before.value, _change(now.value, before.value), year.value,
                     _change(now.value, year.value), now.formula])  # fmt: skip
    return Table(
        "概况 Summary",
        ["指标 KPI", f"本期 {c.period.label}", f"上期 {c.previous.label}", "环比 vs before",
         f"去年同期 {c.last_year.label}", "同比 vs last year", "公式 formula"],
        rows, percent_columns=(3, 5),
        share_rows=frozenset(n for n, f in enumerate(c.figures) if f.unit == kpis.SHARE),
    )  # fmt: skip


def _category_tables(groups: dict) -> list[Table]:
    names = taxonomy.default().categories
    total = sum(g.incidents for g in groups.values()) or 1
    rows = sorted(
        ([code, names[code].zh if code in names else code, kpis.FAMILIES[kpis.family(code)], g.incidents,
          round(g.incidents / total, 4), g.reports, g.diverted, g.invalid] for code, g in groups.items()),
        key=lambda r: (-r[3], r[0]),
    )  # fmt: skip
    families: dict[str, int] = {}
    for code, g in groups.items():
        families[kpis.family(code)] = families.get(kpis.family(code), 0) + g.incidents
    mix = [[f"{zh} {key}", families.get(key, 0), round(families.get(key, 0) / total, 4)]
           for key, zh in kpis.FAMILIES.items()]  # fmt: skip
    return [
        Table("类别 By category", ["类别代码 code", "类别 category", "类 family", "警情 incidents", "占比 share",
                                  "来电 calls", "分流 diverted", "无效 invalid"], rows, percent_columns=(4,)),
        Table("构成 Mix", ["类 family", "警情 incidents", "占比 share"], mix, percent_columns=(2,), chart="pie",
              chart_title="警情构成 incident mix"),
    ]  # fmt: skip


def _district_table(groups: list[service.Group]) -> Table:
    header = ["辖区 district"] + [f"{kpis.BY_KEY[k].zh} {kpis.BY_KEY[k].en}" for k in DISTRICT_KEYS]
    rows = []
    for group in groups:
        by_key = {f.key: f for f in group.figures}
        rows.append([group.zh] + [by_key[k].value for k in DISTRICT_KEYS])
    shares = tuple(n + 1 for n, k in enumerate(DISTRICT_KEYS) if kpis.BY_KEY[k].unit == kpis.SHARE)
    return Table("辖区 By district", header, rows, percent_columns=shares, chart="bar",
                 chart_title="各辖区来电 calls by district")  # fmt: skip


def _trend(session: Session, kind: str, c: service.Compared) -> Table:
    if kind == "daily":
        day = c.period.first_day
        today = service.calls_by_hour(session, day)
        before = service.calls_by_hour(session, c.previous.first_day)
        year = service.calls_by_hour(session, c.last_year.first_day)
        rows = [[f"{h:02d}:00", today[h], before[h], year[h]] for h in range(24)]
        return Table("趋势 Trend", ["时 hour", f"本日 {day}", f"前日 {c.previous.label}",
                                   f"去年同日 {c.last_year.label}"], rows, chart="line",
                     chart_title="每小时来电 calls per hour", series=3)  # fmt: skip
    parts = service.groups(session, c.period, c.now, c.scope, "day" if kind == "monthly" else "month", deadlines=False)
    rows = []
    for part in parts:
        f = {x.key: x for x in part.figures}
        rows.append([part.zh, f["calls"].value, f["valid_incidents"].value, f["diverted_count"].value,
                     f["one_minute_dispatch_rate"].value])  # fmt: skip
    return Table("趋势 Trend", ["期间 period", "来电 calls", "有效警情 valid", "分流 diverted", "1分钟派警率"], rows,
                 percent_columns=(4,), chart="line", chart_title="来电与有效警情 calls and valid incidents",
                 series=3)  # fmt: skip


def build(
    session: Session, actor: Principal, kind: str, day: date, now: datetime, scope: service.Scope = service.EVERYTHING
) -> Report:
    """The `kind` report (daily, monthly, yearly) of the period that contains `day`, as of `now`."""
    period = periods.of(KINDS[kind], day)
    c = service.compare(session, actor, period, scope, None, now)
    until = min(period.until, now) if period.since < now else period.until
    by_category = service.inputs(session, period.since, until, now, scope, "category")
    districts = service.groups(session, period, now, scope, "district")
    hours = service.hourly_calls(session, period.since, until, now)
    facts = [
        ("报表 Report", TITLES[kind]),
        ("期间 Period", f"{period.label}（{_t(period.since)} 至 {_t(period.until)}，北京时间 China time）"),
        ("生成时间 Made at", _t(now)),
        ("环比 Compared with", c.previous.label),
        ("同比 A year earlier", c.last_year.label),
    ]
    if scope.units is not None or scope.categories is not None:
        facts.append(("范围 Scope", "按所选单位或类别 for the chosen units or categories"))
    report = Report(kind, f"{period.label} 110/12345 {TITLES[kind]}", period, now, facts, published(c))
    report.tables = [
        _summary_table(c),
        *_category_tables(by_category),
        _district_table(districts),
        Table(
            "时段 By hour",
            ["时 hour", "来电 calls"],
            [[f"{h:02d}:00", n] for h, n in enumerate(hours)],
            chart="bar",
            chart_title="各时段来电 calls by hour",
        ),
        _trend(session, kind, c),
    ]
    return report


def _t(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


# Excel ---------------------------------------------------------------------------------------------------------


def _chart(table: Table, sheet) -> None:
    rows = len(table.rows)
    if not rows or table.chart is None:
        return
    labels = Reference(sheet, min_col=1, min_row=2, max_row=rows + 1)
    if table.chart == "pie":
        chart = PieChart()
        chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=rows + 1), titles_from_data=True)
    else:
        chart = LineChart() if table.chart == "line" else BarChart()
        chart.add_data(
            Reference(sheet, min_col=2, max_col=1 + table.series, min_row=1, max_row=rows + 1), titles_from_data=True
        )
        chart.y_axis.title = table.header[1]
    chart.set_categories(labels)
    chart.title = table.chart_title
    chart.width, chart.height = 22, 11
    sheet.add_chart(chart, f"{chr(ord('A') + len(table.header) + 1)}2")


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    cover = book.active
    cover.title = "报表 Report"
    facts_sheet(cover, report.title, report.facts)
    cover.append([])
    cover.append(["通报 Summary", report.published])
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 120
    for table in report.tables:
        sheet = book.create_sheet(table.title)
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for n, row in enumerate(table.rows):
            sheet.append(row)
            for column in range(len(row)):
                if table.percent(n, column):
                    sheet.cell(row=n + 2, column=column + 1).number_format = PERCENT
        sheet.column_dimensions["A"].width = 26
        for column in range(2, len(table.header) + 1):
            sheet.column_dimensions[chr(ord("A") + column - 1)].width = 16
        sheet.freeze_panes = "B2"
        _chart(table, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# HTML ----------------------------------------------------------------------------------------------------------


def _cell(value, percent: bool) -> str:
    if value is None:
        return "—"
    if percent and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    return str(value)


def to_html(report: Report) -> str:
    """A page to print: the facts, the paragraph, then each table."""
    tables = (
        (t.title, t.header, ([_cell(v, t.percent(n, c)) for c, v in enumerate(row)] for n, row in enumerate(t.rows)))
        for t in report.tables
    )
    return printable(report.title, report.facts, tables, report.published)
