"""The work-order state machine and its deadlines (pure): the steps are one table in `lifeline.vocabulary`.

受理—流转—处置—反馈—回访: sent → received → signed → in_progress → handled → visited → closed → archived.
A department may return (退回) an order before it handles it; the desk then re-routes it, takes it back, or
refers it to a supervisor. An unsatisfied return visit sends it back to in_progress (重办).
"""

from __future__ import annotations

from datetime import datetime

from lifeline.vocabulary import ORDER_STEPS, REDO_BELOW, OrderState, OrderStep, Satisfaction, order_landings

STATES = OrderState.labels()

OPEN = frozenset(
    {
        OrderState.SENT,
        OrderState.RECEIVED,
        OrderState.SIGNED,
        OrderState.IN_PROGRESS,
        OrderState.HANDLED,
        OrderState.VISITED,
        OrderState.RETURNED,
        OrderState.REFERRED,
    }
)
# Open orders still to be signed for, and still to be handled: the two deadlines sign_by and handle_by.
UNSIGNED = frozenset({OrderState.SENT, OrderState.RECEIVED})
UNHANDLED = UNSIGNED | {OrderState.SIGNED, OrderState.IN_PROGRESS}
# Waiting for the sender to re-route, take back or escalate (the re-route queue).
BOUNCED = frozenset({OrderState.RETURNED, OrderState.REFERRED})

# A matter returned this many times (分而不流: bounced between the desks) goes to a coordinator, the supervisor,
# instead of back to the desk that sent it: the national rule for 110 ⇄ 12345 matters nobody takes.
COORDINATOR_AFTER = 2


def after_return(returned_before: int) -> OrderState:
    """Where a return leaves an order: back at its sender, or with the coordinator once the matter has bounced
    COORDINATOR_AFTER times (counting the earlier returns of every order of the matter)."""
    return OrderState.REFERRED if returned_before + 1 >= COORDINATOR_AFTER else OrderState.RETURNED


# A return visit's score → its label (vocabulary.Satisfaction); below 基本满意 the order is redone.
SATISFACTION = {int(s): s.zh for s in Satisfaction}


def allowed_next(state: str) -> list[str]:
    steps = ORDER_STEPS.get(state, frozenset())
    return [str(s) for s in OrderStep if s in steps]


def check(state: str, step: str) -> str | None:
    if step in allowed_next(state):
        return None
    options = "、".join(f"{s}（{OrderStep(s).zh}）" for s in allowed_next(state)) or "无 none"
    here = f"{state}（{STATES.get(state, state)}）"
    return (
        f"工单当前为 {here}，不能{OrderStep(step).zh if step in OrderStep.labels() else step}；可选: {options}"
        f" / cannot {step}"
    )


def may_become(state: str, target: str) -> bool:
    """Whether a peer may report that its copy moved from `state` to `target` (mirroring checks this)."""
    if state == OrderState.SENT and target == OrderState.RECEIVED:
        return True  # the peer's platform took the order in
    return any(target in order_landings(OrderStep(s)) for s in allowed_next(state))


def satisfied(score: int) -> bool:
    return score >= REDO_BELOW


def overdue(state: str, sign_by: datetime | None, handle_by: datetime | None, now: datetime) -> str | None:
    """Which deadline an open order has missed: 'sign', 'handle' or None."""
    if state in UNSIGNED and sign_by is not None and now > sign_by:
        return "sign"
    if state in UNHANDLED and handle_by is not None and now > handle_by:
        return "handle"
    return None


# 催办 is due when the handling deadline is near: within the last working day of a limit counted in working days,
# within the last quarter of a limit counted in hours (a same-day matter).
NEAR_SHARE = 4


def urge_near(
    state: str,
    start: datetime,
    handle_by: datetime | None,
    now: datetime,
    limit_days: int | None,
    working_left: int,
    day_minutes: int,
) -> bool:
    """Whether an order still to be handled is near its deadline (and not past it: escalation takes over then).
    `working_left` is the working minutes from now to handle_by (diversion.calendar), `day_minutes` a working
    day's length."""
    if state not in UNHANDLED or handle_by is None or now >= handle_by:
        return False
    if limit_days:
        return working_left <= day_minutes
    return (handle_by - now) * NEAR_SHARE <= handle_by - start
