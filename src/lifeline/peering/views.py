"""Admin routes of the exchange: the dead-letter list (see, replay, drop) and the refused knocks at the door."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import MAX_ID, Id
from lifeline.auth.service import require
from lifeline.desk import inbox
from lifeline.desk.views import desk
from lifeline.peering import dead_letters
from lifeline.peering.models import DeadLetter

router = APIRouter(responses=RESPONSES, tags=["exchange"])


class DeadLetterOut(BaseModel):
    id: int
    peer: str
    message_id: str
    seq: int
    kind: str
    body: Any
    status: int
    reason: str
    received_at: datetime
    state: str
    attempts: int
    resolved_by: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterOut:
        fields = {name: getattr(letter, name) for name in cls.model_fields if name != "body"}
        return cls(**fields, body=dead_letters.body_of(letter))


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    next_cursor: int | None


class RejectionOut(BaseModel):
    at: str
    reason: str
    detail: str
    peer: str
    key_id: str
    timestamp: str
    address: str | None


class RejectionsOut(BaseModel):
    since: datetime
    counts: dict[str, int]
    recent: list[RejectionOut]


@router.get("/exchange/dead-letters", response_model=DeadLetterPage,
            summary="死信：无法处理的对端消息 messages from peers that could not be applied")  # fmt: skip
def list_dead_letters(
    ctx: RequestContext,
    state: Literal["parked", "replayed", "dropped"] | None = None,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    def work(session, who):
        rows = dead_letters.listing(session, who, state, cursor, limit)
        return DeadLetterPage(
            items=[DeadLetterOut.of(r) for r in rows], next_cursor=rows[-1].id if len(rows) == limit else None
        )

    return ctx.run(work)


@router.post("/exchange/dead-letters/{letter_id}/replay", response_model=DeadLetterOut,
             summary="重放死信（原因排除后）replay a parked message after its cause was fixed")  # fmt: skip
def replay_dead_letter(letter_id: Id, request: Request, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: DeadLetterOut.of(inbox.replay(s, who, desk(request), letter_id)), key=key)


@router.post("/exchange/dead-letters/{letter_id}/drop", response_model=DeadLetterOut,
             summary="放弃死信 drop a parked message: it stays listed, not applied")  # fmt: skip
def drop_dead_letter(letter_id: Id, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: DeadLetterOut.of(dead_letters.drop(s, who, letter_id)), key=key)


@router.get("/exchange/rejections", response_model=RejectionsOut,
            summary="被拒的未认证请求：按原因计数与最近记录 refused unauthenticated requests")  # fmt: skip
def rejections(request: Request, ctx: RequestContext):
    def work(session, who):
        require(who, "exchange.read")
        return RejectionsOut(**request.app.state.rejections.snapshot())

    return ctx.run(work)
