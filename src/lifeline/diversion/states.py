"""The work-order state machine and its deadlines (pure).

受理—流转—处置—反馈—回访: sent → received → signed → in_progress → handled → visited → closed → archived.
A department may return (退回) an order before it handles it; an unsatisfied return visit sends it
back to in_progress (重办).
"""

from __future__ import annotations

from datetime import datetime, timedelta

STATES = {
    "sent": "已派发",
    "received": "已接收",
    "signed": "已签收",
    "in_progress": "办理中",
    "handled": "已办结待回访",
    "visited": "已回访",
    "closed": "已关闭",
    "returned": "已退回",
    "archived": "已归档",
}

_NEXT = {
    "sent": {"received", "returned"},
    "received": {"signed", "returned"},
    "signed": {"in_progress", "handled", "returned"},
    "in_progress": {"handled"},
    "handled": {"visited"},
    "visited": {"closed", "in_progress"},
    "closed": {"archived"},
    "returned": set(),
    "archived": set(),
}

OPEN = frozenset({"sent", "received", "signed", "in_progress", "handled", "visited"})

# 满意 / 基本满意 / 不满意 from a 1–5 score; 不满意 sends the order back to be redone.
SATISFACTION = {5: "满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "不满意"}


def allowed_next(state: str) -> list[str]:
    return [s for s in STATES if s in _NEXT.get(state, set())]


def check(state: str, target: str) -> str | None:
    if target in _NEXT.get(state, set()):
        return None
    options = "、".join(f"{s}（{STATES[s]}）" for s in allowed_next(state)) or "无 none"
    here = f"{state}（{STATES.get(state, state)}）"
    return f"工单当前为 {here}，不能转为 {target}；可选: {options} / cannot move to {target}"


def satisfied(score: int) -> bool:
    return SATISFACTION[score] != "不满意"


def overdue(state: str, sign_by: datetime | None, handle_by: datetime | None, now: datetime) -> str | None:
    """Which deadline an open order has missed: 'sign', 'handle' or None."""
    if state in ("sent", "received") and sign_by is not None and now > sign_by:
        return "sign"
    if state in ("sent", "received", "signed", "in_progress") and handle_by is not None and now > handle_by:
        return "handle"
    return None


def deadlines(start: datetime, sign_minutes: int, handle_hours: int) -> tuple[datetime, datetime]:
    return start + timedelta(minutes=sign_minutes), start + timedelta(hours=handle_hours)
