"""The inbound receiver: signed, idempotent, in order. POST /exchange/v1/messages, or many at once to /batch.

Answers: 200 applied (or duplicate); 401 for a knock that is not a configured peer's signed message (counted in
memory, never written: peering.rejections); 409 out of order (the sender resends from `expected_prev`); 403 or
422 `parked` for a message that cannot be applied: it waits in the dead-letter list and the stream moved on, so
the sender counts it delivered (peering.relay). Never a 500 for what a message says (desk.inbox).
"""

from __future__ import annotations

import json
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lifeline.api.problems import RESPONSES, problem
from lifeline.desk import inbox as desk_inbox
from lifeline.peering.messages import Envelope, problems
from lifeline.peering.models import PeerInbox
from lifeline.peering.peers import MAX_BATCH, check
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction

router = APIRouter(responses=RESPONSES, tags=["exchange"])
T = TypeVar("T", bound=BaseModel)
TITLES = {403: "对端无权发送 Forbidden", 422: "消息无法处理 Unprocessable content"}


class Ack(BaseModel):
    ack: str
    status: str  # applied | duplicate


class Result(Ack):
    status: str  # applied | duplicate | parked
    problem: dict | None = None  # for a parked message: its status, why, and the dead letter's number


class BatchAck(BaseModel):
    results: list[Result]
    expected_prev: int


class Batch(BaseModel):
    messages: list[Envelope] = Field(min_length=1, max_length=MAX_BATCH)


def knock(request: Request, body: bytes) -> tuple[str, JSONResponse | None]:
    """The sending peer's name, and a 401 when the request is not its genuine signed message."""
    headers = request.headers
    name = headers.get("X-Lifeline-Peer", "")
    key_id, stamp = headers.get("X-Lifeline-Key-Id", ""), headers.get("X-Lifeline-Timestamp", "")
    peer = request.app.state.peers.peers.get(name)
    refused = (
        ("unknown_peer", "未知对端 unknown peer")
        if peer is None
        else check(peer, key_id, stamp, body, headers.get("X-Lifeline-Signature", ""))
    )
    if refused is None:
        return name, None
    reason, detail = refused
    client = request.client.host if request.client else None
    request.app.state.rejections.record(reason, detail, name, key_id, stamp, client)
    return name, problem(401, "签名无效 Unauthorized", f"拒收消息：{detail} / message refused", request, reason=reason)


@router.post("/exchange/v1/ping", summary="校验签名与连通 check reachability and key")
async def ping(request: Request):
    name, refused = knock(request, await request.body())
    if refused is not None:
        return refused
    return {
        "ok": True,
        "peer": name,
        "key": request.headers.get("X-Lifeline-Key-Id"),
        "me": request.app.state.peers.name,
    }


async def signed(request: Request, model: type[T], what: str) -> tuple[str, T | None, JSONResponse | None]:
    """The sending peer, and the body read as `model`; or the 401 or 422 to answer instead (nothing to park: a
    body that is not JSON or not the shape carries no number)."""
    body = await request.body()
    name, refused = knock(request, body)
    if refused is not None:
        return name, None, refused
    try:
        return name, model.model_validate(json.loads(body or b"{}")), None
    except (ValueError, RecursionError) as exc:
        detail = problems(exc) if isinstance(exc, ValidationError) else "不是 JSON / not JSON"
        return name, None, problem(422, "内容无效 Unprocessable content", f"{what}: {detail}", request)


@router.post("/exchange/v1/messages", response_model=Ack, summary="接收对端平台消息 receive a peer's message")
async def receive(request: Request):
    name, message, refused = await signed(request, Envelope, "消息信封无效 / bad envelope")
    if refused is not None:
        return refused
    return await run_in_threadpool(_apply, request, name, message)


def _apply(request: Request, peer: str, message: Envelope) -> JSONResponse:
    with transaction(request.app.state.sessions) as session:
        inbox = _inbox(session, peer)
        result = _step(session, request, peer, inbox, message)
    if result is None:
        return _out_of_order(request, inbox, message)
    if result["status"] != "parked":
        return JSONResponse(result)
    letter = result["problem"]
    return problem(letter["status"], TITLES[letter["status"]], letter["detail"], request, ack=message.message_id,
                   parked=True, dead_letter=letter["dead_letter"])  # fmt: skip


@router.post("/exchange/v1/batch", response_model=BatchAck, summary="批量接收对端平台消息 receive a batch in order")
async def receive_batch(request: Request):
    """Several messages in order, applied in one transaction: the relay's usual way, one round trip for many.

    Each gets its own result (applied, duplicate, parked); the batch stops at the first message out of order, and
    `expected_prev` tells the sender where to resume. A batch whose first message is out of order is a 409.
    """
    name, batch, refused = await signed(request, Batch, "批量消息无效 / bad batch")
    if refused is not None:
        return refused
    return await run_in_threadpool(_apply_batch, request, name, batch.messages)


def _apply_batch(request: Request, peer: str, batch: list[Envelope]) -> JSONResponse:
    with transaction(request.app.state.sessions) as session:
        inbox = _inbox(session, peer)
        results = _all_at_once(session, request, peer, inbox, batch)
        if results is None:  # one is refused: each in a savepoint of its own, the refused one parked
            results = []
            for message in batch:
                result = _step(session, request, peer, inbox, message)
                if result is None:
                    break
                results.append(result)
    if not results:
        return _out_of_order(request, inbox, batch[0])
    return JSONResponse({"results": results, "expected_prev": inbox.applied_seq})


def _all_at_once(
    session: Session, request: Request, peer: str, inbox: PeerInbox, batch: list[Envelope]
) -> list[dict] | None:
    """The usual batch, where every message applies: one savepoint and one write of the event log for all of
    them. None, with nothing of the batch kept, when one is refused."""
    results, applied_seq, applied = [], inbox.applied_seq, 0
    try:
        with session.begin_nested(), events.deferred(session):
            for message in batch:
                if message.seq <= applied_seq:
                    results.append({"ack": message.message_id, "status": "duplicate"})
                    continue
                if message.prev != applied_seq:
                    break
                desk_inbox.apply(session, request.app.state.desk, peer, message.kind, message.body)
                results.append({"ack": message.message_id, "status": "applied"})
                applied_seq, applied = message.seq, applied + 1
            inbox.applied_seq, inbox.applied, inbox.updated_at = applied_seq, inbox.applied + applied, utcnow()
    except OperationalError:
        raise  # the database is busy or gone: the sender tries again
    except Exception:  # the slow path applies them one by one and parks the refused one
        return None
    return results


def _step(session: Session, request: Request, peer: str, inbox: PeerInbox, message: Envelope) -> dict | None:
    """Apply one message after the last one applied: its result, or None when it is out of order."""
    if message.seq <= inbox.applied_seq:
        return {"ack": message.message_id, "status": "duplicate"}
    if message.prev != inbox.applied_seq:
        return None
    letter = desk_inbox.take(session, request.app.state.desk, peer, message)
    inbox.applied_seq, inbox.applied, inbox.updated_at = message.seq, inbox.applied + 1, utcnow()
    if letter is None:
        return {"ack": message.message_id, "status": "applied"}
    detail = f"{letter.reason}（已转入死信列表，等待管理员处理 / parked for an admin）"
    parked = {"status": letter.status, "detail": detail, "parked": True, "dead_letter": letter.id}
    return {"ack": message.message_id, "status": "parked", "problem": parked}


def _out_of_order(request: Request, inbox: PeerInbox, message: Envelope) -> JSONResponse:
    return problem(
        409,
        "顺序不符 Conflict",
        f"上一条应为 {inbox.applied_seq}，收到的是 {message.prev} 之后的消息 / out of order",
        request,
        expected_prev=inbox.applied_seq,
    )


def _inbox(session: Session, peer: str) -> PeerInbox:
    inbox = session.get(PeerInbox, peer, with_for_update=True)
    if inbox is None:
        inbox = PeerInbox(peer=peer, applied_seq=0, applied=0)
        session.add(inbox)
        session.flush()
    return inbox
