"""Request and response shapes of premise notes and an address's history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lifeline.api.schemas import Strict, Text
from lifeline.vocabulary import Hazard


class PremiseIn(Strict):
    hazard: Hazard
    note: Annotated[Text, Field(min_length=1, max_length=2000, description="提示内容 what officers should know")]
    place: Annotated[Text, Field(max_length=200, description="地址（无坐标时按地址定位） the address")] = ""
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class PremiseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    place: str
    lat: float
    lon: float
    hazard: str
    note: str
    created_by: str
    created_at: datetime
    retired_at: datetime | None


class EarlierIncident(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    received_at: datetime
    category: str
    state: str
    summary: str


class AddressOut(BaseModel):
    notes: list[PremiseOut]
    earlier: list[EarlierIncident] = Field(description="此地址此前的警情 earlier incidents at the address")
