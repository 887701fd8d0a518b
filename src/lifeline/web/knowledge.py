"""The 12345 knowledge panel of the call console: search as the operator types, the answer to read out, and the
直接答复 key that records the call and closes it as answered directly, with no work order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from lifeline.api.schemas import FormId, Text, Words
from lifeline.auth import permissions
from lifeline.catalogue import service as catalogue
from lifeline.desk import flows
from lifeline.errors import LifelineError
from lifeline.incidents import service as incidents
from lifeline.knowledge import service as knowledge
from lifeline.store.engine import transaction
from lifeline.triage import CHANNELS, triage
from lifeline.web.calls import MAX_TEXT
from lifeline.web.pages import SESSION_ENDED, csrf_ok, render, toast, viewer

router = APIRouter(include_in_schema=False)
MAX_QUERY = 500  # the tail of a long transcript is what the caller is asking now


@router.post("/console/knowledge", response_class=HTMLResponse)
def search(
    request: Request,
    q: Annotated[Text, Form(max_length=MAX_QUERY)] = "",
    text: Annotated[str, Form()] = "",
):
    """The articles for the words typed in the search box, else for what the caller said so far."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return HTMLResponse("", status_code=403)
    query = q.strip() or text[:MAX_TEXT].strip()[-MAX_QUERY:]
    found, refused = [], ""
    try:
        with request.app.state.readers() as session:
            found = knowledge.search(session, who.user, query, catalogue.synonyms(session))
    except LifelineError as exc:
        refused = exc.detail
    may_answer = permissions.allowed(who.user.role, "knowledge.answer")
    return render(
        request, "partials/knowledge.html", who, found=found, query=query, refused=refused, may_answer=may_answer
    )


@router.post("/console/calls/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    article_id: FormId,
    text: Annotated[Words, Form()] = "",
    channel: Annotated[str, Form()] = "voice",
    caller_number: Annotated[Text, Form(max_length=32)] = "",
    location_text: Annotated[Text, Form(max_length=500)] = "",
    note: Annotated[Text, Form(max_length=2000)] = "",
):
    """直接答复: record the call and close it as answered from the article, in one transaction; a refusal (a matter
    for the police, say) records nothing and the form keeps its words for another key."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    if not text.strip():
        return toast(request, "请先记录来电内容 / type what the caller asked first", error=True)
    channel = channel if channel in CHANNELS else "voice"
    result = triage(text[:MAX_TEXT], channel)
    data = incidents.ReportIn(
        text=text[:MAX_TEXT], channel=channel, caller_number=caller_number or None, location_text=location_text
    )
    desk = request.app.state.desk
    try:
        with transaction(request.app.state.sessions) as session:
            taken, _ = flows.take_call(session, who.user, desk, data, None, result)
            outcome = flows.answer_directly(session, who.user, desk, taken.incident.id, article_id, note)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    number = outcome.incident.id
    zh, en = outcome.said()
    response = toast(request, f"来电 #{number} {zh} / Contact #{number}: {en}")
    response.headers["HX-Trigger"] = "call-recorded"
    return response
