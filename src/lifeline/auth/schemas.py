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
    "utility", "fire_119", "ems_120", "governance_centre", "media_partner",
]  # fmt: skip


Password = Annotated[Text, Field(min_length=1, max_length=200, description="至少 10 个字符 at least 10 characters")]
OtpCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="验证器上的 6 位数字 the app's 6 digits")]


class LoginIn(Strict):
    username: Annotated[Text, Field(min_length=1, max_length=64)]
    password: Annotated[Text, Field(min_length=1, max_length=200)]
    otp: Annotated[
        str, Field(max_length=6, pattern=r"^[0-9]*$", description="已启用动态验证码时必填 the TOTP code")
    ] = ""


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
    password: Password
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


class PasswordIn(Strict):
    password: Password


class PasswordChangeIn(Strict):
    old_password: Annotated[Text, Field(min_length=1, max_length=200)]
    new_password: Password


class SessionsEnded(BaseModel):
    sessions_ended: int


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class TokenList(BaseModel):
    items: list[TokenOut]


class UnlockIn(Strict):
    username: Annotated[Text, Field(min_length=1, max_length=64)] | None = None
    address: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[0-9A-Za-z.:\-]+$")] | None = None


class Unlocked(BaseModel):
    released: int = Field(description="解除的锁定记录数 lock records removed")


class OtpEnrolment(BaseModel):
    secret: str = Field(description="只显示这一次 shown this once")
    uri: str = Field(description="otpauth:// 二维码内容 for the authenticator app's QR code")


class OtpCodeIn(Strict):
    code: OtpCode


class OtpState(BaseModel):
    active: bool
