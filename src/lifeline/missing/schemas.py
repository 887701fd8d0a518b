"""Request and response shapes of missing-person cases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from lifeline.api.schemas import MAX_ID, Code, Strict, Text
from lifeline.vocabulary import MissingOutcome, MissingTask, RiskGrade

Short = Annotated[Text, Field(max_length=200)]
Long = Annotated[Text, Field(max_length=4000)]
Said = Annotated[Text, Field(min_length=1, max_length=4000)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class CaseIn(Strict):
    incident_id: Annotated[int, Field(ge=1, le=MAX_ID, description="来自哪起警情 from which incident")] | None = None
    name: Annotated[Text, Field(max_length=100)] = ""
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: Annotated[Text, Field(max_length=8)] = ""
    description: Long = ""
    medical_needs: Long = ""
    contact: Annotated[Text, Field(max_length=100, description="家属联系电话 the family's number")] = ""
    last_seen_place: Annotated[Text, Field(max_length=500)] = ""
    last_seen_lat: Lat | None = None
    last_seen_lon: Lon | None = None
    last_seen_at: AwareDatetime | None = None
    reported_at: AwareDatetime | None = Field(None, description="家属报案时间（手工立案）when the family reported it")
    grade: RiskGrade | None = Field(None, description="人工定级；不填则采用系统建议 a person's grade")
    grade_reason: Long = ""
    station: Code | None = Field(None, description="负责查找的派出所代码 the searching station's code")
    searchers: list[Annotated[Text, Field(min_length=1, max_length=100)]] = Field(default_factory=list, max_length=50)


class GradeIn(Strict):
    grade: RiskGrade
    reason: Said


class AssignIn(Strict):
    station: Code
    searchers: list[Annotated[Text, Field(min_length=1, max_length=100)]] = Field(default_factory=list, max_length=50)


class TaskIn(Strict):
    kind: MissingTask = MissingTask.OTHER
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    assignee: Annotated[Text, Field(max_length=100)] = ""


class TaskDoneIn(Strict):
    result: Said


class SightingIn(Strict):
    seen_at: AwareDatetime
    place: Annotated[Text, Field(max_length=500)] = ""
    lat: Lat | None = None
    lon: Lon | None = None
    source: Short = ""
    note: Long = ""
    confirmed: bool = False


class NoteIn(Strict):
    note: Said


class AppealIn(Strict):
    partner: Code
    text: Annotated[Text, Field(min_length=1, max_length=2000, description="可公开发布的文字 what may be published")]
    with_photo: bool = False
    withdraw_by: AwareDatetime | None = Field(None, description="最迟撤回时间 taken down at the latest then")


class WithdrawIn(Strict):
    reason: Short = ""


class OutcomeIn(Strict):
    outcome: MissingOutcome
    found_at: AwareDatetime | None = None
    place: Annotated[Text, Field(max_length=500)] = ""
    note: Long = ""


class Attributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TaskOut(Attributes):
    id: int
    kind: str
    title: str
    assignee: str
    result: str
    created_at: datetime
    done_by: str | None
    done_at: datetime | None


class SightingOut(Attributes):
    id: int
    seen_at: datetime
    place: str
    lat: float | None
    lon: float | None
    source: str
    note: str
    confirmed: bool
    recorded_by: str


class AppealOut(Attributes):
    id: int
    partner: str = ""
    text: str
    with_photo: bool
    published_by: str
    published_at: datetime
    withdraw_by: datetime | None
    withdrawn_at: datetime | None
    withdrawn_reason: str


class EntryOut(Attributes):
    kind: str
    text: str
    by: str
    at: datetime


class CaseOut(Attributes):
    id: int
    state: str
    incident_id: int | None
    name: str
    age: int | None
    sex: str
    description: str
    medical_needs: str
    contact: str
    photo_sha256: str | None
    last_seen_place: str
    last_seen_lat: float | None
    last_seen_lon: float | None
    last_seen_at: datetime | None
    grade: str
    grade_reasons: list[list[str]]
    suggested_grade: str
    graded_by: str | None
    next_review_at: datetime
    review_overdue: bool = False
    alert_km: int
    station: str | None = None
    searchers: list[str]
    outcome: str | None
    found_at: datetime | None
    found_place: str
    outcome_note: str
    safe_well_at: datetime | None
    safe_well_by: str | None
    safe_well_note: str
    reported_at: datetime
    hours_missing: float = 0.0
    opened_by: str
    closed_at: datetime | None


class CaseFile(BaseModel):
    case: CaseOut
    tasks: list[TaskOut]
    sightings: list[SightingOut]
    appeals: list[AppealOut]
    timeline: list[EntryOut]


class CaseList(BaseModel):
    items: list[CaseOut]


class RegionalAlertOut(Attributes):
    """Another city's 协查通报 that reaches this city (through the province's hub)."""

    id: int
    from_city: str
    from_peer: str
    case_ref: int = Field(description="该市的案件编号 the case's number at its city")
    active: bool = Field(description="false：已找到，通报撤销 found: the alert is withdrawn")
    name: str
    age: int | None
    sex: str
    description: str
    medical_needs: str
    last_seen_place: str
    last_seen_lat: float | None
    last_seen_lon: float | None
    last_seen_at: datetime | None
    grade: str
    alert_km: int
    outcome: str | None
    reported_at: datetime
    received_at: datetime
    updated_at: datetime


class RegionalAlerts(BaseModel):
    items: list[RegionalAlertOut]


class FiguresOut(BaseModel):
    reported: int = Field(description="窗口内报案的走失案件 cases reported in the window")
    due: int = Field(description="其中已满 24 小时或已找到的 of them, past their first day or found")
    found_24h: int
    found_24h_rate: float | None = Field(description="24 小时找回率 found within 24 h / due")
    median_hours_to_find: float | None
    open_now: int
    overdue_reviews: int


class PublicAppeal(BaseModel):
    """What a partner may publish: the text, the photo when allowed, and until when."""

    id: int
    case_id: int
    text: str
    photo: str | None = Field(None, description="照片地址 the photo's path, when it may be published")
    published_at: datetime
    withdraw_by: datetime | None


class PublicAppeals(BaseModel):
    items: list[PublicAppeal]
