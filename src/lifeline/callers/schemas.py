"""Request and response shapes of nuisance-caller governance: the queue, a number's case, its steps and figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from lifeline.api.schemas import Strict, Text
from lifeline.vocabulary import NuisanceStep, StepMeans


class StepIn(Strict):
    step: NuisanceStep = Field(
        description="review 审查 | warning 警示 | referral 转介 | legal 依法处理 | flag 标记 | lift 解除 | close 结案"
    )
    note: Annotated[
        Text, Field(min_length=1, max_length=2000, description="情况、证据摘要或理由 what was done, or why")
    ]
    means: StepMeans | None = Field(None, description="警示：call | letter；转介：health | social")
    review_at: AwareDatetime | None = Field(None, description="标记的复核日期（默认 30 天后）a flag's review date")
    exit_days: Annotated[int, Field(ge=1, le=3650, description="标记退出规则：连续多少天无虚假来电")] | None = None


class StepOut(BaseModel):
    id: int
    step: str
    means: str | None
    note: str
    detail: dict
    by: str
    at: datetime


class FlagOut(BaseModel):
    status: str = Field(description="in_force 标记中 | expired 按退出规则到期 | lifted 已解除")
    since: datetime
    review_at: datetime | None
    ends_on: datetime | None = Field(description="若无新的虚假来电，标记到期之时 when it ends without a false call")
    last_false_call: datetime | None
    exit_days: int
    lifted_at: datetime | None
    lift_reason: str | None


class Standing(BaseModel):
    """What the call-taker sees at pickup: the case, its flag, the plan. The call is triaged like any other."""

    case_id: int
    state: str
    opened_at: datetime
    flagged: bool
    flag: FlagOut | None
    latest_step: StepOut | None
    next_review: datetime | None


class CaseOut(BaseModel):
    id: int
    state: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    flag: FlagOut | None
    steps: list[StepOut]
    open_steps: list[str] = Field(description="现在可做的步骤 the steps open now")


class WindowOut(BaseModel):
    days: int
    calls: int = Field(description="达到标准所需次数 calls that meet the criteria")
    count: int
    met: bool


class Evidence(BaseModel):
    incident_id: int
    received_at: datetime
    hour: int = Field(description="北京时间的小时 hour of day, China time")
    category: str
    outcome: str | None
    disposition: str
    words: str
    channel: str | None
    reference: str | None = Field(description="报告的外部编号（录音或其他系统）the report's reference, if any")


class GovernanceOut(BaseModel):
    number: str
    meets: bool
    windows: list[WindowOut]
    case: CaseOut | None
    evidence: list[Evidence]


class QueueItem(BaseModel):
    number: str
    false_calls: int
    last_call: datetime
    windows: list[WindowOut]
    evidence: list[Evidence]


class QueueOut(BaseModel):
    items: list[QueueItem]


class StepFigureOut(BaseModel):
    step: str
    callers: int = Field(description="有此步骤的号码数 numbers that had this step")
    stopped: int = Field(description="其后再无虚假来电的 of them, those with no false call since")


class FiguresOut(BaseModel):
    since: datetime
    until: datetime
    false_calls: int
    numbers: int
    by_category: dict[str, int]
    by_outcome: dict[str, int]
    flagged_now: int
    after_step: list[StepFigureOut]
