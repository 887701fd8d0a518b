"""What travels between platforms: the envelope, and one model per message kind.

Every field a peer carries onto our rows is checked with the field types the API uses (`api.schemas.Text`,
`Code`, the lengths of the columns it lands in), so a peer can store nothing a person could not store through
the API. Unknown fields are ignored, not refused: a newer peer may add one without stalling an older partner.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from lifeline.api.schemas import MAX_ID, Text
from lifeline.errors import Invalid
from lifeline.vocabulary import OrderState


def _in_range(value: datetime) -> datetime:
    if not 1971 <= value.astimezone(UTC).year <= 9000:
        raise ValueError("时间超出范围 / time out of range")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
Seq = Annotated[int, Field(ge=0, le=MAX_ID)]
# A work order's uid: the same on both sides of a bridge (uuid4 hex here; a peer may use another form).
Uid = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Envelope(Message):
    message_id: Annotated[Text, Field(min_length=1, max_length=200)]
    from_: Annotated[Text, Field(alias="from", max_length=64)]
    seq: Annotated[int, Field(ge=1, le=MAX_ID)]
    prev: Seq
    # Any kind and body: an unknown kind or a bad body is parked, numbered, so the stream can move past it.
    kind: Annotated[Text, Field(max_length=64)]
    body: Any = None


# Order steps --------------------------------------------------------------------------------------------------


class Step(Message):
    """A step the peer took on its copy of an order (diversion.service.CARRIED are the fields it carries)."""

    uid: Uid
    state: OrderState
    at: Moment | None = None
    feedback: Annotated[Text, Field(max_length=5000)] | None = None
    result: Annotated[Text, Field(max_length=32)] | None = None
    satisfaction: Annotated[int, Field(ge=1, le=5, strict=True)] | None = None
    visit_comment: Annotated[Text, Field(max_length=2000)] | None = None
    return_reason: Annotated[Text, Field(max_length=2000)] | None = None
    redo_count: Annotated[int, Field(ge=0, le=1000, strict=True)] | None = None
    seq: Seq | None = None

    @model_validator(mode="after")
    def _complete(self) -> Step:
        # The same rules as a step taken through the API (diversion.service._fill).
        if self.state == OrderState.HANDLED and not (self.feedback or "").strip():
            raise ValueError("办结须带反馈 feedback / handled needs feedback")
        if self.state == OrderState.VISITED and self.satisfaction is None:
            raise ValueError("回访须带满意度 satisfaction / visited needs a satisfaction score")
        if self.state == OrderState.RETURNED and not (self.return_reason or "").strip():
            raise ValueError("退回须带理由 return_reason / returned needs a reason")
        return self


def _step(kind: str, *states: OrderState) -> type[Step]:
    """The step model of one kind: it may carry only the states that kind is sent for (service.MESSAGE)."""
    return create_model(kind, __base__=Step, state=(Literal[tuple(s.value for s in states)], ...))


# order.progress carries the moves without a kind of their own: taken in, redo, closed, archived, taken back.
STEPS: dict[str, type[Step]] = {
    "order.sign": _step("order.sign", OrderState.SIGNED),
    "order.feedback": _step("order.feedback", OrderState.HANDLED),
    "order.visit": _step("order.visit", OrderState.VISITED),
    "order.return": _step("order.return", OrderState.RETURNED),
    "order.progress": _step(
        "order.progress",
        OrderState.RECEIVED,
        OrderState.IN_PROGRESS,
        OrderState.CLOSED,
        OrderState.ARCHIVED,
        OrderState.TAKEN_BACK,
    ),
}


# Orders, pushes and transfers ---------------------------------------------------------------------------------


class OrderCreate(Message):
    """order.create: a work order the 110 centre sends to be routed and handled here (columns of WorkOrder)."""

    uid: Uid
    category: Annotated[Text, Field(min_length=1, max_length=32)]
    text: Annotated[Text, Field(max_length=20_000)] = ""
    caller_number: Annotated[Text, Field(max_length=32)] | None = None
    address: Annotated[Text, Field(max_length=500)] = ""
    district: Annotated[Text, Field(max_length=100)] = ""
    sign_by: Moment
    handle_by: Moment
    incident_ref: Annotated[Text, Field(max_length=100)] | None = None
    # The sender's catalogue item and version (the receiver routes by its own version in force).
    catalogue_item: Annotated[str, Field(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    catalogue_version: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class Push(Message):
    """incident.push: an emergency as an EIDO document (checked against its schema by eido.from_eido)."""

    eido: dict[str, Any]
    reason: Annotated[Text, Field(max_length=500)] = ""


class Referral(Message):
    """incident.refer: a matter reported in one city about a place in another, sent through the province's hub
    (110 → hub → 110). The hub picks the city by the place unless `to_city` names it, and fills `from_city` and
    `from_peer` (the first desk: its incident numbers are its own, so the receiver keeps them as from_peer:id)."""

    eido: dict[str, Any]
    reason: Annotated[Text, Field(max_length=500)] = ""
    to_city: Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    from_city: Annotated[Text, Field(max_length=64)] | None = None
    from_peer: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] | None = None  # the first desk
    history: Annotated[list[Annotated[Text, Field(max_length=2000)]], Field(max_length=100)] = []


class MissingAlert(Message):
    """missing.alert: a city's 协查通报 for a missing person (110 → hub → the cities within its reach), sent when it
    opens, each time it widens, and when the person is found (`active` false). The hub fills `from_city` and
    `from_peer`."""

    case: Annotated[int, Field(ge=1, le=MAX_ID)]
    active: bool
    alert_km: Annotated[int, Field(ge=0, le=5000)]
    name: Annotated[Text, Field(max_length=100)] = ""
    age: Annotated[int, Field(ge=0, le=150)] | None = None
    sex: Annotated[Text, Field(max_length=8)] = ""
    description: Annotated[Text, Field(max_length=5000)] = ""
    medical_needs: Annotated[Text, Field(max_length=2000)] = ""
    last_seen_place: Annotated[Text, Field(max_length=500)] = ""
    last_seen_lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    last_seen_lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    last_seen_at: Moment | None = None
    grade: Annotated[Text, Field(min_length=1, max_length=16)]
    outcome: Annotated[Text, Field(max_length=16)] | None = None
    reported_at: Moment
    from_city: Annotated[Text, Field(max_length=64)] | None = None
    from_peer: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] | None = None


class Overflow(Message):
    """call.overflow: a call a city's switch sent to another city's desk in a surge (110 → hub → 110): who calls,
    and the caller's history at the first city, so that the desk that answers knows them and hands the matter back
    (`from_city`, a city code, filled by the hub with `from_name` and `from_peer`)."""

    ref: Annotated[Text, Field(min_length=1, max_length=32)]  # the call's contact at the first city
    caller_number: Annotated[Text, Field(max_length=32)] | None = None
    to_city: Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
    history: Annotated[list[Annotated[Text, Field(max_length=2000)]], Field(max_length=50)] = []
    received_at: Moment
    from_city: Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    from_name: Annotated[Text, Field(max_length=64)] | None = None
    from_peer: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] | None = None


class Transfer(Message):
    """call.transfer: the caller's number, what was said so far, the triage, and the call mode (as ReportCreate)."""

    ref: Annotated[Text, Field(min_length=1, max_length=32)]  # the sender's incident id, kept as peer:ref
    text: Annotated[Text, Field(max_length=20_000)]
    caller_number: Annotated[Text, Field(max_length=32)] | None = None
    location_text: Annotated[Text, Field(max_length=500)] | None = ""
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    received_at: Moment | None = None
    suggestion: dict[str, Any] | None = None
    three_way: bool = False

    def judged(self) -> str | None:
        category = (self.suggestion or {}).get("category")
        return str(category)[:32] if category is not None else None


# The matters catalogue: a proposal from one centre, and the other centre's decision on it ---------------------

Sha = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
VersionNumber = Annotated[int, Field(ge=2, le=MAX_ID)]  # version 1 is the shipped file, never proposed
Who = Annotated[Text, Field(min_length=1, max_length=64)]


class CatalogueProposal(Message):
    """catalogue.propose: a whole catalogue one centre proposes (checked again by catalogue.items on receipt)."""

    number: VersionNumber
    sha256: Sha
    document: dict[str, Any]
    side: Literal["110", "12345"]
    proposed_by: Who
    proposed_org: Annotated[Text, Field(max_length=64)] | None = None
    note: Annotated[Text, Field(max_length=2000)] = ""


class CatalogueDecision(Message):
    """catalogue.decide: the other centre approved (or rejected) a version proposed here."""

    number: VersionNumber
    sha256: Sha
    approved: bool
    at: Moment | None = None
    by: Who
    org: Annotated[Text, Field(max_length=64)] | None = None
    note: Annotated[Text, Field(max_length=2000)] = ""


MODELS: dict[str, type[Message]] = {
    **STEPS,
    "order.create": OrderCreate,
    "incident.push": Push,
    "incident.refer": Referral,
    "missing.alert": MissingAlert,
    "call.overflow": Overflow,
    "call.transfer": Transfer,
    "catalogue.propose": CatalogueProposal,
    "catalogue.decide": CatalogueDecision,
}


def read(kind: str, body: Any) -> Message:
    """The body of a message of `kind`, checked; Invalid naming each bad field when it is not one."""
    try:
        return MODELS[kind].model_validate(body)
    except ValidationError as exc:
        raise Invalid(f"{kind} 消息内容无效 / invalid {kind} body: {problems(exc)}") from exc


def problems(exc: ValidationError) -> str:
    """The first few field errors, one line each, for a person to read."""
    parts = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors(include_url=False)[:5]]
    return "；".join(parts)
