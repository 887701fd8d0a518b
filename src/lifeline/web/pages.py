"""The consoles: server-rendered pages, htmx partials and a live event stream (thin; services do the work)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from lifeline import taxonomy, vocabulary
from lifeline.api.context import SESSION_COOKIE, credentials
from lifeline.api.schemas import Text
from lifeline.auth import service as auth
from lifeline.auth.permissions import PERMISSIONS
from lifeline.auth.service import Principal
from lifeline.auth.views import client_address
from lifeline.common import CHINA
from lifeline.errors import LifelineError
from lifeline.incidents.models import REPORT_CHANNELS
from lifeline.store.engine import transaction
from lifeline.triage import TriageResult
from lifeline.vocabulary import Channel, Hazard, Role
from lifeline.web.i18n import localise, translator

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# The vocabulary's terms, for t(OrderState(o.state)) and the like in the templates; t(category(code)) names a
# triage category. Times are shown in China Standard Time.
templates.env.globals.update({term.__name__: term for term in vocabulary.Term.__subclasses__()})
templates.env.globals["category"] = lambda code: taxonomy.default().categories.get(code) or Unnamed(code)


def clock(at: datetime | None, shape: str = "%H:%M:%S") -> str:
    """A time as the desk's and the officers' watches say it (Beijing time); `shape` for a date too."""
    return at.astimezone(CHINA).strftime(shape) if at else ""


templates.env.filters["clock"] = clock
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Unnamed:
    """A code without a label (a category a newer taxonomy added): shown as its code in either language."""

    zh: str

    @property
    def en(self) -> str:
        return self.zh


@dataclass(frozen=True)
class Page:
    key: str
    href: str
    roles: frozenset[str]
    hub: bool = False  # shown only where the process is a province's hub (--role hub)


PAGES = (
    Page("calls", "/console/calls", PERMISSIONS["console.calls"]),
    Page("field", "/console/field", PERMISSIONS["console.field"]),
    Page("dispatch", "/console/dispatch", PERMISSIONS["console.dispatch"]),
    Page("orders", "/console/orders", PERMISSIONS["console.orders"]),
    Page("governance", "/console/governance", PERMISSIONS["console.governance"]),
    Page("dashboard", "/console/dashboard", PERMISSIONS["kpi.read"]),
    Page("figures", "/console/figures", PERMISSIONS["kpi.read"]),
    Page("map", "/console/map", PERMISSIONS["console.map"]),
    Page("missing", "/console/missing", PERMISSIONS["missing.read"]),
    Page("search", "/console/search", PERMISSIONS["incident.read"]),
    Page("nuisance", "/console/nuisance", PERMISSIONS["nuisance.read"]),
    Page("posts", "/console/posts", PERMISSIONS["post.read"]),
    Page("province", "/console/province", PERMISSIONS["kpi.read"], hub=True),
)


@dataclass
class Viewer:
    user: Principal
    csrf: str


def viewer(request: Request) -> Viewer | None:
    """Who is looking: found by api.context.guard before a guarded route runs, else looked up here."""
    if getattr(request.state, "principal", None) is not None:
        return Viewer(request.state.principal, request.state.csrf or "")
    try:
        found = credentials(request)
    except LifelineError:  # a bad or expired bearer token on a public page: no one
        return None
    return Viewer(found[0], found[1] or "") if found else None


def csrf_ok(request: Request, who: Viewer, form_token: str | None = None) -> bool:
    sent = request.headers.get("X-CSRF-Token") or form_token or ""
    return hmac.compare_digest(sent.encode(), who.csrf.encode())


def prefs(request: Request) -> dict:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    large = request.query_params.get("large", request.cookies.get("large", "0")) == "1"
    return {"lang": "en" if lang == "en" else "zh", "large": large}


def render(request: Request, name: str, who: Viewer | None, here: str = "", status: int = 200, **context):
    p = prefs(request)
    hub = getattr(request.app.state, "role", "") == "hub"
    pages = [page for page in PAGES if who and who.user.role in page.roles and page.hub <= hub]
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": translator(p["lang"]),
            "user": who.user if who else None,
            "csrf": who.csrf if who else "",
            "pages": pages,
            "here": here,
            "tile_url": getattr(request.app.state, "tile_url", ""),
            "hazards": {h.value: h for h in Hazard},
            **p,
            **context,
        },
        status_code=status,
    )
    response.set_cookie("lang", p["lang"], samesite="strict")
    response.set_cookie("large", "1" if p["large"] else "0", samesite="strict")
    return response


# Where each person's work is: the page they land on after logging in (else their first page).
HOME = {
    Role.CALL_TAKER: "calls",
    Role.DISPATCHER: "dispatch",
    Role.FIELD_OFFICER: "field",
    Role.HOTLINE_OPERATOR: "orders",
    Role.AGENCY_HANDLER: "orders",
    Role.SUPERVISOR: "dashboard",
    Role.ADMIN: "dashboard",
}


def home_of(role: str) -> str:
    mine = [page for page in PAGES if role in page.roles]
    landing = next((page for page in mine if page.key == HOME.get(role)), mine[0] if mine else None)
    return landing.href if landing else "/login"


def shell(request: Request, key: str, **context) -> Response:
    """A console page: its template (api.context.guard sent anyone else to the login page or their own page)."""
    return render(request, f"{key}.html", viewer(request), key, **context)


# Login -------------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def root(request: Request):
    who = viewer(request)
    return RedirectResponse(home_of(who.user.role) if who else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request):
    ended = request.query_params.get("ended") == "1"  # after "log out everywhere"
    return render(request, "login.html", None, notice="已在所有设备退出 / logged out everywhere" if ended else "")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[Text, Form()],
    password: Annotated[Text, Form()],
    otp: Annotated[Text, Form()] = "",
):
    username = username[:64]
    with transaction(request.app.state.sessions) as session:
        now = request.app.state.clock()
        found = auth.log_in(session, username, password[:200], client_address(request), otp[:6], now=now)
        opened = auth.open_session(session, found.user, now=now) if found.user else None
        role = found.user.role if found.user else None
    if opened is None:
        status, headers = (429, {"Retry-After": str(found.retry_after)}) if found.retry_after else (401, {})
        response = render(request, "login.html", None, status=status, error=found.refusal, username=username)
        response.headers.update(headers)
        return response
    response = RedirectResponse(home_of(role), status_code=303)
    set_session_cookie(request, response, opened[0])
    return response


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=auth.SESSION_HOURS * 3600, httponly=True, samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )  # fmt: skip


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = ""):
    who, secret = viewer(request), request.cookies.get(SESSION_COOKIE)
    if who is not None and secret and csrf_ok(request, who, csrf):
        with transaction(request.app.state.sessions) as session:
            auth.close_session(session, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# One's own account: change the password, log out everywhere -------------------------------------------


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request):
    return render(request, "account.html", viewer(request), "account")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    old_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
):
    who = viewer(request)
    if who is None or not csrf_ok(request, who, csrf):
        return RedirectResponse("/login", status_code=303)
    try:
        with transaction(request.app.state.sessions) as session:
            auth.change_password(
                session,
                who.user,
                old_password[:200],
                new_password[:200],
                keep_session=request.cookies.get(SESSION_COOKIE),
            )
    except LifelineError as exc:
        return render(request, "account.html", who, "account", status=exc.status, error=exc.detail)
    return render(request, "account.html", who, "account", changed=True)


@router.post("/account/sessions")
def end_sessions(request: Request, csrf: Annotated[str, Form()] = ""):
    who = viewer(request)
    if who is not None and csrf_ok(request, who, csrf):
        with transaction(request.app.state.sessions) as session:
            auth.end_sessions(session, who.user, who.user.username)
    response = RedirectResponse("/login?ended=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# Shared pieces -------------------------------------------------------------------------------------------


def marked_text(result: TriageResult) -> Markup:
    """The caller's words with each safety cue marked: red when it counts, yellow when doubtful, struck when not."""
    parts, cursor = [], 0
    for cue in sorted(result.cues, key=lambda c: c.start):
        if cue.start < cursor:
            continue
        css = "cue-active" if cue.active else "cue-doubt" if cue.doubtful else "cue-off"
        parts.append(escape(result.text[cursor : cue.start]))
        parts.append(Markup(f'<mark class="{css}" title="{escape(cue.name)}">'))
        parts.append(escape(result.text[cue.start : cue.end]))
        parts.append(Markup("</mark>"))
        cursor = cue.end
    parts.append(escape(result.text[cursor:]))
    return Markup("").join(parts)


def suggestion_context(result: TriageResult | None) -> dict:
    if result is None:
        return {"result": None}
    tax = taxonomy.default()
    return {
        "result": result,
        "destinations": [tax.destinations[d] for d in result.destinations],
        "marked": marked_text(result),
    }


SESSION_ENDED = "会话已失效，请重新登录 / the session has ended; log in again"


def act(request: Request, work, said, *, trigger: str | None = None, redirect=None) -> HTMLResponse:
    """One console action: the viewer and the form's token checked, `work(session, user)` run in one transaction,
    then a toast saying `said(result)`, or why not. `trigger` names the htmx event on which the page reads itself
    again; `redirect(result)` sends the page elsewhere instead."""
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    try:
        with transaction(request.app.state.sessions) as session:
            done = work(session, who.user)
            message = said(done)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    response = toast(request, message)
    if redirect is not None:
        response.headers["HX-Redirect"] = redirect(done)
    elif trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def toast(request: Request, message: str, *, error: bool = False) -> HTMLResponse:
    """The answer to a console action: one line, in the reader's language when the message carries both."""
    css = "toast late" if error else "toast"
    shown = escape(localise(message, prefs(request)["lang"]))
    return HTMLResponse(f'<div class="{css}" role="status" id="toast-message">{shown}</div>')


# Channels a call-taker records a call on (12345 pushes arrive over the exchange, not by hand).
CHANNEL_CHOICES = [code for code in REPORT_CHANNELS if code != Channel.HOTLINE_PUSH]
