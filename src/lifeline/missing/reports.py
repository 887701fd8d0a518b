"""The search centre's day-3 and day-7 reports (第 3 天、第 7 天查找情况报告), made from a case's file: an Excel
workbook and a printable HTML page with the same content."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from lifeline.common import CHINA, facts_sheet, printable
from lifeline.missing import grading
from lifeline.missing.service import File
from lifeline.vocabulary import MissingOutcome, MissingState, MissingTask, RiskGrade


def _t(at: datetime | None) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if at else ""


@dataclass
class Report:
    title: str
    facts: list[tuple[str, str]]  # (label, value)
    tables: list[tuple[str, list[str], list[list[str]]]]  # (sheet title, header, rows)


def build(f: File, day: int, now: datetime) -> Report:
    """What the day-`day` report says, as of `now` (the report is written once the day has come)."""
    c = f.case
    hours = ((c.found_at or c.closed_at or now) - c.reported_at).total_seconds() / 3600
    grade, state = RiskGrade(c.grade), MissingState(c.state)
    outcome = MissingOutcome(c.outcome) if c.outcome else None
    reviews = [e for e in f.timeline if e.kind == "review"]
    open_tasks = [t for t in f.tasks if t.done_at is None]
    facts = [
        ("案件编号 Case", f"#{c.id}" + (f"（警情 #{c.incident_id}）" if c.incident_id else "")),
        ("报告 Report", f"第 {day} 天查找情况报告 day-{day} report"),
        ("生成时间 Written at", _t(now)),
        ("走失人员 Person", " ".join(x for x in (c.name, c.sex, f"{c.age} 岁" if c.age is not None else "") if x)),
        ("体貌特征 Description", c.description),
        ("医疗需要 Medical needs", c.medical_needs or "—"),
        ("最后出现 Last seen", f"{c.last_seen_place} {_t(c.last_seen_at)}".strip() or "—"),
        ("报案时间 Reported", _t(c.reported_at)),
        ("走失时长 Missing for", f"{hours:.1f} 小时 hours"),
        ("风险等级 Risk", f"{grade.zh} {grade.en}"),
        ("等级依据 Why", "；".join(r[0] for r in c.grade_reasons)),
        ("复核间隔 Reviews every", f"{grading.REVIEW_EVERY[grade].total_seconds() / 3600:g} 小时 hours"),
        ("已复核 Reviews done", f"{len(reviews)} 次，最近 {_t(reviews[-1].at) if reviews else '—'}"),
        ("下次复核 Next review", _t(c.next_review_at) + ("（已超时 overdue）" if c.next_review_at < now else "")),
        ("协查范围 Alert reaches", f"{c.alert_km} 公里 km"),
        ("查找单位 Searching", f"{f.station or '—'}；{'、'.join(c.searchers) or '—'}"),
        ("状态 State", f"{state.zh} {state.en}"),
        ("结果 Outcome", f"{outcome.zh} {outcome.en} {_t(c.found_at)} {c.found_place}" if outcome else "仍在查找"),
        ("平安核查 Safe and well", f"{_t(c.safe_well_at)} {c.safe_well_by or ''} {c.safe_well_note}".strip() or "—"),
        ("待办任务 Tasks open", str(len(open_tasks))),
        ("线索 Sightings", str(len(f.sightings))),
        ("寻人启事 Appeals", "；".join(f"{name}（{'已撤回' if a.withdrawn_at else '发布中'}）" for a, name in f.appeals)
         or "—"),
    ]  # fmt: skip
    tasks = [
        [MissingTask(t.kind).zh, t.title, t.assignee, "已完成" if t.done_at else "进行中", t.result, _t(t.done_at)]
        for t in f.tasks
    ]
    sightings = [
        [_t(s.seen_at), s.place, f"{s.lat:.5f},{s.lon:.5f}" if s.lat is not None else "", s.source,
         "已核实" if s.confirmed else "待核实", s.note]
        for s in f.sightings
    ]  # fmt: skip
    timeline = [[_t(e.at), e.by, e.text] for e in f.timeline]
    return Report(
        title=f"走失人员查找情况报告（第 {day} 天）#{c.id}",
        facts=facts,
        tables=[
            ("任务 Tasks", ["类别", "任务", "承办", "状态", "结果", "完成时间"], tasks),
            ("线索 Sightings", ["发现时间", "地点", "坐标", "来源", "核实", "说明"], sightings),
            ("时间线 Timeline", ["时间", "经办", "内容"], timeline),
        ],
    )


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "概况 Summary"
    facts_sheet(summary, report.title, report.facts)
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 80
    for row in summary.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for title, header, rows in report.tables:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column, width in zip("ABCDEF", (18, 40, 16, 10, 40, 18), strict=False):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_html(report: Report) -> str:
    """A page to print: the facts, then each table."""
    return printable(report.title, report.facts, report.tables)
