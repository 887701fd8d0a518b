"""What a peer's message does here, and which peer may send which message.

A peer's role limits its messages: the 110 platform sends orders and transferred calls to 12345; the 12345
platform and linkage units send the steps of orders they handle, and 12345 pushes emergencies to 110. Mirrored
steps apply only to orders exchanged with the peer that sends them (diversion.service.mirror).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from lifeline.desk import bridge, flows
from lifeline.diversion import service as orders
from lifeline.errors import LifelineError

Handler = Callable[[Session, str, dict], object]

HANDLERS: dict[str, Handler] = {
    "order.create": orders.receive,
    "order.sign": flows.mirrored,
    "order.progress": flows.mirrored,
    "order.feedback": flows.mirrored,
    "order.visit": flows.mirrored,
    "order.return": flows.mirrored,
    "incident.push": bridge.receive_push,
    "call.transfer": bridge.receive_transfer,
}

STEPS = frozenset({"order.sign", "order.progress", "order.feedback", "order.visit", "order.return"})
ACCEPTS: dict[str, frozenset[str]] = {
    # 110 sends orders and calls; "order.progress" carries a taken-back order.
    "110": frozenset({"order.create", "call.transfer", "order.progress"}),
    "12345": STEPS | {"incident.push"},
    "linkage": STEPS,
}


def handler(peer_role: str, kind: str) -> Handler:
    """The handler for a message of `kind` from a peer playing `peer_role`; a LifelineError when it may not."""
    if kind not in HANDLERS:
        raise LifelineError(f"未知消息类型 unknown kind {kind!r}")
    if kind not in ACCEPTS.get(peer_role, frozenset()):
        raise LifelineError(f"角色为 {peer_role} 的对端不能发送 {kind} / a {peer_role} peer may not send {kind}")
    return HANDLERS[kind]
