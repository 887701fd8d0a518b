"""Outbound text through a gateway: the desk's replies to 12110 SMS and to app callers.

The queue is the `contact_messages` table (durable: a reply is stored before anyone tries to send it). The
courier claims due messages, hands each to the gateway of its sender's kind and records what happened: sent (the
gateway's reference; a receipt later says delivered or failed) or a failed try, retried after 10 s, 30 s, 2 min,
10 min and 30 min, then shown as failed. Delivery is at least once: a crash between the gateway's answer and the
commit sends the message again with the same `message_id`, which a gateway uses to drop the repeat.

Two gateways: `FileGateway` (the default: one JSON line per message in `<outbox_dir>/<kind>.jsonl`, flushed to
disk, for a gateway program that tails the file) and `HttpGateway` (a signed JSON POST, the way channel senders
sign what they send us: `X-Lifeline-Sender`, `X-Lifeline-Timestamp`, `X-Lifeline-Signature`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx
from sqlalchemy.orm import Session

from lifeline.channels import service as channels
from lifeline.channels.models import ChannelSender, Contact, ContactMessage
from lifeline.peering.peers import sign
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction

log = logging.getLogger("lifeline.channels")
SEND_TIMEOUT = 5.0
COURIER_SECONDS = 1.0


class GatewayError(Exception):
    pass


@dataclass(frozen=True)
class Outbound:
    """What a gateway needs to carry one message."""

    message_id: str  # lifeline's id: a delivery receipt names it
    channel: str  # sms | app | wechat
    to: str | None  # the caller's number
    alarm_id: str | None  # an app alarm's own id, for an app gateway to find the caller's device
    text: str
    sender: str  # the registered sender the contact came through


class Gateway(Protocol):
    def send(self, message: Outbound, secret: str) -> str:
        """Hand the message over (an HTTP gateway signs it with the sender's `secret`) and return the gateway's
        reference; raise GatewayError when it is refused."""


class FileGateway:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def send(self, message: Outbound, secret: str) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.folder / f"{message.channel}.jsonl", "a", encoding="utf-8") as out:
                out.write(json.dumps({**asdict(message), "at": utcnow().isoformat()}, ensure_ascii=False) + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise GatewayError(f"写入发件目录失败 / cannot write the outbox: {exc}") from exc
        return f"file:{message.message_id}"


class HttpGateway:
    def __init__(self, url: str, client: httpx.Client | None = None):
        self.url = url
        self.client = client or httpx.Client(timeout=SEND_TIMEOUT)

    def send(self, message: Outbound, secret: str) -> str:
        body = json.dumps(asdict(message), ensure_ascii=False).encode()
        stamp = utcnow().isoformat()
        headers = {"Content-Type": "application/json", "X-Lifeline-Sender": message.sender,
                   "X-Lifeline-Timestamp": stamp,
                   "X-Lifeline-Signature": sign(secret, stamp, body)}  # fmt: skip
        try:
            response = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise GatewayError(f"网关不可达 / gateway unreachable: {exc}") from exc
        if response.status_code >= 300:
            raise GatewayError(f"网关拒收 HTTP {response.status_code}: {response.text[:200]}")
        try:
            return str(response.json().get("ref") or message.message_id)[:128]
        except ValueError:
            return message.message_id


def outbound(message: ContactMessage, contact: Contact, sender: ChannelSender) -> Outbound:
    return Outbound(str(message.id), contact.channel, contact.caller_number,
                    contact.external_id if contact.channel != "sms" else None, message.text, sender.name)  # fmt: skip


def deliver(session: Session, gateways: dict[str, Gateway], now: datetime) -> int:
    """One round: every due message handed to its gateway; returns how many were tried."""
    due = channels.due_messages(session, now)
    senders = channels.senders_by_id(session) if due else {}
    for message in due:
        contact = session.get(Contact, message.contact_id)
        sender = senders[message.sender_id]
        gateway = gateways.get(sender.kind)
        if gateway is None:
            channels.not_sent(session, message, f"没有 {sender.kind} 网关 / no {sender.kind} gateway", now)
            continue
        try:
            channels.sent(session, message, gateway.send(outbound(message, contact, sender), sender.secret), now)
        except GatewayError as exc:
            channels.not_sent(session, message, str(exc), now)
    return len(due)


class Courier:
    """A thread that sends due messages every second; `wake()` makes it look at once (a reply was queued)."""

    def __init__(self, sessions, gateways: dict[str, Gateway]):
        self.sessions, self.gateways = sessions, gateways
        self.stop_event, self.woken = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, name="lifeline-courier", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.woken.set()
        self.thread.join(timeout=10)

    def wake(self) -> None:
        self.woken.set()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            self.woken.wait(COURIER_SECONDS)
            self.woken.clear()
            try:
                with transaction(self.sessions) as session:
                    deliver(session, self.gateways, utcnow())
            except Exception:  # a busy database or a broken gateway: try again next round
                log.exception("courier round failed")


def gateways_for(settings) -> dict[str, Gateway]:
    """The gateway of each sender kind that takes text back: HTTP when a URL is set, else the file outbox."""
    files = FileGateway(settings.outbox_dir)
    return {
        "sms": HttpGateway(settings.sms_gateway_url) if settings.sms_gateway_url else files,
        "app": HttpGateway(settings.app_gateway_url) if settings.app_gateway_url else files,
    }
