"""The inbound receiver: signed, idempotent, in order. POST /exchange/v1/messages."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from lifeline.api.problems import RESPONSES, problem
from lifeline.desk import inbox as desk_inbox
from lifeline.errors import LifelineError
from lifeline.peering.models import PeerInbox
from lifeline.peering.peers import verify
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction

router = APIRouter(responses=RESPONSES, tags=["exchange"])
ENVELOPE = {"message_id": str, "from": str, "seq": int, "prev": int, "kind": str, "body": dict}


class Ack(BaseModel):
    ack: str
    status: str  # applied | duplicate | unprocessable


def _rejected(request: Request, peer: str, reason: str) -> JSONResponse:
    """Refuse, and keep a record: a forged or broken message is evidence."""
    with transaction(request.app.state.sessions) as session:
        events.append(session, "exchange.rejected", {"peer": peer, "reason": reason}, actor=f"peer:{peer}")
    return problem(401, "签名无效 Unauthorized", f"拒收来自 {peer!r} 的消息：{reason} / message refused", request)


@router.post("/exchange/v1/ping", summary="校验签名与连通 check reachability and key")
async def ping(request: Request):
    body = await request.body()
    name = request.headers.get("X-Lifeline-Peer", "")
    peer = request.app.state.peers.peers.get(name)
    key = request.headers.get("X-Lifeline-Key-Id", "")
    reason = (
        "未知对端 unknown peer"
        if peer is None
        else verify(
            peer,
            key,
            request.headers.get("X-Lifeline-Timestamp", ""),
            body,
            request.headers.get("X-Lifeline-Signature", ""),
        )
    )
    if reason:
        return problem(401, "签名无效 Unauthorized", reason, request)
    return {"ok": True, "peer": name, "key": key, "me": request.app.state.peers.name}


@router.post("/exchange/v1/messages", response_model=Ack, summary="接收对端平台消息 receive a peer's message")
async def receive(request: Request):
    body = await request.body()
    name = request.headers.get("X-Lifeline-Peer", "")
    peer = request.app.state.peers.peers.get(name)
    if peer is None:
        return _rejected(request, name, "未知对端 unknown peer")
    reason = verify(
        peer,
        request.headers.get("X-Lifeline-Key-Id", ""),
        request.headers.get("X-Lifeline-Timestamp", ""),
        body,
        request.headers.get("X-Lifeline-Signature", ""),
    )
    if reason:
        return await run_in_threadpool(_rejected, request, name, reason)
    try:
        message = json.loads(body)
        bad = [k for k, t in ENVELOPE.items() if not isinstance(message.get(k), t)]
    except (ValueError, AttributeError):
        bad = ["<json>"]
    if bad:
        return problem(422, "内容无效 Unprocessable content", f"消息字段缺失或类型错误 / bad fields: {bad}", request)
    return await run_in_threadpool(_apply, request, name, message)


def _apply(request: Request, peer: str, message: dict) -> JSONResponse:
    with transaction(request.app.state.sessions) as session:
        inbox = _inbox(session, peer)
        if message["seq"] <= inbox.applied_seq:
            return JSONResponse({"ack": message["message_id"], "status": "duplicate"})
        if message["prev"] != inbox.applied_seq:
            return problem(
                409,
                "顺序不符 Conflict",
                f"上一条应为 {inbox.applied_seq}，收到的是 {message['prev']} 之后的消息 / out of order",
                request,
                expected_prev=inbox.applied_seq,
            )
        status = "applied"
        role = request.app.state.peers.peers[peer].role
        try:
            with session.begin_nested():
                desk_inbox.handler(role, message["kind"])(session, peer, message["body"])
        except (LifelineError, KeyError, TypeError, ValueError) as exc:
            # Retrying cannot fix a message's content: record it for a person and keep the stream moving.
            status = "unprocessable"
            detail = exc.detail if isinstance(exc, LifelineError) else f"{type(exc).__name__}: {exc}"
            events.append(
                session,
                "exchange.unprocessable",
                {"peer": peer, "message_id": message["message_id"], "kind": message["kind"], "problem": detail},
                actor=f"peer:{peer}",
            )
        inbox.applied_seq, inbox.applied, inbox.updated_at = message["seq"], inbox.applied + 1, utcnow()
        return JSONResponse({"ack": message["message_id"], "status": status})


def _inbox(session: Session, peer: str) -> PeerInbox:
    inbox = session.get(PeerInbox, peer, with_for_update=True)
    if inbox is None:
        inbox = PeerInbox(peer=peer, applied_seq=0, applied=0)
        session.add(inbox)
        session.flush()
    return inbox
