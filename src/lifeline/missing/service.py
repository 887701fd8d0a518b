"""Missing-person cases carried to their end: opened from a call or by hand, graded, searched, reviewed on time,
appealed to the public through partners, and closed only after the found person's safe-and-well check.

The only writer of the missing_* tables. Every step is a line of the case's timeline and an event of the log.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from lifeline.analytics import kpis
from lifeline.auth import permissions
from lifeline.auth.models import Organisation
from lifeline.auth.service import SYSTEM, Principal, org_by_code, require, subtree
from lifeline.common import sha256
from lifeline.errors import Conflict, Invalid, NotFound
from lifeline.geo import service as geo
from lifeline.incidents import service as incidents
from lifeline.missing import grading
from lifeline.missing.models import (
    Appeal,
    CaseEntry,
    MissingCase,
    MissingPhoto,
    RegionalAlert,
    SearchTask,
    Sighting,
)
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.vocabulary import FOUND_ALIVE, MISSING_MOVES, MissingOutcome, MissingState, MissingTask, RiskGrade

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# What a photo is, read from its first bytes (the upload's own claim is not trusted).
PHOTO_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}

# The tasks every search starts with (查找); the desk adds more.
STANDARD_TASKS = (
    (MissingTask.SEARCH_PLACE, "最后出现地点周边搜寻 / search around where last seen"),
    (MissingTask.CCTV, "调取最后出现地点周边监控 / CCTV around where last seen"),
    (MissingTask.HOSPITALS, "查询医院、救助站 / hospitals and shelters"),
    (MissingTask.TRANSPORT, "查询车站、公交、出租车 / stations, buses, taxis"),
    (MissingTask.FAMILY, "联系亲友、同学、同事 / family, friends, school or work"),
)


def _log(session: Session, actor: Principal, case: MissingCase, kind: str, text: str, **payload) -> None:
    """One line of the case's timeline, and the same step in the hash-chained event log."""
    at = utcnow()
    case.updated_at = at
    session.add(CaseEntry(case_id=case.id, kind=kind, text=text, by=actor.username, at=at))
    events.append(
        session,
        f"missing.{kind}",
        {"case": case.id, "state": case.state, "grade": case.grade, "text": text, **payload},
        actor=actor.username,
        incident_id=case.incident_id,
    )


# Scope ---------------------------------------------------------------------------------------------------


def scope(session: Session, actor: Principal):
    """Cases `actor` may see: opened by their part of the tree, or given to a station in it."""
    if permissions.sees_all(actor.role):
        return true()
    orgs = subtree(session, actor.org_id)
    return or_(MissingCase.owner_org_id.in_(orgs), MissingCase.station_org_id.in_(orgs))


def get(session: Session, actor: Principal, case_id: int, *, lock: bool = False) -> MissingCase:
    require(actor, "missing.read")
    query = select(MissingCase).where(MissingCase.id == case_id, scope(session, actor))
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise NotFound(f"走失案件 {case_id} 不存在或无权查看 / no missing-person case {case_id} of yours")
    return case


def _open(session: Session, actor: Principal, case_id: int) -> MissingCase:
    """The case, locked, for a step; a closed case takes no more steps."""
    require(actor, "missing.write")
    case = get(session, actor, case_id, lock=True)
    if case.state == MissingState.CLOSED:
        raise Conflict(f"案件 {case_id} 已结案 / case {case_id} is closed")
    return case


def _move(case: MissingCase, to: MissingState) -> None:
    if to != case.state and to not in MISSING_MOVES[MissingState(case.state)]:
        state = MissingState(case.state)
        raise Conflict(f"案件处于“{state.zh}”，不能转为“{to.zh}” / a case {state.en} cannot become {to.en}")
    case.state = to


# Opening ---------------------------------------------------------------------------------------------------


@dataclass
class CaseIn:
    incident_id: int | None = None
    name: str = ""
    age: int | None = None
    sex: str = ""
    description: str = ""
    medical_needs: str = ""
    contact: str = ""
    last_seen_place: str = ""
    last_seen_lat: float | None = None
    last_seen_lon: float | None = None
    last_seen_at: datetime | None = None
    reported_at: datetime | None = None  # by hand: when the family first reported it (default now)
    grade: str | None = None  # a person's grade; without one the software's suggestion stands until assessed
    grade_reason: str = ""
    station: str | None = None  # the station that searches (an organisation code)
    searchers: list[str] = field(default_factory=list)


def _words(session: Session, actor: Principal, data: CaseIn) -> tuple[str, object]:
    """What the caller said (every report of the incident) and the incident, when the case comes from one."""
    if data.incident_id is None:
        return "", None
    incident = incidents.get(session, actor, data.incident_id)
    said = " ".join(r.text for r in incident.reports)
    return said, incident


def open_case(session: Session, actor: Principal, data: CaseIn, now: datetime | None = None) -> MissingCase:
    """A case from a missing_person incident (its words, place and time fill what the form left empty) or by hand."""
    require(actor, "missing.write")
    now = now or utcnow()
    said, incident = _words(session, actor, data)
    if incident is not None:
        earlier = session.scalar(select(MissingCase.id).where(MissingCase.incident_id == incident.id))
        if earlier is not None:
            raise Conflict(f"警情 {incident.id} 已有走失案件 #{earlier} / incident {incident.id} has case #{earlier}")
    reported_at = data.reported_at or (incident.received_at if incident is not None else now)
    if reported_at > now + timedelta(minutes=5):
        raise Invalid("报案时间不能晚于现在 / reported_at cannot be in the future")
    if data.last_seen_at is not None and data.last_seen_at > now + timedelta(minutes=5):
        raise Invalid("最后出现时间不能晚于现在 / last_seen_at cannot be in the future")
    description = data.description or said
    if not (data.name or description):
        raise Invalid("请填写走失人员姓名或体貌特征 / give the person's name or a description")
    suggested = grading.suggest(f"{said} {data.description}", data.age, data.medical_needs)
    grade = RiskGrade(data.grade) if data.grade else suggested.grade
    reasons = [list(r) for r in suggested.reasons]
    if data.grade:
        reasons.insert(0, [f"人工定级：{data.grade_reason or '—'}", f"set by a person: {data.grade_reason or '—'}"])
    place, lat, lon = data.last_seen_place, data.last_seen_lat, data.last_seen_lon
    if incident is not None and not place:
        place, lat, lon = incident.address, incident.lat, incident.lon
    if place and (lat is None or lon is None):
        match = geo.locate(session, place)
        if match is not None and not match.needs_confirming:
            lat, lon = match.lat, match.lon
    case = MissingCase(
        state=MissingState.ASSESSED if data.grade else MissingState.REPORTED,
        incident_id=incident.id if incident is not None else None,
        owner_org_id=actor.org_id,
        searchers=list(data.searchers),
        name=data.name, age=data.age if data.age is not None else grading.age_in(f"{said} {data.description}"),
        sex=data.sex, description=description, medical_needs=data.medical_needs, contact=data.contact,
        last_seen_place=place, last_seen_lat=lat, last_seen_lon=lon, last_seen_at=data.last_seen_at,
        grade=grade, grade_reasons=reasons, suggested_grade=suggested.grade,
        graded_by=actor.username if data.grade else None,
        next_review_at=grading.next_review(grade, now), alert_km=grading.alert_km(grade, reported_at, now),
        found_place="", outcome_note="", safe_well_note="",
        reported_at=reported_at, opened_by=actor.username, updated_at=now,
    )  # fmt: skip
    session.add(case)
    session.flush()
    grade_term = RiskGrade(grade)
    _log(session, actor, case, "opened", f"立案，风险等级“{grade_term.zh}” / case opened, risk {grade_term.en}")
    for kind, title in STANDARD_TASKS:
        session.add(SearchTask(case_id=case.id, kind=kind, title=title, created_by=actor.username))
    session.add(SearchTask(case_id=case.id, kind=MissingTask.ALERT, created_by=actor.username,
                           title=f"协查通报 {case.alert_km} 公里 / regional alert {case.alert_km} km"))  # fmt: skip
    if data.station:
        _assign(session, actor, case, data.station, data.searchers)
    return case


# 研判 and 查找 -------------------------------------------------------------------------------------------------


def set_grade(session: Session, actor: Principal, case_id: int, grade: str, reason: str) -> MissingCase:
    """A person sets the grade (研判); the review interval follows it from now."""
    case = _open(session, actor, case_id)
    if not reason.strip():
        raise Invalid("定级须说明理由 / say why the grade is what it is")
    new = RiskGrade(grade)
    case.grade, case.graded_by = new, actor.username
    case.grade_reasons = [[f"人工定级：{reason.strip()}", f"set by a person: {reason.strip()}"], *case.grade_reasons]
    case.next_review_at = grading.next_review(new, utcnow())
    if case.state == MissingState.REPORTED:
        _move(case, MissingState.ASSESSED)
    _log(session, actor, case, "graded", f"风险等级定为“{new.zh}”：{reason.strip()} / risk set to {new.en}")
    return case


def _assign(session: Session, actor: Principal, case: MissingCase, station: str, searchers: list[str]) -> None:
    org = org_by_code(session, station)
    if org.kind != "police_station":
        raise Invalid(f"{station} 不是派出所 / {station} is not a police station")
    case.station_org_id, case.searchers = org.id, list(searchers)
    if case.state in (MissingState.REPORTED, MissingState.ASSESSED, MissingState.MONITORING):
        _move(case, MissingState.SEARCHING)
    names = "、".join(searchers) or "—"
    _log(session, actor, case, "assigned", f"交 {org.name} 查找，查找人员：{names} / searching: {org.code}")


def assign(session: Session, actor: Principal, case_id: int, station: str, searchers: list[str]) -> MissingCase:
    case = _open(session, actor, case_id)
    _assign(session, actor, case, station, searchers)
    return case


def monitor(session: Session, actor: Principal, case_id: int, note: str) -> MissingCase:
    """监测: the active search ends without a find; the case stays open, watched (databases, sightings, reviews)."""
    case = _open(session, actor, case_id)
    _move(case, MissingState.MONITORING)
    _log(session, actor, case, "monitoring", f"转入监测：{note} / now monitored")
    return case


def add_task(session: Session, actor: Principal, case_id: int, kind: str, title: str, assignee: str) -> SearchTask:
    case = _open(session, actor, case_id)
    if not title.strip():
        raise Invalid("请填写任务内容 / say what the task is")
    task = SearchTask(case_id=case.id, kind=MissingTask(kind), title=title, assignee=assignee,
                      created_by=actor.username)  # fmt: skip
    session.add(task)
    session.flush()
    _log(session, actor, case, "task", f"新增任务：{title}（{assignee or '未指定'}） / task added")
    return task


def finish_task(session: Session, actor: Principal, case_id: int, task_id: int, result: str) -> SearchTask:
    case = _open(session, actor, case_id)
    task = session.scalar(select(SearchTask).where(SearchTask.id == task_id, SearchTask.case_id == case.id))
    if task is None:
        raise NotFound(f"案件 {case_id} 没有任务 {task_id} / case {case_id} has no task {task_id}")
    if task.done_at is not None:
        raise Conflict(f"任务 {task_id} 已完成 / task {task_id} is already done")
    if not result.strip():
        raise Invalid("请填写任务结果 / say what the task found")
    task.result, task.done_by, task.done_at = result.strip(), actor.username, utcnow()
    _log(session, actor, case, "task_done", f"完成任务：{task.title}：{task.result} / task done")
    return task


def add_sighting(
    session: Session, actor: Principal, case_id: int, seen_at: datetime, place: str, lat: float | None,
    lon: float | None, source: str, note: str, confirmed: bool,
) -> Sighting:  # fmt: skip
    """A sighting (线索): where and when, placed on the map from its coordinates or its typed place."""
    case = _open(session, actor, case_id)
    if seen_at > utcnow() + timedelta(minutes=5):
        raise Invalid("发现时间不能晚于现在 / seen_at cannot be in the future")
    if (lat is None) != (lon is None):
        raise Invalid("经纬度须同时给出 / give both lat and lon, or neither")
    if lat is None and place:
        match = geo.locate(session, place)
        if match is not None and not match.needs_confirming:
            lat, lon = match.lat, match.lon
    if lat is None and not place:
        raise Invalid("请给出发现地点或在地图上标点 / give the place or a point on the map")
    row = Sighting(case_id=case.id, seen_at=seen_at, place=place, lat=lat, lon=lon, source=source, note=note,
                   confirmed=confirmed, recorded_by=actor.username)  # fmt: skip
    session.add(row)
    session.flush()
    sure = "已核实" if confirmed else "待核实"
    _log(session, actor, case, "sighting", f"线索（{sure}）：{place or f'{lat:.5f},{lon:.5f}'} {note} / sighting")
    return row


def review(session: Session, actor: Principal, case_id: int, note: str, now: datetime | None = None) -> MissingCase:
    """A review on time (high risk: every 2 hours …); the regional alert widens if the hours say so."""
    case = _open(session, actor, case_id)
    now = now or utcnow()
    if not note.strip():
        raise Invalid("请写明复核情况 / say what the review found")
    case.next_review_at = grading.next_review(RiskGrade(case.grade), now)
    _log(session, actor, case, "review", f"复核：{note.strip()} / reviewed")
    _widen(session, actor, case, now)
    return case


def _widen(session: Session, actor: Principal, case: MissingCase, now: datetime) -> bool:
    """The regional alert reaches as far as the hours since the report say (grading.alert_km)."""
    reach = grading.alert_km(RiskGrade(case.grade), case.reported_at, now)
    if reach <= case.alert_km:
        return False
    case.alert_km = reach
    session.add(SearchTask(case_id=case.id, kind=MissingTask.ALERT, created_by=actor.username,
                           title=f"协查通报扩大至 {reach} 公里 / widen the alert to {reach} km"))  # fmt: skip
    _log(session, actor, case, "alert", f"协查范围扩大至 {reach} 公里 / alert widened to {reach} km")
    return True


# The regional alert across a province ----------------------------------------------------------------------

SEARCHED = frozenset({MissingState.REPORTED, MissingState.ASSESSED, MissingState.SEARCHING, MissingState.MONITORING})


def widen_due(session: Session, now: datetime | None = None) -> list[int]:
    """Widen every open case's alert the hours have widened, without waiting for its review (the sweep's tick)."""
    now = now or utcnow()
    query = select(MissingCase).where(MissingCase.state.in_(SEARCHED)).order_by(MissingCase.id)
    return [case.id for case in session.scalars(query.with_for_update()) if _widen(session, SYSTEM, case, now)]


def alert_said(case: MissingCase) -> str:
    """What the province should hear of the case's alert now: active and how far, or withdrawn."""
    return f"active:{case.alert_km}" if case.state in SEARCHED else "withdrawn"


def untold(session: Session) -> list[MissingCase]:
    """The cases whose alert the province's hub has not heard as it stands: opened, widened, or ended after it
    was told (a case ended before the hub heard of it is not told at all)."""
    query = (
        select(MissingCase)
        .where(or_(MissingCase.state.in_(SEARCHED), MissingCase.province_told.like("active:%")))
        .order_by(MissingCase.id)
    )
    return [case for case in session.scalars(query.with_for_update()) if alert_said(case) != case.province_told]


def told(case: MissingCase) -> None:
    case.province_told = alert_said(case)


def take_alert(session: Session, peer: str, alert) -> RegionalAlert:
    """Another city's alert, from the hub (peering.messages.MissingAlert): kept, widened, or withdrawn."""
    origin = alert.from_peer or peer
    row = session.scalar(
        select(RegionalAlert).where(RegionalAlert.from_peer == origin, RegionalAlert.case_ref == alert.case)
    )
    if row is None:
        row = RegionalAlert(from_peer=origin, case_ref=alert.case, received_at=utcnow())
        session.add(row)
    fields = ("name", "age", "sex", "description", "medical_needs", "last_seen_place", "last_seen_lat",
              "last_seen_lon", "last_seen_at", "grade", "outcome", "reported_at", "active")  # fmt: skip
    for name in fields:
        setattr(row, name, getattr(alert, name))
    row.from_city = alert.from_city or origin
    row.alert_km, row.updated_at = max(alert.alert_km, row.alert_km or 0), utcnow()
    session.flush()
    said = f"{row.from_city}协查通报 {row.name or '（未具名）'} {row.alert_km} 公里" + (
        "" if row.active else "（已撤销）"
    )
    events.append(session, "missing.alert_received", {"from": origin, "case": alert.case, "active": row.active,
                  "alert_km": row.alert_km, "text": said}, actor=f"peer:{peer}")  # fmt: skip
    return row


def regional_alerts(session: Session, actor: Principal, include_withdrawn: bool = False) -> list[RegionalAlert]:
    """Other cities' alerts that reach this city, the newest first."""
    require(actor, "missing.read")
    query = select(RegionalAlert).order_by(RegionalAlert.updated_at.desc(), RegionalAlert.id.desc()).limit(200)
    return list(session.scalars(query if include_withdrawn else query.where(RegionalAlert.active.is_(True))))


# Public appeals --------------------------------------------------------------------------------------------


def publish_appeal(
    session: Session, actor: Principal, case_id: int, partner: str, text: str, with_photo: bool,
    withdraw_by: datetime | None,
) -> Appeal:  # fmt: skip
    """寻人启事 given to a partner that publishes it: exactly this text (and the photo if allowed), until withdrawn."""
    require(actor, "missing.appeal")
    case = _open(session, actor, case_id)
    org = org_by_code(session, partner)
    if org.kind != "media_partner":
        raise Invalid(f"{partner} 不是发布合作方 / {partner} is not a publishing partner")
    if with_photo and case.photo_sha256 is None:
        raise Invalid("案件还没有照片 / the case has no photo to publish")
    if withdraw_by is not None and withdraw_by <= utcnow():
        raise Invalid("撤回时间须在将来 / withdraw_by must be in the future")
    appeal = Appeal(case_id=case.id, partner_org_id=org.id, text=text, with_photo=with_photo,
                    published_by=actor.username, withdraw_by=withdraw_by)  # fmt: skip
    session.add(appeal)
    session.flush()
    _log(session, actor, case, "appeal", f"寻人启事交 {org.name} 发布 / appeal given to {org.code}", partner=org.code)
    return appeal


def withdraw_appeal(session: Session, actor: Principal, case_id: int, appeal_id: int, reason: str) -> Appeal:
    require(actor, "missing.appeal")
    case = get(session, actor, case_id, lock=True)
    appeal = session.scalar(select(Appeal).where(Appeal.id == appeal_id, Appeal.case_id == case.id))
    if appeal is None:
        raise NotFound(f"案件 {case_id} 没有启事 {appeal_id} / case {case_id} has no appeal {appeal_id}")
    if appeal.withdrawn_at is not None:
        raise Conflict(f"启事 {appeal_id} 已撤回 / appeal {appeal_id} is already withdrawn")
    _withdraw(session, actor, case, appeal, reason or "人工撤回 withdrawn by hand")
    return appeal


def _withdraw(session: Session, actor: Principal, case: MissingCase, appeal: Appeal, reason: str) -> None:
    appeal.withdrawn_at, appeal.withdrawn_reason = utcnow(), reason
    _log(session, actor, case, "appeal_withdrawn", f"撤回寻人启事 #{appeal.id}：{reason} / appeal withdrawn")


def live_appeals(session: Session, actor: Principal, now: datetime | None = None) -> list[tuple[Appeal, MissingCase]]:
    """What a partner may publish now: its appeals not withdrawn and not past their date."""
    require(actor, "missing.appeals_read")
    now = now or utcnow()
    query = (
        select(Appeal, MissingCase)
        .join(MissingCase, MissingCase.id == Appeal.case_id)
        .where(Appeal.withdrawn_at.is_(None), or_(Appeal.withdraw_by.is_(None), Appeal.withdraw_by > now))
        .order_by(Appeal.id)
    )
    if not permissions.sees_all(actor.role):
        query = query.where(Appeal.partner_org_id.in_(subtree(session, actor.org_id)))
    return list(session.execute(query).all())


# Photos ----------------------------------------------------------------------------------------------------


def media_type(data: bytes) -> str:
    for magic, kind in PHOTO_MAGIC.items():
        if data.startswith(magic):
            return kind
    raise Invalid("照片须为 JPEG 或 PNG / the photo must be a JPEG or a PNG image")


def add_photo(session: Session, actor: Principal, case_id: int, data: bytes) -> MissingCase:
    case = _open(session, actor, case_id)
    if not data:
        raise Invalid("照片为空 / the photo is empty")
    if len(data) > PHOTO_MAX_BYTES:
        raise Invalid(f"照片超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB / the photo is too large")
    kind, digest = media_type(data), sha256(data)
    if session.get(MissingPhoto, digest) is None:
        session.add(MissingPhoto(sha256=digest, media_type=kind, data=data, uploaded_by=actor.username))
    case.photo_sha256 = digest
    _log(session, actor, case, "photo", "上传照片 / photo added", sha256=digest)
    return case


def photo(session: Session, actor: Principal, digest: str) -> MissingPhoto:
    """A photo, for whoever may see a case that has it, or a partner with a live appeal that may show it."""
    seen = select(MissingCase.id).where(MissingCase.photo_sha256 == digest)
    mine = permissions.allowed(actor.role, "missing.read") and session.scalar(seen.where(scope(session, actor)))
    published = permissions.allowed(actor.role, "missing.appeals_read") and any(
        c.photo_sha256 == digest and a.with_photo for a, c in live_appeals(session, actor)
    )
    found = session.get(MissingPhoto, digest) if (mine or published) else None
    if found is None:
        raise NotFound("照片不存在或无权查看 / no such photo, or not yours")
    return found


# 反馈 ----------------------------------------------------------------------------------------------------------


def record_outcome(
    session: Session, actor: Principal, case_id: int, outcome: str, found_at: datetime | None, place: str, note: str
) -> MissingCase:
    """Found, found harmed, deceased or withdrawn. A person found alive waits for the safe-and-well check before the
    case closes; every live appeal is withdrawn at once."""
    case = _open(session, actor, case_id)
    if case.state == MissingState.LOCATED:
        raise Conflict(f"案件 {case_id} 已找到，待平安核查 / case {case_id} is located; do the safe-and-well check")
    ended = MissingOutcome(outcome)
    now = utcnow()
    found_at = found_at or now
    if found_at > now + timedelta(minutes=5) or found_at < case.reported_at - timedelta(days=1):
        raise Invalid("找到时间须在报案之后、现在之前 / found_at must fall between the report and now")
    if ended != MissingOutcome.WITHDRAWN and not note.strip():
        raise Invalid("请写明找到的情况 / say how and where the person was found")
    case.outcome, case.outcome_note, case.found_place = ended, note.strip(), place
    case.found_at = found_at if ended != MissingOutcome.WITHDRAWN else None
    _move(case, MissingState.LOCATED if ended in FOUND_ALIVE else MissingState.CLOSED)
    if case.state == MissingState.CLOSED:
        case.closed_at = now
    _log(session, actor, case, "outcome", f"{ended.zh}：{place} {note.strip()} / {ended.en}", outcome=ended.value)
    for appeal in session.scalars(select(Appeal).where(Appeal.case_id == case.id, Appeal.withdrawn_at.is_(None))):
        _withdraw(session, actor, case, appeal, f"{ended.zh} / {ended.en}")
    return case


def safe_and_well(session: Session, actor: Principal, case_id: int, note: str) -> MissingCase:
    """平安核查: someone saw the found person is safe (or got the care they need); then the case closes."""
    case = _open(session, actor, case_id)
    if case.state != MissingState.LOCATED:
        raise Conflict(f"案件 {case_id} 还未找到人，不能平安核查 / case {case_id} has no one found to check on")
    if not note.strip():
        raise Invalid("请写明核查情况（谁、在哪里、身体状况）/ say who checked, where, and how the person is")
    case.safe_well_at, case.safe_well_by, case.safe_well_note = utcnow(), actor.username, note.strip()
    _move(case, MissingState.CLOSED)
    case.closed_at = case.safe_well_at
    _log(session, actor, case, "safe_and_well", f"平安核查：{note.strip()}，结案 / safe and well; closed")
    return case


# Reading ---------------------------------------------------------------------------------------------------


GRADE_ORDER = {RiskGrade.HIGH: 0, RiskGrade.MEDIUM: 1, RiskGrade.LOW: 2, RiskGrade.VERY_LOW: 3}


def board(session: Session, actor: Principal, include_closed: bool = False, limit: int = 500) -> list[MissingCase]:
    """Open cases, highest risk first, then the longest missing."""
    require(actor, "missing.read")
    query = select(MissingCase).where(scope(session, actor))
    if not include_closed:
        query = query.where(MissingCase.state != MissingState.CLOSED)
    rows = session.scalars(query.order_by(MissingCase.reported_at).limit(limit)).all()
    return sorted(rows, key=lambda c: (GRADE_ORDER[RiskGrade(c.grade)], c.reported_at))


@dataclass
class File:
    case: MissingCase
    tasks: list[SearchTask]
    sightings: list[Sighting]
    appeals: list[tuple[Appeal, str]]  # with the partner's name
    timeline: list[CaseEntry]
    station: str | None


def file(session: Session, actor: Principal, case_id: int) -> File:
    case = get(session, actor, case_id)
    tasks = session.scalars(select(SearchTask).where(SearchTask.case_id == case.id).order_by(SearchTask.id)).all()
    sightings = session.scalars(
        select(Sighting).where(Sighting.case_id == case.id).order_by(Sighting.seen_at, Sighting.id)
    ).all()
    appeals = session.execute(
        select(Appeal, Organisation.name)
        .join(Organisation, Organisation.id == Appeal.partner_org_id)
        .where(Appeal.case_id == case.id)
        .order_by(Appeal.id)
    ).all()
    timeline = session.scalars(select(CaseEntry).where(CaseEntry.case_id == case.id).order_by(CaseEntry.id)).all()
    station = session.get(Organisation, case.station_org_id).name if case.station_org_id else None
    return File(case, list(tasks), list(sightings), [tuple(a) for a in appeals], list(timeline), station)


def for_report(session: Session, actor: Principal, case_id: int, day: int, now: datetime | None = None) -> File:
    """The case's file for its day-`day` report, once that day has come."""
    if day not in grading.REPORT_DAYS:
        raise Invalid(f"只有第 3 天和第 7 天报告 / only day-3 and day-7 reports, not day {day}")
    found = file(session, actor, case_id)
    due = grading.report_due(day, found.case.reported_at)
    if (now or utcnow()) < due:
        at = f"{due:%Y-%m-%d %H:%M} UTC"
        raise Conflict(f"第 {day} 天报告 {at} 到期 / the day-{day} report falls due at {at}")
    return found


def of_incident(session: Session, actor: Principal, incident_id: int) -> MissingCase | None:
    if not permissions.allowed(actor.role, "missing.read"):
        return None
    return session.scalar(select(MissingCase).where(MissingCase.incident_id == incident_id, scope(session, actor)))


@dataclass
class Figures:
    reported: int  # cases reported in the window
    due: int  # of them, those whose first 24 hours have passed or that were found
    found_24h: int
    found_24h_rate: float | None
    median_hours_to_find: float | None
    open_now: int
    overdue_reviews: int


def figures(session: Session, actor: Principal, since: datetime, until: datetime, now: datetime | None = None):
    """走失人员 24 小时找回率 and the median time to find, for cases reported in [since, until)."""
    require(actor, "missing.read")
    now = now or utcnow()
    rows = session.execute(
        select(MissingCase.reported_at, MissingCase.found_at, MissingCase.outcome).where(
            scope(session, actor), MissingCase.reported_at >= since, MissingCase.reported_at < until
        )
    ).all()
    cases = [(r.reported_at, r.found_at if r.outcome in FOUND_ALIVE else None, r.outcome) for r in rows]
    found, due = kpis.missing_found_within_a_day(cases, now)
    hours = [(f - r).total_seconds() / 3600 for r, f, _ in cases if f is not None]
    open_rows = session.execute(
        select(MissingCase.next_review_at).where(scope(session, actor), MissingCase.state != MissingState.CLOSED)
    ).all()
    return Figures(
        reported=len(rows),
        due=due,
        found_24h=found,
        found_24h_rate=kpis.rate(found, due),
        median_hours_to_find=round(statistics.median(hours), 2) if hours else None,
        open_now=len(open_rows),
        overdue_reviews=sum(1 for (at,) in open_rows if at < now),
    )
