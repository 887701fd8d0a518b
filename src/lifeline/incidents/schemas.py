"""Request and response shapes of the incident API."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from lifeline import taxonomy
from lifeline.api.schemas import Strict, Text, Words
from lifeline.auth.permissions import mask_number
from lifeline.callers.schemas import Standing
from lifeline.catalogue.schemas import SuggestedItem
from lifeline.incidents import states
from lifeline.incidents.models import Incident, Report
from lifeline.incidents.service import Decision, Intake, ReportIn, needs_confirming
from lifeline.triage import TriageResult
from lifeline.vocabulary import INTAKE_CHANNELS, Disposition, IncidentMove

Channel = Literal[INTAKE_CHANNELS]
# Moves a person asks for by name. Confirming is its own route (the decision); a matter is transferred only by
# handing it over (desk.flows), and taken back only by its order's step.
HANDED = (IncidentMove.CONFIRMED, IncidentMove.TRANSFERRED, IncidentMove.TAKEN_BACK)
Move = Literal[tuple(m.value for m in IncidentMove if m not in HANDED)]
Priority = Annotated[int, Field(ge=1, le=4)]
Reason = Annotated[Text, Field(max_length=2000)]


class ReportCreate(Strict):
    text: Annotated[Words, Field(max_length=20_000, description="来电内容 what the caller said or wrote; may be empty")]
    channel: Channel = "voice"
    caller_number: Annotated[Text, Field(max_length=32)] | None = None
    caller_name: Annotated[Text, Field(max_length=100)] = ""
    location_text: Annotated[Text, Field(max_length=500)] = ""
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    received_at: AwareDatetime | None = None
    answered_at: AwareDatetime | None = None
    external_ref: Annotated[Text, Field(max_length=100)] | None = None

    def to_domain(self) -> ReportIn:
        return ReportIn(**self.model_dump())


class ConfirmIn(Strict):
    category: Annotated[Text, Field(max_length=32)] | None = None
    disposition: Disposition | None = None
    priority: Priority | None = None
    destinations: Annotated[list[Annotated[Text, Field(max_length=32)]], Field(max_length=20)] | None = None
    reason: Reason | None = None
    item: Annotated[str, Field(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")] | None = Field(
        None, description="诉求事项编码（改选建议的事项）/ the catalogue item, when the suggested one is not it"
    )
    via: Literal["transfer", "order"] = Field(
        "transfer",
        description="有 12345 对端时分流的方式：一键转接（默认）或派发工单并跟踪反馈 / how a diverted matter goes to a"
        " 12345 peer: the one-click transfer (default), or a work order whose steps come back",
    )

    def to_domain(self) -> Decision:
        return Decision(**self.model_dump(exclude={"via"}))


class TransitionIn(Strict):
    to: Move = Field(description="目标状态 target state")
    reason: Reason | None = None
    org: Annotated[Text, Field(max_length=64, description="派警/分流的单位代码 organisation code")] | None = None


class NoteIn(Strict):
    text: Annotated[Text, Field(min_length=1, max_length=5000)]


class LocationIn(Strict):
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class MergeIn(Strict):
    source: Annotated[int, Field(ge=1, le=2**31 - 1, description="被合并的警情 the incident merged into this one")]


class ReportOut(BaseModel):
    id: int
    origin_incident_id: int
    channel: str
    caller_number: str | None
    text: str
    location_text: str
    lat: float | None
    lon: float | None
    received_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            id=report.id,
            origin_incident_id=report.origin_incident_id,
            channel=report.channel,
            caller_number=mask_number(report.caller_number),
            text=report.text,
            location_text=report.location_text,
            lat=report.lat,
            lon=report.lon,
            received_at=report.received_at,
            answered_at=report.answered_at,
        )


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    org_id: int
    kind: str
    created_at: datetime


class IncidentOut(BaseModel):
    id: int
    state: str
    state_zh: str
    allowed_moves: list[str]
    category: str
    category_zh: str
    disposition: str
    priority: int
    destinations: list[str]
    suggestion: dict[str, Any]
    catalogue_item: str | None = Field(None, description="诉求事项清单编码 the catalogue item the matter is")
    override_reason: str | None
    needs_confirmation: bool
    callback_required: bool
    caller_number: str | None = Field(description="已脱敏 masked; 完整号码见 /incidents/{id}/caller")
    address: str
    lat: float | None
    lon: float | None
    location_source: str | None = Field(description="定位来源 device | address | pin")
    location_place: str | None = Field(description="地址匹配到的地点 the place the address matched")
    location_confidence: float | None = Field(description="定位把握 0..1")
    location_needs_confirming: bool = Field(description="地址把握不足，请接警员确认或在地图上标点")
    summary: str
    owner_org_id: int
    merged_into_id: int | None
    cancel_reason: str | None
    result: str | None = Field(description="处置反馈 the unit's result")
    outcome: str | None = Field(description="处置结果类别 vocabulary.FieldOutcome")
    received_at: datetime
    triaged_at: datetime | None
    confirmed_at: datetime | None
    dispatched_at: datetime | None
    accepted_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    transferred_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    reports: list[ReportOut]
    assignments: list[AssignmentOut]

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        category = taxonomy.default().categories.get(incident.category)
        return cls(
            id=incident.id,
            state=incident.state,
            state_zh=states.STATES.get(incident.state, incident.state),
            allowed_moves=states.allowed_next(incident.state, incident.disposition),
            category=incident.category,
            category_zh=category.zh if category else incident.category,
            disposition=incident.disposition,
            priority=incident.priority,
            destinations=list(incident.destinations or []),
            suggestion=incident.suggestion,
            catalogue_item=incident.catalogue_item,
            override_reason=incident.override_reason,
            needs_confirmation=incident.needs_confirmation,
            callback_required=incident.callback_required,
            caller_number=mask_number(incident.caller_number),
            address=incident.address,
            lat=incident.lat,
            lon=incident.lon,
            location_source=incident.location_source,
            location_place=incident.location_place,
            location_confidence=incident.location_confidence,
            location_needs_confirming=needs_confirming(incident),
            summary=incident.summary,
            owner_org_id=incident.owner_org_id,
            merged_into_id=incident.merged_into_id,
            cancel_reason=incident.cancel_reason,
            result=incident.result,
            outcome=incident.outcome,
            received_at=incident.received_at,
            triaged_at=incident.triaged_at,
            confirmed_at=incident.confirmed_at,
            dispatched_at=incident.dispatched_at,
            accepted_at=incident.accepted_at,
            en_route_at=incident.en_route_at,
            on_scene_at=incident.on_scene_at,
            transferred_at=incident.transferred_at,
            resolved_at=incident.resolved_at,
            closed_at=incident.closed_at,
            cancelled_at=incident.cancelled_at,
            reports=[ReportOut.of(r) for r in incident.reports],
            assignments=[AssignmentOut.model_validate(a) for a in incident.assignments],
        )


class TriageOut(BaseModel):
    disposition: str
    category: str
    category_zh: str
    priority: int
    destinations: list[str]
    confidence: float
    reasons: list[str]
    needs_confirmation: bool
    callback_required: bool
    cues: list[str]
    entities: dict[str, Any]
    request_category: str | None = Field(
        None, description="来电所求的类别（眼前险情改判时）/ what the caller asked for, when a present danger decided"
    )
    model: str | None = Field(None, description="给出建议的研判模型版本 / the triage model version that suggested it")

    @classmethod
    def of(cls, result: TriageResult) -> TriageOut:
        return cls(**result.suggestion(), category_zh=result.category_zh)


class DuplicateOut(BaseModel):
    incident_id: int
    score: float
    reasons: list[str]
    summary: str = ""


class CallerIncidentOut(BaseModel):
    id: int
    received_at: datetime
    category: str
    disposition: str
    state: str
    confirmed: bool


class CallerOut(BaseModel):
    number: str | None
    calls_24h: int
    calls_30d: int
    repeat: bool
    nuisance_score: float
    flagged: bool
    reasons: list[str]
    case: Standing | None = Field(None, description="骚扰来电案件：标记与处置计划 the nuisance case, its flag and plan")
    incidents: list[CallerIncidentOut]

    @classmethod
    def of(cls, history: dict | None, *, masked: bool = True) -> CallerOut | None:
        """A caller's history as shown; the number masked unless the reader may see it (and that read is logged)."""
        if history is None:
            return None
        number = history.get("number")
        return cls(**{**history, "number": mask_number(number) if masked else number})


class IntakeOut(BaseModel):
    incident: IncidentOut
    report_id: int
    triage: TriageOut
    duplicates: list[DuplicateOut]
    caller: CallerOut | None
    item: SuggestedItem | None = Field(
        None, description="建议的诉求事项：承办方、规则、时限与话术 / the suggested item: owner, rule, limit, words"
    )

    @classmethod
    def of(cls, got: Intake) -> IntakeOut:
        return cls(
            incident=IncidentOut.of(got.incident),
            report_id=got.report.id,
            triage=TriageOut.of(got.triage),
            item=SuggestedItem.suggested(got.catalogue_version or 1, got.item),
            duplicates=[DuplicateOut(**d) for d in got.duplicates],
            caller=CallerOut.of(got.caller),
        )


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_cursor: str | None = Field(description="下一页游标 pass as ?cursor= for the next page; null at the end")


class EventOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    actor: str | None
    payload: dict[str, Any]


class EventList(BaseModel):
    items: list[EventOut]


class RevealOut(BaseModel):
    number: str | None
    history: CallerOut | None


class Done(BaseModel):
    ok: bool = True


class AuditOut(BaseModel):
    ok: bool
    events: int
    incidents: int
    broken_seq: int | None
    problem: str | None


class CallerRead(BaseModel):
    """One read of a caller's data, from the audit chain."""

    seq: int
    at: datetime
    actor: str | None
    role: str | None
    kind: str = Field(description="caller.number_read 查看完整号码 | caller.history_read 按号码查询历史")
    number: str | None = Field(description="已脱敏 masked")
    incident_id: int | None

    @classmethod
    def of(cls, event) -> CallerRead:
        payload = json.loads(event.payload)
        return cls(
            seq=event.seq, at=event.at, actor=event.actor, role=payload.get("role"), kind=event.kind,
            number=payload.get("number"), incident_id=event.incident_id,
        )  # fmt: skip


CALLER_READ_COLUMNS = ("seq", "at", "actor", "role", "kind", "number", "incident_id")


def caller_read_row(read: CallerRead) -> list:
    """One read as a CSV row (CALLER_READ_COLUMNS): the API's export and `lifeline audit caller-reads`."""
    return [read.seq, read.at.isoformat(), read.actor, read.role, read.kind, read.number, read.incident_id or ""]


class CallerReadList(BaseModel):
    items: list[CallerRead]
