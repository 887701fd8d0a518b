"""Request and response shapes of the desk's flows: decisions, hand-overs and the call-back queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from lifeline.api.schemas import Strict, Text
from lifeline.auth.permissions import mask_number
from lifeline.desk.flows import Outcome
from lifeline.incidents.schemas import IncidentOut
from lifeline.incidents.service import Waiting
from lifeline.vocabulary import CALLBACK_TRIES, CallbackOutcome, CallbackState


class FollowUpOut(BaseModel):
    """What the decision started: orders raised, a call transferred, units nobody here serves."""

    orders: list[int] = Field(description="新派发的工单 orders raised")
    transferred_to: str | None = Field(description="一键转接到的对端 the peer the call was transferred to")
    unserved: list[str] = Field(description="本平台无对应单位的去向，需电话联系 destinations to phone")
    summary: str

    @classmethod
    def of(cls, outcome: Outcome) -> FollowUpOut:
        return cls(
            orders=[o.id for o in outcome.orders],
            transferred_to=outcome.transferred_to,
            unserved=outcome.unserved,
            summary=outcome.summary(),
        )


class DecisionOut(IncidentOut):
    follow_up: FollowUpOut

    @classmethod
    def of_outcome(cls, outcome: Outcome) -> DecisionOut:
        return cls(**IncidentOut.of(outcome.incident).model_dump(), follow_up=FollowUpOut.of(outcome))


class CallbackIn(Strict):
    outcome: CallbackOutcome = Field(
        description="reached 已接通 | no_answer 无人接听 | busy 占线 | wrong_number 号码错误"
    )
    note: Annotated[Text, Field(max_length=2000, description="了解到的情况 what was learnt")] = ""


class AttemptOut(BaseModel):
    outcome: str
    outcome_zh: str
    note: str
    by: str
    at: datetime


class WaitingOut(BaseModel):
    incident_id: int
    state: str
    received_at: datetime
    caller_number: str | None
    summary: str
    callback_state: str
    callback_state_zh: str
    attempts: list[AttemptOut]
    unanswered: int
    needs_supervisor: bool = Field(description=f"未接通满 {CALLBACK_TRIES} 次或号码错误，由值班长决定")

    @classmethod
    def of(cls, waiting: Waiting) -> WaitingOut:
        incident = waiting.incident
        attempts = [
            AttemptOut(outcome=a.outcome, outcome_zh=CallbackOutcome(a.outcome).zh, note=a.note, by=a.by, at=a.at)
            for a in waiting.attempts
        ]
        return cls(
            incident_id=incident.id,
            state=incident.state,
            received_at=incident.received_at,
            caller_number=mask_number(incident.caller_number),
            summary=incident.summary,
            callback_state=incident.callback_state,
            callback_state_zh=CallbackState(incident.callback_state).zh,
            attempts=attempts,
            unanswered=waiting.unanswered,
            needs_supervisor=waiting.needs_supervisor,
        )


class WaitingPage(BaseModel):
    items: list[WaitingOut]
