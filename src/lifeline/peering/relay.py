"""The relay: delivers the events addressed to each peer, strictly in order, with retries.

It tails the event log (the outbox), signs the messages and sends them in batches: one round trip for up to the
peer's `batch` messages (POST /exchange/v1/batch; one at a time to a linkage webhook or an older peer). A peer's cursor
moves only past what the peer acknowledged. A failed delivery waits with exponential backoff and jitter, then is
sent again; the receiver's message ids make the repeats harmless. Among the workers sharing a database exactly one
relay leads (store.leader); the others wait to take over.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lifeline.peering.models import PeerCursor
from lifeline.peering.peers import Peer, Peers, sign
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.store.engine import transaction
from lifeline.store.events import Event
from lifeline.store.leader import RETRY_SECONDS, Leader

log = logging.getLogger("lifeline.relay")

BATCH_BYTES = 192 * 1024  # under the receiver's body limit (api.limits)
BASE_DELAY = 0.2
MAX_DELAY = 10.0
IDLE_WAIT = 1.0  # a commit wakes the relay at once; this is only the fallback poll


def backoff(attempts: int, rng: random.Random) -> float:
    """Full jitter: a random wait up to base × 2^attempts, capped."""
    return rng.uniform(0, min(MAX_DELAY, BASE_DELAY * 2 ** min(attempts, 16)))


def envelope(origin: str, event: Event, prev: int) -> dict:
    message = event.data["message"]
    return {
        "message_id": f"{origin}:{event.seq}",
        "from": origin,
        "seq": event.seq,
        "prev": prev,
        "kind": message["kind"],
        "sent_at": event.at.isoformat(),
        "body": message["body"],
    }


def signed_headers(origin: str, peer: Peer, body: bytes, clock=None) -> dict[str, str]:
    timestamp = (clock or (lambda: datetime.now(UTC)))().isoformat()
    return {
        "Content-Type": "application/json",
        "X-Lifeline-Peer": origin,
        "X-Lifeline-Key-Id": peer.send_key,
        "X-Lifeline-Timestamp": timestamp,
        "X-Lifeline-Signature": sign(peer.keys[peer.send_key], timestamp, body),
    }


class Relay:
    def __init__(
        self, factory: sessionmaker[Session], peers: Peers, *, clock=None, seed: int | None = None, leader=None
    ):
        self.factory, self.peers, self.clock = factory, peers, clock
        self.leader = leader or Leader(factory.kw["bind"], "relay")
        self.single: set[str] = set()  # peers that answered the batch door with 404: one message at a time
        self.rng = random.Random(seed)
        self.http = httpx.Client(timeout=5)
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="lifeline-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self.http.close()
        self.leader.release()

    def wake(self, *_args) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.leader.leads():
                self._stop.wait(RETRY_SECONDS)
                continue
            try:
                moved = self.deliver_once()
            except Exception:  # a database hiccup must not kill the relay; it tries again
                log.exception("relay round failed")
                moved = 0
            if not moved:
                self._wake.wait(IDLE_WAIT)
                self._wake.clear()

    def deliver_once(self) -> int:
        """One round over all peers; returns how many messages were delivered."""
        return sum(self._deliver_to(peer) for peer in self.peers.peers.values())

    def _cursor(self, session: Session, peer: str) -> PeerCursor:
        cursor = session.get(PeerCursor, peer)
        if cursor is None:
            cursor = PeerCursor(peer=peer, delivered_seq=0, attempts=0, next_attempt_at=utcnow())
            session.add(cursor)
            session.flush()
        return cursor

    def _deliver_to(self, peer: Peer) -> int:
        with transaction(self.factory) as session:
            cursor = self._cursor(session, peer.name)
            if cursor.next_attempt_at > utcnow():
                return 0
            prev = cursor.delivered_seq
            pending = list(
                session.scalars(
                    select(Event)
                    .where(Event.to_peer == peer.name, Event.seq > prev)
                    .order_by(Event.seq)
                    .limit(peer.batch)
                )
            )
            session.expunge_all()
        if not pending:
            return 0
        messages = []
        for event in pending:
            messages.append(envelope(self.peers.name, event, prev))
            prev = event.seq
        # A linkage company's webhook takes one message a request (its documented contract); so does an old peer.
        single = peer.role == "linkage" or peer.name in self.single
        send = self._send_one_by_one if single else self._send_batch
        results, error = send(peer, _fitting(messages))
        delivered = len(results)
        # One write per round, not per message: after a crash the receiver acknowledges repeats as duplicates.
        with transaction(self.factory) as session:
            for event, problem in zip(pending, results, strict=False):
                if problem is not None:
                    _refused(session, peer.name, event, problem)
            cursor = self._cursor(session, peer.name)
            if delivered:
                cursor.delivered_seq = pending[delivered - 1].seq
            cursor.updated_at = utcnow()
            if error is None:
                cursor.attempts, cursor.last_error = 0, None
            else:
                cursor.attempts += 1
                cursor.last_error = error[:500]
                cursor.next_attempt_at = utcnow() + timedelta(seconds=backoff(cursor.attempts, self.rng))
                log.warning("delivery to %s failed (%s); will retry", peer.name, error)
        return delivered

    def _post(self, peer: Peer, path: str, payload: dict) -> httpx.Response:
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = signed_headers(self.peers.name, peer, body, self.clock)
        return self.http.post(f"{peer.url}/exchange/v1/{path}", content=body, headers=headers)

    def _send_batch(self, peer: Peer, messages: list[dict]) -> tuple[list[dict | None], str | None]:
        """Per message acknowledged in order, None or the peer's problem when it parked it; and why the rest
        must be sent again (None when all were taken)."""
        try:
            answer = self._post(peer, "batch", {"messages": messages})
        except httpx.HTTPError as exc:
            return [], f"{type(exc).__name__}: {exc}"
        if answer.status_code in (404, 405):  # a peer from before batches: the old door, from now on
            log.info("%s has no batch door; sending one message at a time", peer.name)
            self.single.add(peer.name)
            return self._send_one_by_one(peer, messages)
        if answer.status_code != 200:
            return [], f"HTTP {answer.status_code}: {answer.text[:300]}"
        try:
            results = [r.get("problem") if r["status"] == "parked" else None for r in answer.json()["results"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            return [], f"无法读懂对端的回答 / unreadable answer: {answer.text[:300]}"
        results = results[: len(messages)]
        if len(results) < len(messages):
            return results, f"对端只接收了 {len(results)}/{len(messages)} 条 / the peer took only part of the batch"
        return results, None

    def _send_one_by_one(self, peer: Peer, messages: list[dict]) -> tuple[list[dict | None], str | None]:
        results = []
        for message in messages:
            error, parked = self._send(peer, message)
            if error is not None:
                return results, error
            results.append(parked)
        return results, None

    def _send(self, peer: Peer, message: dict) -> tuple[str | None, dict | None]:
        """(why it must be sent again, None) or (None, the peer's problem when it parked the message)."""
        try:
            answer = self._post(peer, "messages", message)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}", None
        if answer.status_code == 200:
            return None, None
        parked = _parked(answer)
        if parked is not None:
            return None, parked
        return f"HTTP {answer.status_code}: {answer.text[:300]}", None


def _fitting(messages: list[dict]) -> list[dict]:
    """The first messages that fit one request under the receiver's body limit (always at least one)."""
    size = 0
    for n, message in enumerate(messages):
        size += len(json.dumps(message, ensure_ascii=False).encode()) + 2
        if n and size > BATCH_BYTES:
            return messages[:n]
    return messages


def _parked(answer: httpx.Response) -> dict | None:
    """The peer's problem when it refused the message for good and moved on (peering.receiver): sending it
    again cannot change the answer, so it counts as delivered."""
    if answer.status_code not in (403, 422):
        return None
    try:
        problem = answer.json()
    except ValueError:
        return None
    return problem if isinstance(problem, dict) and problem.get("parked") is True else None


def _refused(session: Session, peer: str, event: Event, problem: dict) -> None:
    """The desk learns that the peer parked its message, on the incident the message was about."""
    log.warning("%s parked message %s: %s", peer, event.seq, problem.get("detail"))
    data = {
        "peer": peer,
        "seq": event.seq,
        "kind": event.data["message"]["kind"],
        "status": problem.get("status"),
        "detail": str(problem.get("detail", ""))[:1000],
        "dead_letter": problem.get("dead_letter"),
    }
    events.append(session, "exchange.refused", data, actor="system", incident_id=event.incident_id)
