"""Incidents and work orders of a period as CSV or Excel, with every lifecycle timestamp — streamed, so that a year
of a big city never sits in memory: rows come from the database in batches (a server-side cursor on PostgreSQL)
and leave as they come; a workbook is written row by row (openpyxl's write-only mode) to a temporary file that is
then sent in chunks and deleted.

Caller numbers are masked (138****5678) unless a supervisor asks for them in full; such an export is recorded as
one event (who, the filter, how many rows) before the first byte leaves.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from lifeline import taxonomy
from lifeline.analytics.service import EVERYTHING, Scope, incident_unit, order_unit
from lifeline.auth.models import Organisation
from lifeline.auth.permissions import mask_number
from lifeline.auth.service import Principal, require
from lifeline.common import CHINA
from lifeline.diversion import service as orders
from lifeline.diversion.models import WorkOrder
from lifeline.errors import Forbidden
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident, Report
from lifeline.store import events

BATCH = 2000  # rows fetched at a time
CHUNK = 64 * 1024  # bytes of a workbook sent at a time
FULL_NUMBERS = frozenset({"supervisor", "admin"})  # who may export caller numbers unmasked (an audited read)


# Columns: (header, how a row's value reads). Headers in Chinese with the field beside. -------------------------


def local(at: datetime | None) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") if at else ""


INCIDENT_TIMES = ("received_at", "triaged_at", "confirmed_at", "dispatched_at", "accepted_at", "en_route_at",
                  "on_scene_at", "transferred_at", "resolved_at", "closed_at", "cancelled_at")  # fmt: skip
INCIDENT_TIME_NAMES = ("接警", "研判", "确认", "派警", "接单", "出发", "到场", "移交", "处置完毕", "结案", "撤销")
ORDER_TIMES = ("sent_at", "received_at", "signed_at", "handled_at", "visited_at", "closed_at", "returned_at",
               "escalated_at", "sign_by", "handle_by")  # fmt: skip
ORDER_TIME_NAMES = ("派发", "接收", "签收", "办结", "回访", "结案", "退回", "超时上报", "签收时限", "办结时限")


@dataclass(frozen=True)
class Kind:
    """What one export lists: its header and how a database row becomes cells (pure)."""

    name: str
    header: tuple[str, ...]
    cells: Callable[[object, bool], list]


def _category(code: str) -> str:
    found = taxonomy.default().categories.get(code)
    return found.zh if found else code


def safe(cell):
    """A text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text: a caller's words are data."""
    return "'" + cell if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell


def incident_cells(row, full: bool) -> list:
    i = row.Incident
    number = i.caller_number if full else mask_number(i.caller_number)
    return [i.id, *(local(getattr(i, t)) for t in INCIDENT_TIMES), i.state, i.category, _category(i.category),
            i.disposition, i.priority, row.channel or "", number or "", i.address, row.owner or "", row.unit or "",
            i.outcome or ""]  # fmt: skip


def order_cells(row, full: bool) -> list:
    o = row.WorkOrder
    number = o.caller_number if full else mask_number(o.caller_number)
    return [o.id, o.uid, o.incident_id or "", *(local(getattr(o, t)) for t in ORDER_TIMES), o.state, o.category,
            _category(o.category), o.catalogue_item or "", row.unit or "", row.sender or "", o.limit_kind or "",
            o.limit_days if o.limit_days is not None else "", o.result or "", o.satisfaction or "", o.redo_count,
            o.returns, number or "", o.address]  # fmt: skip


INCIDENTS = Kind(
    "incidents",
    ("编号 id", *(f"{zh}时间 {t}" for zh, t in zip(INCIDENT_TIME_NAMES, INCIDENT_TIMES, strict=True)),
     "状态 state", "类别代码 category", "类别 category_zh", "处置 disposition", "等级 priority", "渠道 channel",
     "来电号码 caller_number", "地址 address", "受理单位 owner", "承办单位 unit", "处置结果 outcome"),
    incident_cells,
)  # fmt: skip
ORDERS = Kind(
    "orders",
    ("编号 id", "工单号 uid", "警情 incident_id", *(f"{zh} {t}" for zh, t in zip(ORDER_TIME_NAMES, ORDER_TIMES,
     strict=True)), "状态 state", "类别代码 category", "类别 category_zh", "事项 catalogue_item", "承办单位 unit",
     "派出单位 sender", "时限类型 limit_kind", "时限工作日 limit_days", "办理结果 result", "满意度 satisfaction",
     "重办次数 redo_count", "退回次数 returns", "来电号码 caller_number", "地址 address"),
    order_cells,
)  # fmt: skip
KINDS = {"incidents": INCIDENTS, "orders": ORDERS}


# The queries ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    since: datetime
    until: datetime
    scope: Scope = EVERYTHING
    disposition: str | None = None
    state: str | None = None
    district: str | None = None  # words the address contains

    def words(self) -> dict:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "disposition": self.disposition,
                "state": self.state, "district": self.district,
                "categories": sorted(self.scope.categories) if self.scope.categories is not None else None,
                "units": sorted(self.scope.units) if self.scope.units is not None else None}  # fmt: skip


def _org_code(org_id):
    return select(Organisation.code).where(Organisation.id == org_id).scalar_subquery()


def query(session: Session, actor: Principal, kind: str, f: Filter):
    """The rows an export lists, oldest first, within the actor's scope."""
    if kind == "incidents":
        first = aliased(Report)
        channel = (
            select(first.channel).where(first.incident_id == Incident.id).order_by(first.id).limit(1)
        ).scalar_subquery()
        unit = incident_unit()
        q = (
            select(Incident, channel.label("channel"), _org_code(Incident.owner_org_id).label("owner"),
                   _org_code(unit).label("unit"))
            .where(incidents.scope(session, actor), Incident.received_at >= f.since, Incident.received_at < f.until)
            .order_by(Incident.received_at, Incident.id)
        )  # fmt: skip
        table = Incident
    else:
        unit = order_unit()
        q = (
            select(WorkOrder, _org_code(unit).label("unit"), _org_code(WorkOrder.sender_org_id).label("sender"))
            .where(orders.scope(session, actor), WorkOrder.sent_at >= f.since, WorkOrder.sent_at < f.until)
            .order_by(WorkOrder.sent_at, WorkOrder.id)
        )  # fmt: skip
        table = WorkOrder
    if f.scope.categories is not None:
        q = q.where(table.category.in_(f.scope.categories))
    if f.scope.units is not None:
        q = q.where(unit.in_(f.scope.units))
    if f.disposition and kind == "incidents":
        q = q.where(Incident.disposition == f.disposition)
    if f.state:
        q = q.where(table.state == f.state)
    if f.district:
        q = q.where(table.address.contains(f.district, autoescape=True))
    return q.execution_options(yield_per=BATCH)


def begin(session: Session, actor: Principal, kind: str, f: Filter, full_numbers: bool) -> None:
    """Check that the actor may export this, and record an export of full numbers before it starts."""
    require(actor, "export.read")
    if full_numbers:
        if actor.role not in FULL_NUMBERS:
            raise Forbidden("只有值班长可导出完整号码 / only a supervisor may export caller numbers in full")
        events.append_all(session, [events.Entry("export.numbers", {"kind": kind, "role": actor.role, **f.words()},
                                                 actor.username, None)])  # fmt: skip


# Writing -------------------------------------------------------------------------------------------------------


def csv_lines(readers, actor: Principal, kind: str, f: Filter, full_numbers: bool) -> Iterator[bytes]:
    """The export as CSV (UTF-8 with a BOM, so that Excel reads the Chinese), a few rows of bytes at a time."""
    spec = KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(spec.header)
    with readers() as session:
        for n, row in enumerate(session.execute(query(session, actor, kind, f)), start=1):
            writer.writerow([safe(c) for c in spec.cells(row, full_numbers)])
            if n % 500 == 0:
                yield out.getvalue().encode("utf-8")
                out.seek(0)
                out.truncate()
    yield out.getvalue().encode("utf-8")


def xlsx_chunks(readers, actor: Principal, kind: str, f: Filter, full_numbers: bool) -> Iterator[bytes]:
    """The export as a workbook: written row by row to a temporary file, then sent in chunks and deleted."""
    spec = KINDS[kind]
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="lifeline-export-")
    os.close(handle)
    try:
        book = Workbook(write_only=True)
        sheet = book.create_sheet({"incidents": "警情 incidents", "orders": "工单 orders"}[kind])
        sheet.append(list(spec.header))
        with readers() as session:
            for row in session.execute(query(session, actor, kind, f)):
                sheet.append([safe(c) for c in spec.cells(row, full_numbers)])
        book.save(path)
        with open(path, "rb") as done:
            while chunk := done.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def file_name(kind: str, f: Filter, fmt: str) -> str:
    first = f.since.astimezone(CHINA).strftime("%Y%m%d")
    last = f.until.astimezone(CHINA).strftime("%Y%m%d")
    return f"lifeline-{kind}-{first}-{last}.{fmt}"
