"""Peer platforms, from a YAML file (LIFELINE_PEERS or `serve --peers`), and the HMAC that binds them.

    name: gz-110                       # how this platform names itself to its peers
    peers:
      gz-12345:
        url: http://10.0.0.2:8110       # the peer's base URL
        role: "12345"                   # 110 | 12345 | linkage | hub (the province's hub)
        serves: [gas]                   # linkage only: the destinations it answers for (signed webhook)
        send_key: k2                    # the key this side signs with
        keys: {k1: "…", k2: "…"}        # keys accepted from that peer: add one, switch send_key, drop the old
        batch: 200                      # optional: messages per request at most (1 to 500; 200 by default)

Each message is signed as HMAC-SHA256 over "<timestamp>.<body>", so that a key can rotate without
downtime (both keys are accepted while peers switch) and a peer's clock may be a few minutes off.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from lifeline.common import parse_iso

CLOCK_SKEW_SECONDS = 15 * 60  # a peer's clock may be off by minutes; replays are stopped by message ids
MIN_KEY_LENGTH = 16
BATCH = 200  # messages per request to a peer, unless its entry says otherwise
MAX_BATCH = 500  # what a receiver takes in one request (peering.receiver)


class PeersError(ValueError):
    pass


@dataclass(frozen=True)
class Peer:
    name: str
    url: str
    role: str
    send_key: str
    keys: dict[str, str]
    serves: tuple[str, ...] = ()
    batch: int = BATCH


@dataclass(frozen=True)
class Peers:
    name: str = "lifeline"
    peers: dict[str, Peer] = field(default_factory=dict)

    def by_role(self, role: str) -> Peer | None:
        return next((p for p in self.peers.values() if p.role == role), None)

    def serving(self) -> dict[str, str]:
        """Destination → the linkage peer that answers for it."""
        return {d: p.name for p in self.peers.values() if p.role == "linkage" for d in p.serves}


def parse(text: str, source: str = "<peers>") -> Peers:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise PeersError(f"{source}: YAML 无法解析 cannot parse: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise PeersError(f"{source}: 需要 name 与 peers / needs 'name' and 'peers'")
    peers = {}
    for name, item in (data.get("peers") or {}).items():
        where = f"{source}: peers.{name}"
        if not isinstance(item, dict):
            raise PeersError(f"{where}: 应为映射 expected a mapping")
        keys = {str(k): str(v) for k, v in (item.get("keys") or {}).items()}
        for field_name in ("url", "role", "send_key"):
            if not item.get(field_name):
                raise PeersError(f"{where}.{field_name}: 缺少 missing")
        if str(item["role"]) not in ("110", "12345", "linkage", "hub"):
            raise PeersError(f"{where}.role: 应为 110、12345、linkage 或 hub / must be 110, 12345, linkage or hub")
        if item["send_key"] not in keys:
            raise PeersError(f"{where}.send_key: {item['send_key']!r} 不在 keys 中 / is not among keys")
        short = [k for k, v in keys.items() if len(v) < MIN_KEY_LENGTH]
        if short:
            raise PeersError(f"{where}.keys: {short} 少于 {MIN_KEY_LENGTH} 个字符 / shorter than {MIN_KEY_LENGTH}")
        serves = item.get("serves") or []
        if not isinstance(serves, list):
            raise PeersError(f"{where}.serves: 应为列表 expected a list of destinations")
        batch = item.get("batch", BATCH)
        if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= MAX_BATCH:
            raise PeersError(
                f"{where}.batch: 应为 1 到 {MAX_BATCH} 的整数 / must be a whole number from 1 to {MAX_BATCH}"
            )
        url = str(item["url"]).rstrip("/")
        peers[str(name)] = Peer(
            str(name), url, str(item["role"]), item["send_key"], keys, tuple(map(str, serves)), batch
        )
    return Peers(data["name"], peers)


def load(path: str | None = None) -> Peers:
    path = path or os.environ.get("LIFELINE_PEERS")
    if not path:
        return Peers()
    try:
        return parse(Path(path).read_text(encoding="utf-8"), path)
    except OSError as exc:
        raise PeersError(f"{path}: 无法读取 cannot read: {exc}") from exc


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def check(
    peer: Peer, key_id: str, timestamp: str, body: bytes, signature: str, now: datetime | None = None
) -> tuple[str, str] | None:
    """None when the message is genuine, else (a reason code for the counters, why, for a person)."""
    secret = peer.keys.get(key_id)
    if secret is None:
        return "unknown_key", f"未知密钥 unknown key {key_id[:64]!r}"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
        return "bad_signature", "签名不符 signature does not match"
    try:
        skew = abs(((now or datetime.now(UTC)) - parse_iso(timestamp)).total_seconds())
    except (ValueError, OverflowError):
        return "bad_timestamp", "时间戳无效或无时区 invalid timestamp, or no time zone"
    if skew > CLOCK_SKEW_SECONDS:
        return "clock_skew", f"时间相差 {skew:.0f} 秒，超出允许范围 clock skew {skew:.0f} s is too large"
    return None


def verify(peer: Peer, key_id: str, timestamp: str, body: bytes, signature: str, now: datetime | None = None) -> str:
    """'' when the message is genuine, else why not."""
    refused = check(peer, key_id, timestamp, body, signature, now)
    return refused[1] if refused else ""
