"""The dead-letter list: signed messages that could not be applied, each with its reason. The only writer of
`dead_letters`. Parking never stalls a peer: the receiver moves the stream on in the same transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeline.auth.service import Principal, require
from lifeline.errors import Conflict, Invalid, NotFound
from lifeline.peering.models import DeadLetter
from lifeline.store import events
from lifeline.store.base import utcnow

PARKED, REPLAYED, DROPPED = "parked", "replayed", "dropped"
STATES = (PARKED, REPLAYED, DROPPED)
MAX_REASON = 2000


def storable(text: str, limit: int = MAX_REASON) -> str:
    """A reason both databases keep: a message's own words may hold NUL or lone surrogates."""
    text = text.replace("\x00", "\ufffd")[:limit]
    return text.encode("utf-8", errors="replace").decode("utf-8")


def park(
    session: Session, peer: str, message_id: str, seq: int, kind: str, body: Any, status: int, reason: str
) -> DeadLetter:
    letter = DeadLetter(
        peer=peer,
        message_id=message_id,
        seq=seq,
        kind=kind,
        body=json.dumps(body),
        status=status,
        reason=storable(reason),
        received_at=utcnow(),
        state=PARKED,
        attempts=1,
    )
    session.add(letter)
    session.flush()
    events.append(
        session,
        "exchange.parked",
        {
            "letter": letter.id,
            "peer": peer,
            "message_id": message_id,
            "kind": kind,
            "status": status,
            "reason": letter.reason,
        },
        actor=f"peer:{peer}",
    )
    return letter


def body_of(letter: DeadLetter) -> Any:
    return json.loads(letter.body)


def listing(session: Session, actor: Principal, state: str | None, after_id: int | None, limit: int):
    require(actor, "exchange.read")
    if state is not None and state not in STATES:
        raise Invalid(f"state 应为 {' | '.join(STATES)} / state must be one of {', '.join(STATES)}")
    query = select(DeadLetter)
    if state:
        query = query.where(DeadLetter.state == state)
    if after_id:
        query = query.where(DeadLetter.id < after_id)
    return list(session.scalars(query.order_by(DeadLetter.id.desc()).limit(limit)))


def take(session: Session, actor: Principal, letter_id: int) -> DeadLetter:
    """A parked letter, locked, for an admin to replay or drop."""
    require(actor, "exchange.admin")
    letter = session.get(DeadLetter, letter_id, with_for_update=True)
    if letter is None:
        raise NotFound(f"死信 {letter_id} 不存在 / dead letter {letter_id} does not exist")
    if letter.state != PARKED:
        raise Conflict(f"死信 {letter_id} 已{letter.state}，不能再处理 / dead letter {letter_id} is {letter.state}")
    return letter


def replayed(session: Session, actor: Principal, letter: DeadLetter, reason: str | None) -> None:
    """A replay's outcome: applied (`reason` None), or still parked with the new reason."""
    letter.attempts += 1
    if reason is None:
        _settle(letter, actor, REPLAYED)
    else:
        letter.reason = storable(reason)
    payload = {"letter": letter.id, "peer": letter.peer, "kind": letter.kind}
    kind = "exchange.replayed" if reason is None else "exchange.replay_failed"
    events.append(
        session, kind, payload if reason is None else {**payload, "reason": letter.reason}, actor=actor.username
    )


def drop(session: Session, actor: Principal, letter_id: int) -> DeadLetter:
    """An admin decides the message is not to be applied: it stays on the list, dropped, with who and when."""
    letter = take(session, actor, letter_id)
    _settle(letter, actor, DROPPED)
    events.append(
        session,
        "exchange.dropped",
        {"letter": letter.id, "peer": letter.peer, "kind": letter.kind},
        actor=actor.username,
    )
    return letter


def _settle(letter: DeadLetter, actor: Principal, state: str) -> None:
    letter.state, letter.resolved_by, letter.resolved_at = state, actor.username, utcnow()
