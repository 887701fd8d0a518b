"""工单台 the work-order console of the 12345 operator, the agency handler and the supervisor.

Three queues with their counts (收件箱 to sign and handle, 待改派 returned orders, 待回访 handled orders), sorted and
filtered by query parameters kept in the URL. The table refreshes on the `orders` signal; an order's detail and its
action forms open in a panel beside it that no refresh touches, so nothing a person types is wiped.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from lifeline.api.schemas import Id, Text
from lifeline.auth.permissions import allowed, mask_number
from lifeline.catalogue import service as catalogue
from lifeline.catalogue.items import LIMITS
from lifeline.common import CHINA
from lifeline.desk import flows
from lifeline.diversion import routing, worklist
from lifeline.diversion import service as diversion
from lifeline.errors import LifelineError
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction
from lifeline.vocabulary import OrderState, OrderStep, Satisfaction
from lifeline.web.i18n import localise
from lifeline.web.pages import SESSION_ENDED, Viewer, act, csrf_ok, prefs, render, toast, viewer

router = APIRouter(include_in_schema=False)
# Steps that need a reason (diversion.service._fill refuses them without one).
NEEDS_REASON = (OrderStep.RETURNED, OrderStep.TAKEN_BACK, OrderStep.REFERRED)
# Order events that are not steps, in the history.
EVENT_WORDS = {
    "created": ("派发", "Raised"),
    "escalated": ("超时督办", "Escalated: overdue"),
    "countersign": ("会签", "Countersign asked"),
    "urged": ("催办", "Urged"),
    "supervised": ("督办", "Supervised"),
    "extension_requested": ("延期申请", "Extension asked"),
    "extension_approved": ("延期批准", "Extension approved"),
    "extension_refused": ("延期驳回", "Extension refused"),
}
FOLLOW_UP_WORDS = {
    "urge": ("催办", "Urge"),
    "supervise": ("督办", "Supervision"),
    "extension": ("延期申请", "Extension"),
}
DECISION_WORDS = {
    "pending": ("待审批", "pending"),
    "approved": ("已批准", "approved"),
    "refused": ("已驳回", "refused"),
}
VIEW_WORDS = {"inbox": ("收件箱", "Inbox"), "reroute": ("待改派", "To re-route"), "visit": ("待回访", "To visit")}
SORT_WORDS = {
    "deadline": ("按时限", "By deadline"),
    "received": ("按收到时间", "By time received"),
    "state": ("按状态", "By state"),
}
ORG_KINDS = {"lead": ("主办", "lead"), "countersign": ("会办", "co-organiser"), "former": ("原承办", "former")}


def _query(request: Request, who: Viewer) -> worklist.Query:
    params = request.query_params
    return worklist.Query.of(
        who.user.role, *(params.get(name, "") for name in ("view", "state", "org", "overdue", "sort", "item"))
    )


def _list_context(request: Request, who: Viewer) -> dict:
    query, now = _query(request, who), utcnow()
    with request.app.state.readers() as session:  # reads only: no write lock
        rows = worklist.rows(session, who.user, query, now)
        counts = worklist.counts(session, who.user, query, now)
        takers = worklist.takers(session)
        matters = catalogue.current(session).catalogue
    return {
        "matters": matters,
        "query": query,
        "rows": rows,
        "counts": counts,
        "takers": takers,
        "views": worklist.views_for(who.user.role),
        "held": worklist.VIEWS,
        "sorts": worklist.SORTS,
        "categories": request.app.state.taxonomy.categories,
        "qs": lambda **changed: _query_string(query, **changed),
        "view_words": VIEW_WORDS,
        "sort_words": SORT_WORDS,
        "tz": CHINA,
    }


def _query_string(query: worklist.Query, **changed) -> str:
    """The query, with some parameters changed, as URL parameters: what a refresh or a link shows again."""
    fields = {**query.__dict__, **changed}
    fields["overdue"] = "1" if fields["overdue"] else ""
    return urlencode({k: v for k, v in fields.items() if v})


@router.get("/console/orders", response_class=HTMLResponse)
def orders_page(request: Request):
    who = viewer(request)
    selected = request.query_params.get("order", "")
    return render(
        request, "orders.html", who, "orders", selected=int(selected) if selected.isdigit() else None,
        may_export=allowed(who.user.role, "export.read"), today=utcnow().astimezone(CHINA).date().isoformat(),
        **_list_context(request, who),
    )  # fmt: skip


@router.get("/console/orders/inbox", response_class=HTMLResponse)
def inbox(request: Request):
    """The tabs and the table for the query in the URL: what the `orders` signal refreshes."""
    who = viewer(request)
    return render(request, "partials/orders_list.html", who, **_list_context(request, who))


@router.get("/console/orders/{order_id}/panel", response_class=HTMLResponse)
def panel(request: Request, order_id: Id):
    """One order: its words, caller, organisations, deadlines, history, and the steps open to the viewer."""
    who = viewer(request)
    try:
        with request.app.state.readers() as session:
            order = diversion.get(session, who.user, order_id)
            context = {
                "o": order,
                "row": worklist.rows_of(session, [order], utcnow())[0],
                "history": worklist.history(session, who.user, order),
                "steps": worklist.open_steps(session, who.user, order),
                "choices": worklist.reroute_choices(session, order),
                "matter": catalogue.item(session, order.catalogue_item),
                "follow_ups": diversion.follow_ups(session, who.user, order.id),
                "may": worklist.follow_up_actions(session, who.user, order, utcnow()),
            }
    except LifelineError as exc:  # gone from the viewer's scope (re-routed away) or never there
        return HTMLResponse(f'<p class="muted">{escape(localise(exc.detail, prefs(request)["lang"]))}</p>')
    return render(
        request, "partials/order_panel.html", who, **context, caller=mask_number(order.caller_number),
        categories=request.app.state.taxonomy.categories, needs_reason=NEEDS_REASON, satisfaction=list(Satisfaction),
        event_words=EVENT_WORDS, org_kinds=ORG_KINDS, tz=CHINA, limits=LIMITS, kinds=routing.KINDS,
        follow_up_words=FOLLOW_UP_WORDS, decision_words=DECISION_WORDS,
    )  # fmt: skip


@router.post("/console/orders/{order_id}/step", response_class=HTMLResponse)
def order_step(
    request: Request,
    order_id: Id,
    to: Annotated[str, Form(max_length=16)],
    feedback: Annotated[Text, Form(max_length=5000)] = "",
    reason: Annotated[Text, Form(max_length=2000)] = "",
    satisfaction: Annotated[int | None, Form(ge=1, le=5)] = None,
    comment: Annotated[Text, Form(max_length=2000)] = "",
    org: Annotated[Text, Form(max_length=64)] = "",
):
    who = viewer(request)
    if who is None or not csrf_ok(request, who):
        return toast(request, SESSION_ENDED, error=True)
    data = diversion.StepIn(
        to=to,
        feedback=feedback or None,
        reason=reason or None,
        satisfaction=satisfaction,
        comment=comment or None,
        org=org.strip() or None,
    )
    try:
        with transaction(request.app.state.sessions) as session:
            order = flows.follow_order(session, who.user, request.app.state.desk, order_id, data)
            state = OrderState(order.state)
    except LifelineError as exc:
        return toast(request, exc.detail, error=True)
    response = toast(request, f"工单 #{order_id} {state.zh} / work order #{order_id}: {state.en}")
    response.headers["HX-Trigger"] = "order-moved"  # the panel shows the order's new state and steps
    return response


# Follow-ups: 延期申请 by the handler, its decision, 催办 and 督办 by the desk ---------------------------------------


def _moved(said: str):
    return lambda _: said


@router.post("/console/orders/{order_id}/extension", response_class=HTMLResponse)
def extension(
    request: Request,
    order_id: Id,
    grounds: Annotated[Text, Form(max_length=2000)] = "",
    working_days: Annotated[int | None, Form(ge=1, le=diversion.EXTENSION_MAX_DAYS)] = None,
):
    table = request.app.state.routing
    return act(
        request, lambda s, u: diversion.request_extension(s, u, order_id, grounds, working_days, table),
        _moved(f"工单 #{order_id} 已申请延期 / work order #{order_id}: extension asked"), trigger="order-moved",
    )  # fmt: skip


@router.post("/console/orders/{order_id}/extension/{follow_up_id}", response_class=HTMLResponse)
def extension_decision(
    request: Request,
    order_id: Id,
    follow_up_id: Id,
    decision: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[Text, Form(max_length=2000)] = "",
):
    if decision not in ("approve", "refuse"):
        return toast(request, "请选择批准或驳回 / choose approve or refuse", error=True)
    approve = decision == "approve"
    said = "已批准延期 / extension approved" if approve else "已驳回延期 / extension refused"
    return act(
        request, lambda s, u: diversion.decide_extension(s, u, order_id, follow_up_id, approve, reason),
        _moved(f"工单 #{order_id} {said}"), trigger="order-moved",
    )  # fmt: skip


@router.post("/console/orders/{order_id}/urge", response_class=HTMLResponse)
def urge(request: Request, order_id: Id, text: Annotated[Text, Form(max_length=2000)] = ""):
    return act(
        request, lambda s, u: diversion.urge(s, u, order_id, text),
        _moved(f"工单 #{order_id} 已催办 / work order #{order_id}: urged"), trigger="order-moved",
    )  # fmt: skip


@router.post("/console/orders/{order_id}/supervision", response_class=HTMLResponse)
def supervision(
    request: Request,
    order_id: Id,
    demand: Annotated[Text, Form(max_length=2000)] = "",
    working_days: Annotated[int | None, Form(ge=1, le=diversion.EXTENSION_MAX_DAYS)] = None,
):
    table = request.app.state.routing
    return act(
        request, lambda s, u: diversion.supervise(s, u, order_id, demand, working_days, table),
        _moved(f"工单 #{order_id} 已督办 / work order #{order_id}: supervised"), trigger="order-moved",
    )  # fmt: skip
