"""骚扰来电 the 110 supervisors' nuisance-caller console: the queue with its evidence, a number's case and its steps,
the flags (in force, with the day each ends by its exit rule, and those ended), and the figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from lifeline.api.schemas import MAX_ID, Text
from lifeline.auth.permissions import allowed
from lifeline.callers import service as callers
from lifeline.common import CHINA
from lifeline.errors import Invalid, LifelineError
from lifeline.incidents import service as incidents
from lifeline.store.engine import transaction
from lifeline.vocabulary import NUISANCE_STEPS, STEP_MEANS, NuisanceState, NuisanceStep, StepMeans
from lifeline.web.pages import SESSION_ENDED, csrf_ok, render, shell, toast, viewer

router = APIRouter(include_in_schema=False)
FIGURES_DAYS = 30


def _case(session, who, raw_number: str, request: Request) -> dict:
    """A number's case and evidence; looking it up is a recorded read (incidents.service.look_up)."""
    number = incidents.look_up(session, who, raw_number)
    return callers.governance(session, who, number, request.app.state.clock(), request.app.state.criteria)


def _words(who) -> dict:
    """What the step form offers: the means each step takes (vocabulary.STEP_MEANS), a new case's first steps."""
    return {
        "means_of": {step.value: sorted(m.value for m in means) for step, means in STEP_MEANS.items()},
        "first_steps": sorted(NUISANCE_STEPS[NuisanceState.OPEN]),
        "may_write": allowed(who.user.role, "nuisance.write"),
    }


@router.get("/console/nuisance", response_class=HTMLResponse)
def nuisance_page(request: Request, incident: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    """The queue, the flags and the figures; `incident` opens the case of that incident's caller (from the
    incident page, so that no number travels in a link)."""
    who = viewer(request)
    now, criteria = request.app.state.clock(), request.app.state.criteria
    opened, refused = None, ""
    with transaction(request.app.state.sessions) as session:  # each number shown is a recorded read
        queue = callers.queue(session, who.user, now, criteria)
        flagged = callers.flags(session, who.user, now)
        figures = callers.figures(session, who.user, now - timedelta(days=FIGURES_DAYS), now, criteria)
        if incident is not None:
            try:
                number = incidents.get(session, who.user, incident).caller_number
                if not number:
                    raise Invalid(f"警情 #{incident} 没有来电号码 / incident #{incident} has no caller number")
                opened = _case(session, who.user, number, request)
            except LifelineError as exc:
                refused = exc.detail
    return shell(request, "nuisance", queue=queue, flagged=flagged, figures=figures, found=opened, refused=refused,
                 criteria=criteria, **_words(who))  # fmt: skip


@router.post("/console/nuisance/case", response_class=HTMLResponse)
def open_case(request: Request, number: Annotated[Text, Form(max_length=32)] = ""):
    """A number's case, evidence and the step form, in the panel beside the queue."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return HTMLResponse("", status_code=403)
    found, refused = None, ""
    try:
        with transaction(request.app.state.sessions) as session:
            found = _case(session, who.user, number, request)
    except LifelineError as exc:
        refused = exc.detail
    return render(request, "partials/nuisance_case.html", who, found=found, refused=refused, **_words(who))


def _review_day(raw: str) -> datetime | None:
    """A review date typed as YYYY-MM-DD: its morning in China time."""
    if not raw.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(raw.strip()), time(8), CHINA)
    except ValueError:
        raise Invalid(f"复核日期应为 YYYY-MM-DD / the review date is YYYY-MM-DD: {raw!r}") from None


@router.post("/console/nuisance/step", response_class=HTMLResponse)
def add_step(
    request: Request,
    number: Annotated[Text, Form(max_length=32)] = "",
    step: Annotated[str, Form(max_length=16)] = "",
    means: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[Text, Form(max_length=2000)] = "",
    review_on: Annotated[str, Form(max_length=20)] = "",
    exit_days: Annotated[str, Form(max_length=6)] = "",
):
    """One step on the number's case; the panel shows the case again, with what was refused and why."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    if not allowed(who.user.role, "nuisance.write"):
        return toast(request, "您的角色不能记录案件步骤 / your role may not record case steps", error=True)
    found, refused = None, ""
    now, criteria = request.app.state.clock(), request.app.state.criteria
    try:
        if step not in NuisanceStep.labels():
            raise Invalid(f"未知步骤 / unknown step {step!r}")
        if means and means not in StepMeans.labels():
            raise Invalid(f"未知方式 / unknown means {means!r}")
        if exit_days.strip() and not (exit_days.strip().isdigit() and 1 <= int(exit_days) <= 3650):
            raise Invalid("退出天数应为 1–3650 的整数 / exit days: a whole number from 1 to 3650")
        with transaction(request.app.state.sessions) as session:
            found_number = incidents.look_up(session, who.user, number)
            callers.record_step(session, who.user, found_number, NuisanceStep(step), note, now, criteria,
                                means=StepMeans(means) if means else None, review_at=_review_day(review_on),
                                exit_days=int(exit_days) if exit_days.strip() else None)  # fmt: skip
    except LifelineError as exc:
        refused = exc.detail
    try:
        with transaction(request.app.state.sessions) as session:
            found = _case(session, who.user, number, request)
    except LifelineError as exc:
        refused = refused or exc.detail
    response = render(request, "partials/nuisance_case.html", who, found=found, refused=refused, **_words(who))
    if not refused:
        response.headers["HX-Trigger"] = "case-recorded"
    return response
