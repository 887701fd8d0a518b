"""Request and response shapes of units."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lifeline.api.schemas import Code, Strict, Text
from lifeline.vocabulary import FieldOutcome, UnitStatus

Status = UnitStatus


class UnitIn(Strict):
    code: Code
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    org: Code
    kind: Literal["patrol_car", "motorbike", "foot", "special"] = "patrol_car"
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class StatusIn(Strict):
    status: Status
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class FeedbackIn(Strict):
    result: Annotated[Text, Field(min_length=1, max_length=2000, description="处置结果 what the unit did")]
    outcome: Annotated[FieldOutcome, Field(description="处置结果类别 how it ended")]


class CrewIn(Strict):
    officers: Annotated[list[Code], Field(max_length=12, description="本班车组民警用户名 the officers on the unit")]


class Position(Strict):
    unit: Annotated[int, Field(ge=1, le=2**31 - 1)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class PositionsIn(Strict):
    positions: Annotated[list[Position], Field(min_length=1, max_length=5000, description="车载定位 AVL fixes")]


class PositionsOut(BaseModel):
    moved: int


class ZoneOut(BaseModel):
    code: str
    name: str
    arrive_minutes: int
    covered: float = Field(description="辖区道路在到场时限内可达的比例 share of the zone's road reached in time")
    reaches_centre: bool
    move_up: str | None = Field(description="建议前移的警力 a unit to move up when no unit reaches the zone in time")


class CoverageOut(BaseModel):
    network: str | None
    units: int
    covered: dict[str, float] = Field(description="全市道路 1/3/5 分钟可达比例 city road share by minutes")
    zones: list[ZoneOut]
    gaps: dict = Field(description="未覆盖的路段（GeoJSON 网格） road not reached within its zone's minutes")


class AssignIn(Strict):
    unit: Annotated[int, Field(ge=1, le=2**31 - 1)]


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    org_id: int
    kind: str
    status: str
    lat: float | None
    lon: float | None
    incident_id: int | None
    status_since: datetime
    updated_at: datetime


class UnitList(BaseModel):
    items: list[UnitOut]


class Recommendation(BaseModel):
    unit: UnitOut
    in_jurisdiction: bool
    metres: float | None = Field(description="直线距离（米） straight-line metres")
    eta_s: float | None = Field(description="道路行驶时间（秒），无路网或超出搜索范围时为空 seconds by road")
    road_metres: float | None = Field(description="道路距离（米） metres by road")
    why: list[str] = Field(description="排序理由 why this unit is here (中文 / English)")

    @classmethod
    def of(cls, unit, ranked) -> Recommendation:
        eta = None if ranked.eta_s is None else round(ranked.eta_s, 1)
        road = None if ranked.road_metres is None else round(ranked.road_metres)
        return cls(
            unit=UnitOut.model_validate(unit),
            in_jurisdiction=ranked.in_jurisdiction,
            metres=None if ranked.metres is None else round(ranked.metres),
            eta_s=eta,
            road_metres=road,
            why=[f"{zh} / {en}" for zh, en in ranked.why],
        )


class CardIn(Strict):
    card: Annotated[Code, Field(description="预案名称（各版本共用） the card's name")]
    units: Annotated[
        dict[Literal["patrol_car", "motorbike", "foot", "special"], int], Field(description="警力种类→数量")
    ]
    area: Annotated[Text, Field(max_length=64, description="派出所代码，空为全市 a station's code, empty anywhere")] = (
        ""
    )
    category: Annotated[Text, Field(max_length=32, description="警情类别，空为任意 a category, empty any")] = ""
    from_hour: Annotated[int, Field(ge=0, le=23)] = 0
    to_hour: Annotated[int, Field(ge=1, le=24, description="不含；小于开始时跨午夜 exclusive; wraps midnight")] = 24
    note: Annotated[Text, Field(max_length=500)] = ""
    retired: bool = False


class CardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    card: str
    version: int
    area: str
    category: str
    from_hour: int
    to_hour: int
    units: dict[str, int]
    note: str = ""
    retired: bool = False
    changed_by: str = ""
    changed_at: datetime | None = None

    @classmethod
    def of(cls, card) -> CardOut:
        """The card in force (dispatch.ranking.Card), as a recommendation shows it."""
        fields = ("version", "area", "category", "from_hour", "to_hour", "units")
        return cls(card=card.name, **{f: getattr(card, f) for f in fields})


class CardList(BaseModel):
    items: list[CardOut]


class RecommendationList(BaseModel):
    items: list[Recommendation]
    card: CardOut | None = Field(None, description="适用的预案 the run card in force")
    proposed: list[int] = Field(default_factory=list, description="按预案建议派出的警力 units that fill the card")
    missing: dict[str, int] = Field(default_factory=dict, description="预案缺少的警力 what the card lacks")
