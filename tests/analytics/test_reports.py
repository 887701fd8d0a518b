"""The daily, monthly and yearly reports, read back as a person gets them: the workbook's sheets, figures and
native charts (openpyxl), the printable page, the download on the command screen and the CLI."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from tests.web.test_consoles import login

SHEETS = [
    "报表 Report",
    "概况 Summary",
    "类别 By category",
    "构成 Mix",
    "辖区 By district",
    "时段 By hour",
    "趋势 Trend",
]


def workbook(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def summary_row(book, label_start: str) -> list:
    for row in book["概况 Summary"].iter_rows(min_row=2, values_only=True):
        if row[0].startswith(label_start):
            return list(row)
    raise AssertionError(label_start)


def test_the_daily_report_holds_the_days_figures_tables_and_charts(api, day):
    book = workbook(api.get("supervisor", "/reports/daily", params={"date": "2026-11-10"}))
    assert book.sheetnames == SHEETS
    calls = summary_row(book, "来电")
    assert calls[1:3] == [5, 0]  # this day, the day before
    assert calls[4] == 1 and calls[5] == 4.0  # one call on 2025-11-10: +400 %
    one_minute = summary_row(book, "1分钟派警率")
    assert one_minute[1] == 0.5 and book["概况 Summary"].cell(row=4, column=2).number_format == "0.0%"
    by_category = {r[0]: r[3] for r in book["类别 By category"].iter_rows(min_row=2, values_only=True)}
    assert by_category["violent_crime"] == 2 and by_category["dispute_consumer"] == 1
    hours = [r[1] for r in book["时段 By hour"].iter_rows(min_row=2, values_only=True)]
    assert sum(hours) == 5 and hours[10] == 1 and hours[12] == 2
    charts = {name: len(book[name]._charts) for name in SHEETS}
    assert charts["构成 Mix"] == charts["辖区 By district"] == charts["时段 By hour"] == charts["趋势 Trend"] == 1
    assert "共接报警求助 5 起" in book["报表 Report"]["B8"].value


def test_the_yearly_report_is_in_the_shape_the_seeds_publish(api, day):
    book = workbook(api.get("supervisor", "/reports/yearly", params={"date": "2026-06-01"}))
    text = book["报表 Report"]["B8"].value
    assert text.startswith("2026年共接报警求助 5 起，其中有效警情 3 起；刑事类 2 起，治安类 1 起")
    assert "分流率 50.0%" in text and "接通率 80.0%" in text and "1分钟派警率 50.0%" in text
    months = [r for r in book["趋势 Trend"].iter_rows(min_row=2, values_only=True)]
    assert [m[0] for m in months][:2] == ["2026年1月", "2026年2月"] and months[10][1] == 5
    last_year = summary_row(book, "来电")
    assert last_year[4] == 1 and last_year[5] == 4.0  # one call in 2025: +400 %


def test_the_printable_page_and_the_command_screens_download(api, day):
    page = api.get("supervisor", "/reports/monthly", params={"date": "2026-11-10", "format": "html"})
    assert page.status_code == 200 and "2026年11月" in page.text and "<script" not in page.text
    client, _, _ = login(api, "supervisor")
    got = client.get("/console/dashboard/report", params={"kind": "monthly", "date": "2026-11-10"})
    assert got.status_code == 200 and "lifeline-monthly-2026-11-01.xlsx" in got.headers["content-disposition"]
    assert load_workbook(io.BytesIO(got.content)).sheetnames == SHEETS


@pytest.mark.parametrize("params", [{"date": "2026-13-01"}, {"format": "pdf"}])
def test_a_report_of_no_real_day_or_format_is_refused(api, params):
    assert api.get("supervisor", "/reports/daily", params=params).status_code == 422


def test_a_call_taker_may_not_read_the_reports(api):
    assert api.get("call_taker", "/reports/daily").status_code == 403


def test_the_cli_writes_the_monthly_workbook_and_says_the_paragraph(api, day, tmp_path):
    from typer.testing import CliRunner

    from lifeline.cli import app

    url = api.client.app.state.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "november.xlsx"
    result = CliRunner().invoke(app, ["report", "monthly", "--date", "2026-11-10", "--out", str(out), "--db", url],
                                env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2026年11月共接报警求助 5 起" in result.output
    assert summary_row(load_workbook(out), "来电")[1] == 5
    bad = CliRunner().invoke(app, ["report", "monthly", "--date", "11/10", "--out", str(out), "--db", url])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
