"""Exports of incidents and orders: every lifecycle time, masked numbers unless a supervisor asks (and that is
recorded), the reader's scope, read back as CSV and as a workbook — and streamed: a 100k-row period takes no more
memory than a 10k-row one."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import insert, select

from lifeline.analytics import exports
from lifeline.auth.models import Organisation
from lifeline.auth.service import SYSTEM
from lifeline.common import CHINA
from lifeline.incidents.models import Incident, Report
from lifeline.store.events import Event

from .conftest import DAY

WINDOW = {"since": DAY.isoformat(), "until": (DAY + timedelta(days=1)).isoformat()}


def rows(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith("\ufeff".encode())  # Excel reads the Chinese
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_days_incidents_with_every_time_and_masked_numbers(api, day):
    got = rows(api.get("dispatcher", "/exports/incidents", params=WINDOW))
    assert len(got) == 5 and int(got[0]["编号 id"]) == day["knife"]
    knife = got[0]
    assert (
        knife["接警时间 received_at"] == "2026-11-10 10:00:00"
        and knife["派警时间 dispatched_at"] == "2026-11-10 10:00:50"
    )
    assert knife["到场时间 on_scene_at"] == "2026-11-10 10:04:00" and knife["承办单位 unit"] == "PS1"
    assert knife["来电号码 caller_number"] == "138****0001" and knife["渠道 channel"] == "voice"
    criminal = rows(api.get("dispatcher", "/exports/incidents", params={**WINDOW, "category": "criminal"}))
    assert len(criminal) == 2
    assert api.get("dispatcher", "/exports/incidents", params={**WINDOW, "numbers": "full"}).status_code == 403


def test_a_supervisors_export_of_full_numbers_is_recorded(api, day):
    got = rows(api.get("supervisor", "/exports/incidents", params={**WINDOW, "numbers": "full"}))
    assert got[0]["来电号码 caller_number"] == "13800000001"
    with api.client.app.state.engine.connect() as connection:
        recorded = connection.execute(select(Event.actor).where(Event.kind == "export.numbers")).all()
    assert len(recorded) == 1


def test_orders_as_a_workbook_and_a_department_sees_its_own(api, day):
    answer = api.get("agency_handler", "/exports/orders", params={**WINDOW, "format": "xlsx"})
    assert (
        answer.status_code == 200 and "lifeline-orders-20261110-20261111.xlsx" in answer.headers["content-disposition"]
    )
    sheet = load_workbook(io.BytesIO(answer.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert len(table) == 2 and table[0][0] == "编号 id"
    order = dict(zip(table[0], table[1], strict=True))
    assert order["签收 signed_at"] == "2026-11-10 12:10:00" and order["办结 handled_at"] == "2026-11-13 20:00:00"
    assert order["承办单位 unit"] == "MARKET" and order["来电号码 caller_number"] == "138****0003"
    other = api.get("urban_handler", "/exports/orders", params=WINDOW)
    assert other.status_code == 200 and len(rows(other)) == 0  # not its order


def test_an_export_names_its_period(api):
    assert api.get("supervisor", "/exports/incidents", params={"since": WINDOW["since"]}).status_code == 422
    assert api.get("call_taker", "/exports/incidents", params=WINDOW).status_code == 403
    assert api.get("supervisor", "/exports/weather", params=WINDOW).status_code == 422


def _load(api, n: int, start: datetime) -> None:
    """n incidents with their reports, one a minute from `start` (inserted in bulk: the test is the export)."""
    with api.client.app.state.engine.begin() as connection:
        owner = connection.execute(select(Organisation.id).where(Organisation.code == "C110")).scalar_one()
        first = (connection.execute(select(Incident.id).order_by(Incident.id.desc()).limit(1)).scalar() or 0) + 1
        for base in range(0, n, 10_000):
            ids = range(first + base, first + min(base + 10_000, n))
            stamps = [start + timedelta(minutes=k - first) for k in ids]
            connection.execute(insert(Incident), [
                {"id": k, "state": "closed", "owner_org_id": owner, "category": "noise", "disposition": "divert",
                 "priority": 4, "destinations": [], "suggestion": {}, "caller_number": f"139{k:08d}",
                 "address": "幸福路 1 号", "summary": "楼上装修太吵", "received_at": at, "closed_at": at,
                 "updated_at": at, "needs_confirmation": False, "callback_required": False}
                for k, at in zip(ids, stamps, strict=True)])  # fmt: skip
            connection.execute(insert(Report), [
                {"incident_id": k, "origin_incident_id": k, "channel": "voice", "caller_number": f"139{k:08d}",
                 "caller_name": "", "text": "楼上装修太吵", "location_text": "", "received_at": at, "answered_at": at,
                 "created_at": at}
                for k, at in zip(ids, stamps, strict=True)])  # fmt: skip


def _peak(api, since: datetime, until: datetime) -> tuple[int, int]:
    """(rows, peak bytes traced) while the whole export streams through."""
    f = exports.Filter(since, until)
    tracemalloc.start()
    lines = sum(chunk.count(b"\n") for chunk in exports.csv_lines(api.client.app.state.readers, SYSTEM, "incidents",
                                                                 f, False))  # fmt: skip
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return lines - 1, peak


def test_a_100k_row_period_streams_in_the_memory_of_a_10k_one(database, tmp_path):
    url, tokens = database
    if not url.startswith("sqlite"):
        return  # memory is the code's, not the server's: one database is enough
    from fastapi.testclient import TestClient
    from tests.conftest import Api

    from lifeline.settings import Settings
    from lifeline.web.app import create_app

    start = datetime(2025, 1, 1, tzinfo=CHINA).astimezone(UTC)
    with TestClient(create_app(Settings(database_url=url))) as client:
        api = Api(client, tokens)
        _load(api, 100_000, start)
        small_rows, small = _peak(api, start, start + timedelta(minutes=10_000))
        big_rows, big = _peak(api, start, start + timedelta(minutes=100_000))
    print(
        f"export peak: {small_rows} rows {small / 1e6:.2f} MB, {big_rows} rows {big / 1e6:.2f} MB, x{big / small:.2f}"
    )
    assert (small_rows, big_rows) == (10_000, 100_000)
    assert big <= 1.5 * small


def test_the_cli_exports_a_period(api, day, tmp_path):
    from typer.testing import CliRunner

    from lifeline.cli import app

    url = api.client.app.state.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "incidents.csv"
    done = CliRunner().invoke(app, ["export", "incidents", "--since", WINDOW["since"], "--until", WINDOW["until"],
                                    "--out", str(out), "--db", url])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))) == 5
    bad = CliRunner().invoke(app, ["export", "incidents", "--since", "yesterday", "--until", WINDOW["until"],
                                   "--out", str(out), "--db", url])  # fmt: skip
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_a_cell_a_spreadsheet_would_run_is_kept_as_text():
    assert exports.safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and exports.safe("@x") == "'@x"
    assert exports.safe("幸福路") == "幸福路" and exports.safe(-3) == -3
