"""Which peer may send which message here, what each does, and what becomes of one that cannot be applied.

The kinds a peer may send, by (the peer's role, the role this deployment plays; `both` takes either column):

| peer role                                 | here 110                                  | here 12345                   |
|-------------------------------------------|-------------------------------------------|------------------------------|
| 12345 centre                              | order steps (of orders 110 sent it),      | nothing                      |
|                                           | incident.push (emergencies for police)    |                              |
| linkage: 119, 120, gas, power… (`serves`) | order steps (of linkage orders sent it)   | order steps (likewise)       |
| 110 centre                                | incident.push (a neighbouring 110)        | order.create, call.transfer, |
|                                           |                                           | order.progress (taking back) |
| hub (the province's)                      | incident.refer (another city's matter),   | nothing                      |
|                                           | missing.alert (another city's 协查通报),  |                              |
|                                           | call.overflow (a call it overflowed here) |                              |

At the hub (`--role hub`) a 110 centre's incident.refer is sent on to the desk of the city its place is in
(province.service.forward), its missing.alert to every city within the alert's reach (province.service.spread),
and nothing else is taken.
Between the 110 and the 12345 centre, both ways: catalogue.propose (a catalogue change one centre proposes) and
catalogue.decide (the other centre's approval or refusal), applied by catalogue.service.receive_*: both deployments
end holding the same catalogue version, with the same sha256.

Order steps are order.sign, order.progress, order.feedback, order.visit and order.return, each carrying only its
own states (peering.messages.STEPS). Which order a step may touch is checked by diversion.service.mirror: only
an order exchanged with that peer; the peer it was sent to reports its handling steps, the peer that sent it
may only take it back; and only along the order's state machine.

A message that cannot be applied (unknown kind, a kind the role may not send, an invalid body, an unknown
order, an illegal move, a value the database refuses) is parked in the dead-letter list with its reason, and
the peer's stream moves on: no bad message stalls a partner. An admin replays it (after the cause was fixed)
or drops it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from lifeline.auth.service import Principal
from lifeline.catalogue import service as catalogue
from lifeline.desk import bridge, flows
from lifeline.diversion import service as orders
from lifeline.errors import Forbidden, Invalid, LifelineError
from lifeline.peering import dead_letters, messages
from lifeline.peering.models import DeadLetter
from lifeline.province import service as hub

log = logging.getLogger("lifeline.inbox")

Handler = Callable[[Session, str, messages.Message], object]

HANDLERS: dict[str, Handler] = {
    "order.create": orders.receive,
    **{kind: flows.mirrored for kind in messages.STEPS},
    "incident.push": bridge.receive_push,
    "incident.refer": bridge.receive_referral,
    "missing.alert": bridge.receive_alert,
    "call.overflow": bridge.receive_overflow,
    "call.transfer": bridge.receive_transfer,
    "catalogue.propose": catalogue.receive_proposal,
    "catalogue.decide": catalogue.receive_decision,
}

# At the hub nothing is taken in: a referral goes to its city, an alert to the cities within its reach, an
# overflowed call's history to the city that takes the overflow.
HUB = {"incident.refer": hub.forward, "missing.alert": hub.spread, "call.overflow": hub.overflow}

STEPS = frozenset(messages.STEPS)
CATALOGUE = frozenset({"catalogue.propose", "catalogue.decide"})
ACCEPTS: dict[tuple[str, str], frozenset[str]] = {
    ("12345", "110"): STEPS | {"incident.push"} | CATALOGUE,
    ("linkage", "110"): STEPS,
    ("linkage", "12345"): STEPS,
    ("110", "110"): frozenset({"incident.push"}),
    # A province: each city's 110 refers matters about places elsewhere, its missing-person alerts and, in a
    # surge, its overflowed calls' history to the hub, which sends them on.
    ("110", "hub"): frozenset({"incident.refer", "missing.alert", "call.overflow"}),
    ("hub", "110"): frozenset({"incident.refer", "missing.alert", "call.overflow"}),
    # "order.progress" carries a taken-back order: the only step the sender of an order takes on it.
    ("110", "12345"): frozenset({"order.create", "call.transfer", "order.progress"}) | CATALOGUE,
}


def accepts(peer_role: str, here: str) -> frozenset[str]:
    """The kinds a peer playing `peer_role` may send to a deployment playing `here` (110 | 12345 | both)."""
    roles = ("110", "12345") if here == "both" else (here,)
    return frozenset().union(*(ACCEPTS.get((peer_role, role), frozenset()) for role in roles))


def handler(peer_role: str, here: str, kind: str, desk: flows.Desk | None = None) -> Handler:
    """The handler for a message of `kind`; Invalid for an unknown kind, Forbidden for one the role may not send.
    At the hub a referral is sent on to its city (province.service), not taken in."""
    if kind not in HANDLERS:
        raise Invalid(f"未知消息类型 {kind!r} / unknown kind {kind!r}")
    if kind not in accepts(peer_role, here):
        raise Forbidden(
            f"角色为 {peer_role} 的对端不能向 {here} 发送 {kind} / a {peer_role} peer may not send {kind} here"
        )
    if here == "hub":
        province, send_on = hub.of_peers(desk.peers), HUB[kind]
        return lambda session, peer, message: send_on(session, province, peer, message)
    return HANDLERS[kind]


def take(session: Session, desk: flows.Desk, peer: str, message: messages.Envelope) -> DeadLetter | None:
    """Apply a peer's message, or park it with its reason (the letter is returned): either way it is done with."""
    refused = _attempt(session, desk, peer, message.kind, message.body)
    if refused is None:
        return None
    status, reason = refused
    return dead_letters.park(session, peer, message.message_id, message.seq, message.kind, message.body, status, reason)


def replay(session: Session, actor: Principal, desk: flows.Desk, letter_id: int) -> DeadLetter:
    """An admin runs a parked message again: applied, or still parked with the new reason."""
    letter = dead_letters.take(session, actor, letter_id)
    refused = _attempt(session, desk, letter.peer, letter.kind, dead_letters.body_of(letter))
    dead_letters.replayed(session, actor, letter, None if refused is None else refused[1])
    return letter


def apply(session: Session, desk: flows.Desk, peer: str, kind: str, body) -> None:
    """Apply a peer's message in the caller's transaction; raises what refuses it (the caller parks it)."""
    config = desk.peers.peers.get(peer)
    if config is None:
        raise Invalid(f"对端 {peer} 已不在配置中 / {peer} is no longer a configured peer")
    handle, message = handler(config.role, desk.role, kind, desk), messages.read(kind, body)
    if isinstance(message, messages.CatalogueProposal) and message.side != config.role:
        why = f"对端 {peer} 是 {config.role} 中心，不能代表 {message.side} 提议"
        raise Forbidden(f"{why} / {peer} speaks for the {config.role} centre, not for {message.side}")
    handle(session, peer, message)


def _attempt(session: Session, desk: flows.Desk, peer: str, kind: str, body) -> tuple[int, str] | None:
    """None when the message was applied; else the status and reason it was refused with (nothing kept of it)."""
    try:
        with session.begin_nested():
            apply(session, desk, peer, kind, body)
    except OperationalError:
        raise  # the database is busy or gone, not the message wrong: the sender tries again
    except LifelineError as exc:
        return (403 if isinstance(exc, Forbidden) else 422), exc.detail
    except DBAPIError as exc:
        return 422, f"数据库拒绝了消息中的值 / the database refused a value: {str(exc.orig)[:300]}"
    except Exception as exc:  # a handler's fault must not stall the partner: the letter waits for a fix and replay
        log.exception("message %s from %s failed", kind, peer)
        return 422, f"无法处理 / could not be applied: {type(exc).__name__}: {str(exc)[:300]}"
    return None
