"""Request and response shapes of governance cases and an incident's parties. Numbers are always masked here:
a caller's full number is read, and the read recorded, through /incidents/{id}/caller."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from lifeline.api.schemas import Strict, Text
from lifeline.auth.permissions import mask_number
from lifeline.vocabulary import MediationOutcome


class PartyIn(Strict):
    name: Annotated[Text, Field(max_length=100, description="称呼 who, e.g. 楼下 302 住户 王某")] = ""
    phone: Annotated[Text, Field(max_length=32, description="电话 phone number")] = ""

    @model_validator(mode="after")
    def _something(self):
        if not self.name.strip() and not self.phone.strip():
            raise ValueError("当事人须有姓名或电话 / a party needs a name or a phone number")
        return self


class PartiesIn(Strict):
    parties: Annotated[list[PartyIn], Field(min_length=1, max_length=10)]


class PartyOut(BaseModel):
    name: str
    phone: str | None = Field(description="已脱敏 masked")


class PartiesOut(BaseModel):
    incident_id: int
    parties: list[PartyOut]
    case_id: int | None = Field(description="此警情所在的矛盾纠纷案件 the governance case it opened or joined")


class MediationIn(Strict):
    outcome: MediationOutcome
    note: Annotated[Text, Field(min_length=1, max_length=2000, description="调解情况 what was agreed or why not")]


class ReturnVisitIn(Strict):
    officer: Annotated[Text, Field(min_length=1, max_length=100, description="回访民警 who went back")]
    found: Annotated[Text, Field(min_length=1, max_length=2000, description="回访情况 what was found")]
    visited_at: AwareDatetime | None = Field(None, description="回访时间（默认现在） when; now by default")


class CaseIncidentOut(BaseModel):
    id: int
    received_at: datetime
    category: str
    disposition: str
    state: str
    caller_number: str | None = Field(description="已脱敏 masked")
    summary: str


class CaseOrderOut(BaseModel):
    id: int
    state: str
    org_id: int | None


class CaseOut(BaseModel):
    id: int
    state: str
    category: str
    place: str
    lat: float | None
    lon: float | None
    parties: list[str] = Field(description="当事人（号码已脱敏） the two parties, numbers masked")
    incident_count: int
    order: CaseOrderOut | None
    opened_at: datetime
    reopened: int
    mediation: str | None
    mediation_note: str | None
    mediated_by: str | None
    mediated_at: datetime | None
    visit_officer: str | None
    visit_found: str | None
    visited_at: datetime | None
    closed_at: datetime | None
    incidents: list[CaseIncidentOut] | None = None

    @classmethod
    def of(cls, case, rows, order, labels: list[str], *, full: bool = False) -> CaseOut:
        return cls(
            id=case.id,
            state=case.state,
            category=case.category,
            place=case.place,
            lat=case.lat,
            lon=case.lon,
            parties=labels,
            incident_count=len(rows),
            order=CaseOrderOut(id=order.id, state=order.state, org_id=order.org_id) if order else None,
            opened_at=case.opened_at,
            reopened=case.reopened,
            mediation=case.mediation,
            mediation_note=case.mediation_note,
            mediated_by=case.mediated_by,
            mediated_at=case.mediated_at,
            visit_officer=case.visit_officer,
            visit_found=case.visit_found,
            visited_at=case.visited_at,
            closed_at=case.closed_at,
            incidents=[
                CaseIncidentOut(id=i.id, received_at=i.received_at, category=i.category, disposition=i.disposition,
                                state=i.state, caller_number=mask_number(i.caller_number), summary=i.summary or "")
                for i in rows
            ] if full else None,
        )  # fmt: skip


class CasePage(BaseModel):
    items: list[CaseOut]
