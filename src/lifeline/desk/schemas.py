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
    consultation: int | None = Field(None, description="权属不清时发起的会商 the consultation a held matter waits on")
    summary: str

    @classmethod
    def of(cls, outcome: Outcome) -> FollowUpOut:
        return cls(
            orders=[o.id for o in outcome.orders],
            transferred_to=outcome.transferred_to,
            unserved=outcome.unserved,
            consultation=outcome.consultation.id if outcome.consultation is not None else None,
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


class SettleIn(Strict):
    owner: Annotated[
        str, Field(pattern="^(police|divert)$", description="police 由公安处置 | divert 转 12345/职能部门")
    ]
    record: Annotated[Text, Field(min_length=1, max_length=2000, description="会商经过与结论 what was agreed, and why")]
    other_party: Annotated[
        Text, Field(min_length=1, max_length=200, description="对方经办人 who agreed for the other desk")
    ]
    three_way: bool = Field(False, description="经三方通话商定 agreed on a three-party call")
    propose: bool = Field(False, description="据此提出清单变更 propose the catalogue change this settles")


class ConsultationOut(BaseModel):
    id: int
    incident_id: int
    item: str
    catalogue_version: int
    state: str
    opened_by: str
    opened_at: datetime
    owner: str | None
    three_way: bool
    other_party: str
    record: str
    agreed_by: str | None
    agreed_at: datetime | None
    proposal: int | None

    @classmethod
    def of(cls, row) -> ConsultationOut:
        return cls(**{name: getattr(row, name) for name in cls.model_fields})


class ConsultationList(BaseModel):
    items: list[ConsultationOut]
