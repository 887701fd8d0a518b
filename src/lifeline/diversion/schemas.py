"""Request and response shapes of work orders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from lifeline.api.schemas import Code, Strict, Text
from lifeline.auth.permissions import mask_number
from lifeline.diversion import states
from lifeline.diversion.models import WorkOrder
from lifeline.diversion.service import ON_PEER_COPY, OrderIn, StepIn
from lifeline.vocabulary import OrderStep, Satisfaction


class OrderCreate(Strict):
    org: Code | None = Field(
        None, description="指定承办单位（不填则按路由表）organisation code; default: routing table"
    )
    note: Annotated[Text, Field(max_length=2000)] = ""

    def to_domain(self) -> OrderIn:
        return OrderIn(org=self.org, note=self.note)


SATISFACTION_DOC = "回访满意度 satisfaction: " + " · ".join(f"{s} {s.zh} {s.en}" for s in Satisfaction)


class StepCreate(Strict):
    to: OrderStep = Field(
        description="签收 signed · 开始办理 in_progress · 办结反馈 handled(feedback) · 退回 returned(reason) · "
        "回访 visited(satisfaction) · 关闭 closed · 归档 archived · 退回后 after a return："
        "改派 rerouted(org) · 收回 taken_back(reason) · 提交值班长 referred(reason)"
    )
    feedback: Annotated[Text, Field(max_length=5000)] | None = None
    result: Annotated[Text, Field(max_length=32)] | None = None
    satisfaction: Annotated[int, Field(ge=1, le=5, description=SATISFACTION_DOC)] | None = None
    comment: Annotated[Text, Field(max_length=2000)] | None = None
    reason: Annotated[Text, Field(max_length=2000)] | None = None
    org: Code | None = Field(None, description="改派到的承办单位 where a re-routed order goes")

    def to_domain(self) -> StepIn:
        return StepIn(**self.model_dump())


class CountersignIn(Strict):
    orgs: Annotated[list[Code], Field(min_length=1, max_length=20)]


class PushIn(Strict):
    reason: Annotated[Text, Field(min_length=1, max_length=500)]


class ReferIn(Strict):
    reason: Annotated[Text, Field(min_length=1, max_length=500)]
    city: Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")] | None = Field(
        None, description="城市代码，可省略（省平台按地点判断）the city's code; else the hub reads the place"
    )


class TransferIn(Strict):
    three_way: bool = Field(False, description="是否三方通话（来电人+12345+110）three-way call held")


class ExtensionIn(Strict):
    grounds: Annotated[Text, Field(min_length=1, max_length=2000, description="延期理由（必填）grounds")]
    working_days: Annotated[int, Field(ge=1, le=30, description="再延长的工作日数 more working days asked")]


class DecisionIn(Strict):
    approve: bool = Field(description="批准 true / 驳回 false")
    reason: Annotated[Text, Field(min_length=1, max_length=2000, description="审批意见（必填）the reason")]


class UrgeIn(Strict):
    text: Annotated[Text, Field(min_length=1, max_length=2000, description="催办内容 what the urge says")]


class SuperviseIn(Strict):
    demand: Annotated[Text, Field(min_length=1, max_length=2000, description="督办要求 what is demanded")]
    working_days: Annotated[int, Field(ge=1, le=30, description="限期（工作日）by when, in working days")]


class FollowUpOut(BaseModel):
    id: int
    order_id: int
    kind: str = Field(description="urge 催办 · supervise 督办 · extension 延期申请")
    text: str = Field(description="催办内容、督办要求或延期理由 the urge, the demand or the grounds")
    working_days: int | None
    due: datetime | None = Field(description="申请的新期限或督办期限 the deadline asked for or demanded")
    automatic: bool
    by: str
    at: datetime
    decision: str | None = Field(description="pending 待审批 · approved 批准 · refused 驳回")
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, row) -> FollowUpOut:
        return cls(**{name: getattr(row, name) for name in cls.model_fields})


class FollowUpPage(BaseModel):
    items: list[FollowUpOut]


class OrderOrgOut(BaseModel):
    org: str
    kind: str
    signed_at: datetime | None


class OrderOut(BaseModel):
    id: int
    uid: str
    incident_id: int | None
    peer: str | None
    state: str
    state_zh: str
    allowed_moves: list[str]
    category: str
    catalogue_item: str | None = Field(None, description="诉求事项 the catalogue item that routed it")
    catalogue_version: int | None = Field(None, description="路由所用清单版本 the catalogue version that routed it")
    text: str
    caller_number: str | None
    address: str
    orgs: list[OrderOrgOut]
    sign_by: datetime | None
    handle_by: datetime | None
    limit_kind: str | None = Field(None, description="时限种类 emergency help enquiry complaint report suggestion")
    limit_days: int | None = Field(None, description="办理时限（工作日），按小时计时为空 working days, if counted so")
    calendar_estimated: bool = Field(
        False,
        description="期限所跨年份无官方节假日安排，按周一至周五及本中心设置估算 computed without the official calendar",
    )
    urged_at: datetime | None = None
    overdue: str | None
    sent_at: datetime
    received_at: datetime | None
    signed_at: datetime | None
    handled_at: datetime | None
    visited_at: datetime | None
    closed_at: datetime | None
    returned_at: datetime | None
    escalated_at: datetime | None
    feedback: str | None
    result: str | None
    satisfaction: int | None
    satisfaction_zh: str | None
    visit_comment: str | None
    return_reason: str | None
    redo_count: int

    @classmethod
    def of(cls, order: WorkOrder, orgs: list[tuple], now: datetime) -> OrderOut:
        fields = {name: getattr(order, name) for name in cls.model_fields if hasattr(order, name)}
        return cls(
            **{**fields, "caller_number": mask_number(order.caller_number)},
            state_zh=states.STATES.get(order.state, order.state),
            allowed_moves=[
                m for m in states.allowed_next(order.state) if order.org_id is not None or m in ON_PEER_COPY
            ],
            orgs=[OrderOrgOut(org=code, kind=kind, signed_at=signed) for code, kind, signed in orgs],
            overdue=states.overdue(order.state, order.sign_by, order.handle_by, now),
            satisfaction_zh=states.SATISFACTION.get(order.satisfaction) if order.satisfaction else None,
        )


class OrderPage(BaseModel):
    items: list[OrderOut]
    next_cursor: int | None


class LinkageOut(BaseModel):
    items: list[OrderOut]
    unserved: list[str] = Field(description="本平台无对应单位的去向，需电话联系 destinations nobody here serves")
