"""走失查找 the missing-person board (open cases by risk and time missing, reviews overdue in red) and a case's page
(the person, the grade and why, tasks, sightings on the map, reviews, appeals, reports, the outcome)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from lifeline.api.schemas import Id, Text
from lifeline.auth.models import Organisation
from lifeline.auth.permissions import allowed
from lifeline.common import CHINA
from lifeline.errors import Invalid, LifelineError
from lifeline.missing import grading, service
from lifeline.store.base import utcnow
from lifeline.vocabulary import FOUND_ALIVE, MissingOutcome, MissingState, MissingTask, RiskGrade
from lifeline.web.pages import act, render, toast, viewer

router = APIRouter(include_in_schema=False)


def hours_missing(case, now: datetime) -> float:
    return ((case.found_at or case.closed_at or now) - case.reported_at).total_seconds() / 3600


@router.get("/console/missing", response_class=HTMLResponse)
def board(request: Request):
    who = viewer(request)
    now = utcnow()
    year = now.astimezone(CHINA).replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    with request.app.state.readers() as session:
        cases = service.board(session, who.user)
        figures = service.figures(session, who.user, year, now, now)
        alerts = service.regional_alerts(session, who.user)
    return render(request, "missing.html", who, "missing", cases=cases, figures=figures, now=now,
                  hours=hours_missing, since=year, alerts=alerts)  # fmt: skip


def _stations(session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.kind == "police_station")))


def _partners(session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.kind == "media_partner")))


def _case_context(request: Request, who, case_id: int) -> dict:
    now = utcnow()
    with request.app.state.readers() as session:
        f = service.file(session, who.user, case_id)
        stations, partners = _stations(session), _partners(session)
    case = f.case
    return {
        "f": f,
        "c": case,
        "now": now,
        "hours": hours_missing(case, now),
        "overdue": case.state != MissingState.CLOSED and case.next_review_at < now,
        "open": case.state != MissingState.CLOSED,
        "reports": [(d, grading.report_due(d, case.reported_at)) for d in grading.REPORT_DAYS],
        "stations": stations,
        "partners": partners,
        "may_appeal": allowed(who.user.role, "missing.appeal"),
        "every": grading.REVIEW_EVERY[RiskGrade(case.grade)].total_seconds() / 3600,
        "points": [
            {"lat": s.lat, "lon": s.lon, "label": f"{s.seen_at.astimezone(CHINA):%m-%d %H:%M} {s.place}"}
            for s in f.sightings
            if s.lat is not None
        ],
        "grades": list(RiskGrade),
        "tasks": list(MissingTask),
        "outcomes": list(MissingOutcome),
        "found_alive": FOUND_ALIVE,
    }


def _page(request: Request, name: str, case_id: int):
    who = viewer(request)
    try:
        context = _case_context(request, who, case_id)
    except LifelineError as exc:
        if name != "missing_case.html":
            return HTMLResponse("", status_code=exc.status)
        return render(request, name, who, "missing", status=exc.status, gone=True)
    return render(request, name, who, "missing", **context)


@router.get("/console/missing/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: Id):
    return _page(request, "missing_case.html", case_id)


@router.get("/console/missing/{case_id}/view", response_class=HTMLResponse)
def case_view(request: Request, case_id: Id):
    """The case's facts and forms, read again after each step."""
    return _page(request, "partials/missing_view.html", case_id)


def _opened(request: Request, work):
    """A case opened: the page goes to it."""

    def said(case_id: int) -> str:
        return f"已立案 #{case_id} / case #{case_id} opened"

    return act(request, work, said, redirect=lambda case_id: f"/console/missing/{case_id}")


def _time(raw: str, name: str) -> datetime | None:
    """A time typed in a datetime-local field, Beijing time; empty is none."""
    if not raw.strip():
        return None
    try:
        return datetime.fromisoformat(raw.strip()).replace(tzinfo=CHINA).astimezone(UTC)
    except ValueError as exc:
        raise Invalid(f"{name} 不是有效时间 / {name} is not a time: {raw!r}") from exc


def _float(raw: str, name: str, limit: float) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Invalid(f"{name} 不是数字 / {name} is not a number") from exc
    if not -limit <= value <= limit:
        raise Invalid(f"{name} 超出范围 / {name} is out of range")
    return value


Short = Annotated[Text, Form(max_length=200)]
Long = Annotated[Text, Form(max_length=4000)]


@router.post("/console/missing", response_class=HTMLResponse)
def open_by_hand(
    request: Request,
    name: Annotated[Text, Form(max_length=100)] = "",
    age: Annotated[str, Form(max_length=3)] = "",
    description: Long = "",
    medical_needs: Long = "",
    contact: Annotated[Text, Form(max_length=100)] = "",
    last_seen_place: Annotated[Text, Form(max_length=500)] = "",
):
    """立案 by hand (a family at the counter, a report from another city)."""

    def work(session, user):
        if age.strip() and not (age.strip().isdigit() and int(age) <= 120):
            raise Invalid("年龄须为 0–120 的整数 / age must be a whole number 0–120")
        data = service.CaseIn(
            name=name,
            age=int(age) if age.strip() else None,
            description=description,
            medical_needs=medical_needs,
            contact=contact,
            last_seen_place=last_seen_place,
        )
        return service.open_case(session, user, data).id

    return _opened(request, work)


@router.post("/console/incidents/{incident_id}/missing", response_class=HTMLResponse)
def open_from_incident(request: Request, incident_id: Id):
    """立为走失案件: the incident's words, place and time fill the case; the page goes to it."""
    return _opened(request, lambda s, user: service.open_case(s, user, service.CaseIn(incident_id=incident_id)).id)


@router.post("/console/missing/{case_id}/step", response_class=HTMLResponse)
def step(
    request: Request,
    case_id: Id,
    what: Annotated[str, Form(max_length=16)],
    note: Long = "",
    grade: Annotated[str, Form(max_length=16)] = "",
    station: Annotated[str, Form(max_length=64)] = "",
    searchers: Short = "",
    kind: Annotated[str, Form(max_length=16)] = "other",
    title: Short = "",
    assignee: Annotated[Text, Form(max_length=100)] = "",
    task: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
    seen_at: Annotated[str, Form(max_length=32)] = "",
    place: Annotated[Text, Form(max_length=500)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    source: Short = "",
    confirmed: Annotated[str, Form(max_length=4)] = "",
    outcome: Annotated[str, Form(max_length=16)] = "",
    partner: Annotated[str, Form(max_length=64)] = "",
    with_photo: Annotated[str, Form(max_length=4)] = "",
    days: Annotated[int, Form(ge=0, le=365)] = 0,
    appeal: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
):
    """Every step of the case page, by `what` (each one is a service call with its own checks)."""

    def valid(choice: str, term) -> str:
        if choice not in term.labels():
            raise Invalid(f"请选择 / choose one of: {', '.join(term.labels())}")
        return choice

    steps = {
        "grade": lambda s, u: service.set_grade(s, u, case_id, valid(grade, RiskGrade), note),
        "assign": lambda s, u: service.assign(
            s, u, case_id, station, [n.strip() for n in searchers.replace("，", ",").split(",") if n.strip()]
        ),
        "review": lambda s, u: service.review(s, u, case_id, note),
        "monitor": lambda s, u: service.monitor(s, u, case_id, note),
        "task": lambda s, u: service.add_task(s, u, case_id, valid(kind, MissingTask), title, assignee),
        "task_done": lambda s, u: service.finish_task(s, u, case_id, task, note),
        "sighting": lambda s, u: service.add_sighting(
            s,
            u,
            case_id,
            _time(seen_at, "seen_at") or utcnow(),
            place,
            _float(lat, "lat", 90),
            _float(lon, "lon", 180),
            source,
            note,
            confirmed == "1",
        ),
        "outcome": lambda s, u: service.record_outcome(
            s, u, case_id, valid(outcome, MissingOutcome), _time(seen_at, "found_at"), place, note
        ),
        "safe_well": lambda s, u: service.safe_and_well(s, u, case_id, note),
        "appeal": lambda s, u: service.publish_appeal(
            s, u, case_id, partner, note, with_photo == "1", utcnow() + timedelta(days=days) if days else None
        ),
        "withdraw": lambda s, u: service.withdraw_appeal(s, u, case_id, appeal, note),
    }
    if what not in steps:
        return toast(request, f"未知操作 / unknown step {what!r}", error=True)
    said = f"案件 #{case_id} 已更新 / case #{case_id} updated"
    return act(request, steps[what], lambda _: said, trigger="case-moved")


@router.post("/console/missing/{case_id}/photo", response_class=HTMLResponse)
async def photo(request: Request, case_id: Id, file: UploadFile):
    data = await file.read(service.PHOTO_MAX_BYTES + 1)
    said = f"已上传照片 / photo added to #{case_id}"
    return act(request, lambda s, u: service.add_photo(s, u, case_id, data), lambda _: said, trigger="case-moved")
