"""The incident state machine (pure).

police:  received → triaged → confirmed → dispatched → en_route → on_scene → resolved → closed
divert:  … confirmed → transferred → resolved → closed   (the work order lives in `diversion`)
joint:   both paths are open: dispatched and transferred
invalid: … confirmed → closed (recorded; the caller's history is updated)
Any open state may be cancelled with a reason; resolved or closed may be reopened to confirmed.
"""

from __future__ import annotations

STATES = {
    "received": "已接收",
    "triaged": "已研判",
    "confirmed": "已确认",
    "dispatched": "已派警",
    "en_route": "出警途中",
    "on_scene": "已到场",
    "transferred": "已分流",
    "resolved": "已处置",
    "closed": "已办结",
    "cancelled": "已撤销",
    "merged": "已合并",
}

# Where each state may go, before the disposition narrows it.
_NEXT = {
    "received": {"triaged", "cancelled"},
    "triaged": {"confirmed", "cancelled"},
    "confirmed": {"dispatched", "transferred", "closed", "cancelled"},
    "dispatched": {"en_route", "on_scene", "resolved", "cancelled"},
    "en_route": {"on_scene", "resolved", "cancelled"},
    "on_scene": {"resolved"},
    "transferred": {"resolved", "cancelled"},
    "resolved": {"closed", "reopened"},
    "closed": {"reopened"},
    "cancelled": set(),
    "merged": set(),
}

OPEN_STATES = frozenset({"received", "triaged", "confirmed", "dispatched", "en_route", "on_scene", "transferred"})

# "reopened" is an action, not a state: it lands in confirmed.
ACTIONS = frozenset(STATES) | {"reopened"}
LANDS_IN = {"reopened": "confirmed"}

# Which timestamp each target state sets (the KPIs read these).
TIMESTAMP = {
    "triaged": "triaged_at",
    "confirmed": "confirmed_at",
    "dispatched": "dispatched_at",
    "en_route": "en_route_at",
    "on_scene": "on_scene_at",
    "transferred": "transferred_at",
    "resolved": "resolved_at",
    "closed": "closed_at",
    "cancelled": "cancelled_at",
}

NEEDS_REASON = frozenset({"cancelled", "reopened"})


def allowed_next(state: str, disposition: str | None) -> list[str]:
    """The moves open from `state` for an incident of this disposition, in a stable order."""
    moves = set(_NEXT.get(state, set()))
    if state == "confirmed":
        if disposition == "police":
            moves -= {"transferred", "closed"}
        elif disposition == "divert":
            moves -= {"dispatched", "closed"}
        elif disposition == "invalid":
            moves -= {"dispatched", "transferred"}
        elif disposition == "joint":
            moves -= {"closed"}
    return sorted(moves, key=list(ACTIONS_ORDER).index)


ACTIONS_ORDER = (*STATES, "reopened")


def check(state: str, disposition: str | None, target: str) -> str | None:
    """None when the move is legal, else a message naming the moves that are."""
    options = allowed_next(state, disposition)
    if target in options:
        return None
    named = "、".join(f"{o}（{STATES.get(o, '重新打开')}）" for o in options) or "无 none"
    return (
        f"警情当前为 {state}（{STATES.get(state, state)}），不能转为 {target}；可选 allowed: {named}"
        f" / cannot move from {state} to {target}"
    )
