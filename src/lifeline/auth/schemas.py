"""Request and response shapes of people, organisations and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lifeline.api.schemas import Code, Strict, Text
from lifeline.vocabulary import USER_ROLES

Role = Literal[tuple(r.value for r in USER_ROLES)]
OrgKind = Literal[
    "city", "centre_110", "centre_12345", "police_station", "department",
    "utility", "fire_119", "ems_120", "governance_centre",
]  # fmt: skip


class LoginIn(Strict):
    username: Annotated[Text, Field(min_length=1, max_length=64)]
    password: Annotated[Text, Field(min_length=1, max_length=200)]


class OrgIn(Strict):
    code: Code
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    kind: OrgKind
    parent: Code | None = None
    jurisdiction: Annotated[Text, Field(max_length=500)] = ""
    serves: Annotated[Text, Field(max_length=64)] | None = None


class OrgOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    jurisdiction: str
    serves: str | None


class OrgList(BaseModel):
    items: list[OrgOut]


class UserIn(Strict):
    username: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
    role: Role
    org: Code
    password: Annotated[Text, Field(min_length=8, max_length=200)]
    display_name: Annotated[Text, Field(max_length=100)] = ""


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    org_id: int
    active: bool
    created_at: datetime


class UserList(BaseModel):
    items: list[UserOut]


class MeOut(BaseModel):
    username: str
    role: str
    org_id: int
    via: str
    permissions: list[str]


class SessionOut(BaseModel):
    username: str
    role: str
    csrf_token: str = Field(description="写操作须在 X-CSRF-Token 头中带上 send it as X-CSRF-Token on writes")
