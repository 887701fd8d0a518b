"""The phone line's adapter: a SIP user agent server (RFC 3261, over UDP) that the centre's SIP trunk or PBX sends
110 calls to. It turns a call into events for the desk (ringing with the caller's number, answered at a seat, ended)
and carries the desk's moves back to the line: pick up, hang up, and the one-click transfer (a REFER, RFC 3515) to
12345 or a three-party call, with the caller's number.

It carries signalling only: its SDP answer offers PCMU on a port whose packets it reads and drops; the seat's
headset audio goes through the centre's switch, which bridges the media. What it supports: INVITE (100, 180, then
200 with SDP when a seat answers, retransmitted until the ACK), CANCEL (200 and 487), BYE (either side), OPTIONS,
REFER sent in the dialog (202 and the NOTIFYs answered), retransmitted requests answered again without new events.
Anything else gets 501; a datagram that is not SIP is dropped (and logged), never a crash.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

log = logging.getLogger("lifeline.sip")
T1, T2 = 0.5, 4.0  # RFC 3261 timers: a 200 OK is resent at T1, 2·T1 … up to T2, for 64·T1
MAX_DATAGRAM = 65_535
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER"
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "r": "refer-to", "b": "referred-by"}  # fmt: skip
USER = re.compile(r"sips?:(?:\+?86)?([^@;>:]+)@", re.IGNORECASE)
GEO = re.compile(r"<geo:(-?[0-9.]+),(-?[0-9.]+)")


@dataclass(frozen=True)
class PhoneEvent:
    kind: str  # ringing | answered | ended
    call_id: str
    at: datetime
    caller: str | None = None
    called: str | None = None
    seat: str | None = None
    lat: float | None = None
    lon: float | None = None
    answered: bool = False
    reason: str = ""  # ended: caller_hangup | cancelled | desk_hangup | transferred | failed
    recording: str | None = None


@dataclass
class Message:
    """A SIP request or response, parsed: first line, headers (lower-case names, in order), body."""

    first: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def get(self, name: str, default: str = "") -> str:
        return next((v for k, v in self.headers if k == name), default)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]

    @property
    def method(self) -> str:
        return "" if self.first.startswith("SIP/2.0") else self.first.split(" ", 1)[0]

    @property
    def status(self) -> int:
        return int(self.first.split(" ")[1]) if self.first.startswith("SIP/2.0") else 0

    @property
    def cseq(self) -> tuple[int, str]:
        number, _, method = self.get("cseq").partition(" ")
        return int(number), method.strip()


def parse(data: bytes) -> Message:
    """A datagram as a SIP message; ValueError when it is not one."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    first = lines[0]
    if not (first.startswith("SIP/2.0 ") or first.endswith(" SIP/2.0")):
        raise ValueError(f"not a SIP message: {first[:80]!r}")
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # a folded header continues the one before
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"bad header line: {line[:80]!r}")
        name = name.strip().lower()
        headers.append((COMPACT.get(name, name), value.strip()))
    message = Message(first, headers, body)
    if not message.get("call-id") or not message.get("cseq"):
        raise ValueError("no Call-ID or CSeq")
    message.cseq  # noqa: B018 — a CSeq that is not "<number> <method>" is refused here
    length = message.get("content-length")
    if length.isdigit():
        message.body = body[: int(length)]
    return message


def number_of(header: str) -> str | None:
    """The user part of a SIP URI (a phone number), without +86."""
    found = USER.search(header)
    return found.group(1) if found else None


def tag_of(header: str) -> str:
    found = re.search(r";\s*tag=([^;>\s]+)", header)
    return found.group(1) if found else ""


def uri_of(header: str) -> str:
    found = re.search(r"<([^>]+)>", header)
    return found.group(1) if found else header.split(";")[0].strip()


def response(request: Message, code: int, reason: str, *, to_tag: str = "", extra=(), body: bytes = b"") -> bytes:
    """A response to `request`: its Via, From, Call-ID and CSeq, its To with our tag."""
    to = request.get("to")
    if to_tag and "tag=" not in to:
        to = f"{to};tag={to_tag}"
    lines = [f"SIP/2.0 {code} {reason}"]
    lines += [f"Via: {via}" for via in request.all("via")]
    lines += [f"From: {request.get('from')}", f"To: {to}", f"Call-ID: {request.get('call-id')}",
              f"CSeq: {request.get('cseq')}", "Server: lifeline", f"Allow: {ALLOW}", *extra,
              f"Content-Length: {len(body)}"]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Call:
    call_id: str
    invite: Message
    source: tuple[str, int]
    tag: str  # ours, on the To header
    caller: str | None
    called: str | None
    state: str = "ringing"  # ringing | answered | ended
    seat: str | None = None
    last: bytes = b""  # the last final or provisional response to the INVITE, resent on a retransmission
    acked: threading.Event = field(default_factory=threading.Event)
    cseq: int = 1  # ours, for the requests we send in the dialog
    transferring: str | None = None


class SipSwitch:
    """A SIP UAS on one UDP socket; `on_event` hears each call's ringing, answer and end (from its own thread)."""

    def __init__(self, host: str, port: int, on_event: Callable[[PhoneEvent], None], *,
                 conference_uri: str | None = None):  # fmt: skip
        self.on_event, self.conference_uri = on_event, conference_uri
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((host, port))
        self.media = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # RTP to drop: the switch bridges audio
        self.media.bind((host, 0))
        self.live: dict[str, Call] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._serve, name="lifeline-sip", daemon=True),
                        threading.Thread(target=self._drain, name="lifeline-rtp", daemon=True)]  # fmt: skip

    @property
    def address(self) -> tuple[str, int]:
        return self.socket.getsockname()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for sock in (self.socket, self.media):
            with contextlib.suppress(OSError):
                sock.sendto(b"", sock.getsockname())  # wake the reader
        for thread in self.threads:
            thread.join(timeout=2)
        self.socket.close()
        self.media.close()

    def calls(self) -> list[dict]:
        """The calls on the line now."""
        with self.lock:
            return [{"call_id": c.call_id, "caller": c.caller, "state": c.state} for c in self.live.values()]

    # The desk's moves ---------------------------------------------------------------------------------------------

    def _call(self, call_id: str, *states: str) -> Call:
        with self.lock:
            call = self.live.get(call_id)
        if call is None or call.state not in states:
            raise KeyError(f"没有{'/'.join(states)}的来电 {call_id!r} / no such call in {'/'.join(states)}")
        return call

    def answer(self, call_id: str, seat: str) -> None:
        """The seat picks up: 200 OK with our SDP, resent until the caller's ACK."""
        call = self._call(call_id, "ringing")
        call.state, call.seat = "answered", seat
        host, port = self.media.getsockname()
        sdp = (f"v=0\r\no=lifeline {int(time.time())} 1 IN IP4 {host}\r\ns=lifeline\r\nc=IN IP4 {host}\r\nt=0 0\r\n"
               f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n").encode()  # fmt: skip
        contact = f"Contact: <sip:{call.called or '110'}@{self._here()}>"
        call.last = response(call.invite, 200, "OK", to_tag=call.tag, body=sdp,
                             extra=(contact, "Content-Type: application/sdp"))  # fmt: skip
        self._send(call.last, call.source)
        threading.Thread(target=self._resend_until_ack, args=(call,), daemon=True).start()
        self._emit(PhoneEvent("answered", call.call_id, self._now(), call.caller, call.called, seat=seat))

    def redirect(self, call_id: str, target: str) -> None:
        """Send a ringing call elsewhere: 302 Moved Temporarily with the target as Contact (RFC 3261 8.3.1), so the
        caller's side dials it; a surge's overflow. `target`: a sip: URI, or a number at this switch."""
        call = self._call(call_id, "ringing")
        uri = target if target.startswith(("sip:", "sips:")) else f"sip:{target}@{self._here()}"
        call.last = response(call.invite, 302, "Moved Temporarily", to_tag=call.tag, extra=(f"Contact: <{uri}>",))
        self._send(call.last, call.source)
        self._end(call, "overflowed")

    def hangup(self, call_id: str) -> None:
        """The desk ends the call: BYE when answered, 603 Decline while it rings."""
        call = self._call(call_id, "ringing", "answered")
        if call.state == "ringing":
            call.last = response(call.invite, 603, "Decline", to_tag=call.tag)
            self._send(call.last, call.source)
        else:
            self._send(self._request(call, "BYE"), call.source)
        self._end(call, "desk_hangup")

    def transfer(self, call_id: str, target: str, *, caller: str | None, three_way: bool = False) -> None:
        """一键转接: REFER the caller to `target` (12345, 119, 120 or a sip: URI), their number in the Refer-To's
        P-Asserted-Identity; a three-party call REFERs them to the conference factory, which adds the target."""
        call = self._call(call_id, "answered")
        to = target if target.startswith("sip:") else f"sip:{target}@{call.source[0]}:{call.source[1]}"
        number = caller or call.caller or ""
        if three_way:
            if not self.conference_uri:
                raise KeyError("未配置会议桥，不能三方通话 / no conference bridge configured for a three-party call")
            to = f"{self.conference_uri};add={target}"
        refer_to = f"<{to}?P-Asserted-Identity=%3Csip:{number}@{self.address[0]}%3E>"
        referred_by = f"<sip:{call.called or '110'}@{self._here()}>"
        call.transferring = to
        self._send(self._request(call, "REFER", (f"Refer-To: {refer_to}", f"Referred-By: {referred_by}",
                                                 f"X-Lifeline-Caller: {number}")), call.source)  # fmt: skip

    # The line ---------------------------------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                data, source = self.socket.recvfrom(MAX_DATAGRAM)
            except OSError:
                return
            if not data or self.stopping.is_set():
                continue
            try:
                message = parse(data)
                if message.method:
                    self._request_in(message, source)
            except Exception:  # a bad datagram is dropped; the line goes on
                log.warning("SIP datagram from %s dropped", source, exc_info=True)

    def _drain(self) -> None:
        while not self.stopping.is_set():
            try:
                self.media.recvfrom(MAX_DATAGRAM)
            except OSError:
                return

    def _request_in(self, message: Message, source: tuple[str, int]) -> None:
        method, call_id = message.method, message.get("call-id")
        with self.lock:
            call = self.live.get(call_id)
        if method == "INVITE":
            if call is not None:  # a retransmission (or a re-INVITE): answer as before, no new event
                self._send(call.last or response(message, 100, "Trying"), source)
                return
            self._invite(message, source)
        elif method == "ACK":
            if call is not None:
                call.acked.set()
        elif method == "CANCEL":
            self._send(response(message, 200, "OK"), source)
            if call is not None and call.state == "ringing":
                call.last = response(call.invite, 487, "Request Terminated", to_tag=call.tag)
                self._send(call.last, call.source)
                self._end(call, "cancelled")
        elif method == "BYE":
            self._send(response(message, 200, "OK", to_tag=call.tag if call else ""), source)
            if call is not None and call.state != "ended":
                self._end(call, "transferred" if call.transferring else "caller_hangup")
        elif method == "OPTIONS":
            self._send(response(message, 200, "OK", to_tag=secrets.token_hex(4)), source)
        elif method == "NOTIFY":  # how the transfer goes (RFC 3515)
            self._send(response(message, 200, "OK"), source)
            log.info("transfer of %s: %s", call_id, message.body[:60])
            if call is not None and call.transferring and message.body.startswith(b"SIP/2.0 2"):
                # The transfer target answered: our leg is done (RFC 5589, blind transfer), the caller stays on.
                self._send(self._request(call, "BYE"), call.source)
                self._end(call, "transferred")
        else:
            self._send(response(message, 501, "Not Implemented", to_tag=secrets.token_hex(4)), source)

    def _invite(self, message: Message, source: tuple[str, int]) -> None:
        identity = message.get("p-asserted-identity") or message.get("from")
        call = Call(message.get("call-id"), message, source, secrets.token_hex(6), number_of(identity),
                    number_of(message.first) or number_of(message.get("to")))  # fmt: skip
        with self.lock:
            self.live[call.call_id] = call
        self._send(response(message, 100, "Trying"), source)
        call.last = response(message, 180, "Ringing", to_tag=call.tag)
        self._send(call.last, source)
        where = GEO.search(message.get("geolocation"))  # RFC 6442, when the network gives a place
        lat, lon = (float(where.group(1)), float(where.group(2))) if where else (None, None)
        if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
        self._emit(PhoneEvent("ringing", call.call_id, self._now(), call.caller, call.called, lat=lat, lon=lon))

    def _resend_until_ack(self, call: Call) -> None:
        wait, spent = T1, 0.0
        while not call.acked.wait(wait) and not self.stopping.is_set() and call.state == "answered":
            spent += wait
            if spent >= 64 * T1:  # no ACK: the caller is gone (RFC 3261 17.2.1)
                self._send(self._request(call, "BYE"), call.source)
                self._end(call, "failed")
                return
            self._send(call.last, call.source)
            wait = min(wait * 2, T2)

    def _end(self, call: Call, reason: str) -> None:
        answered = call.state == "answered"
        call.state = "ended"
        with self.lock:
            self.live.pop(call.call_id, None)
        self._emit(PhoneEvent("ended", call.call_id, self._now(), call.caller, call.called, seat=call.seat,
                              answered=answered, reason=reason))  # fmt: skip

    def _request(self, call: Call, method: str, extra=()) -> bytes:
        """A request of ours in the call's dialog: to the caller's Contact, from our side (To of their INVITE)."""
        call.cseq += 1
        target = uri_of(call.invite.get("contact")) or uri_of(call.invite.get("from"))
        ours = call.invite.get("to")
        ours = ours if "tag=" in ours else f"{ours};tag={call.tag}"
        lines = [f"{method} {target} SIP/2.0", f"Via: SIP/2.0/UDP {self._here()};branch=z9hG4bK{secrets.token_hex(8)}",
                 "Max-Forwards: 70", f"From: {ours}", f"To: {call.invite.get('from')}", f"Call-ID: {call.call_id}",
                 f"CSeq: {call.cseq} {method}", f"Contact: <sip:{call.called or '110'}@{self._here()}>", *extra,
                 "Content-Length: 0"]  # fmt: skip
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _here(self) -> str:
        host, port = self.address
        return f"{host}:{port}"

    def _send(self, data: bytes, to: tuple[str, int]) -> None:
        try:
            self.socket.sendto(data, to)
        except OSError:
            log.warning("SIP send to %s failed", to, exc_info=True)

    def _emit(self, event: PhoneEvent) -> None:
        try:
            self.on_event(event)
        except Exception:  # the desk's trouble must not stop the line
            log.exception("SIP event %s of %s not taken", event.kind, event.call_id)

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC)
