"""The incident state machine (pure): the moves are one table in `lifeline.vocabulary`.

police:  received → triaged → confirmed → dispatched → en_route → on_scene → resolved → closed
divert:  … confirmed → transferred (the work order lives in `diversion`) → resolved → closed
joint:   both paths are open: dispatched and transferred
invalid: … confirmed → closed (recorded; the caller's history is updated)
Any open state may be cancelled with a reason; resolved or closed may be reopened to confirmed; a transferred
matter whose order was taken back returns to triaged for a new decision.
"""

from __future__ import annotations

from lifeline.vocabulary import INCIDENT_LANDS_IN, INCIDENT_MOVES, Disposition, IncidentMove, IncidentState

STATES = IncidentState.labels()
OPEN_STATES = frozenset(
    {
        IncidentState.RECEIVED,
        IncidentState.TRIAGED,
        IncidentState.CONFIRMED,
        IncidentState.DISPATCHED,
        IncidentState.EN_ROUTE,
        IncidentState.ON_SCENE,
        IncidentState.TRANSFERRED,
    }
)
ACTIONS = frozenset(IncidentMove)
LANDS_IN = INCIDENT_LANDS_IN

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

NEEDS_REASON = frozenset({IncidentMove.CANCELLED, IncidentMove.REOPENED, IncidentMove.TAKEN_BACK})

# What the disposition rules out at the confirmed step.
_NOT_FOR = {
    Disposition.POLICE: {IncidentMove.TRANSFERRED, IncidentMove.CLOSED},
    Disposition.DIVERT: {IncidentMove.DISPATCHED, IncidentMove.CLOSED},
    Disposition.INVALID: {IncidentMove.DISPATCHED, IncidentMove.TRANSFERRED},
    Disposition.JOINT: {IncidentMove.CLOSED},
}


def allowed_next(state: str, disposition: str | None) -> list[str]:
    """The moves open from `state` for an incident of this disposition, in a stable order."""
    moves = set(INCIDENT_MOVES.get(state, frozenset()))
    if state == IncidentState.CONFIRMED:
        moves -= _NOT_FOR.get(disposition, set())
    return [str(m) for m in IncidentMove if m in moves]


def check(state: str, disposition: str | None, target: str) -> str | None:
    """None when the move is legal, else a message naming the moves that are."""
    options = allowed_next(state, disposition)
    if target in options:
        return None
    named = "、".join(f"{o}（{IncidentMove(o).zh}）" for o in options) or "无 none"
    return (
        f"警情当前为 {state}（{STATES.get(state, state)}），不能转为 {target}；可选 allowed: {named}"
        f" / cannot move from {state} to {target}"
    )
