"""Peer configuration and message signatures (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifeline.peering.peers import PeersError, parse, sign, verify

GOOD = """
name: gz-110
peers:
  gz-12345:
    url: http://10.0.0.2:8110/
    role: "12345"
    send_key: new
    keys: {old: "old-secret-0123456789", new: "new-secret-0123456789"}
"""
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_good_file_loads():
    peers = parse(GOOD)
    peer = peers.by_role("12345")
    assert peers.name == "gz-110" and peer.url == "http://10.0.0.2:8110" and peer.send_key == "new"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("send_key: new", "send_key: missing"), "send_key"),
        (('role: "12345"', "role: police"), "role"),
        (('old: "old-secret-0123456789"', 'old: "short"'), "keys"),
        (("url: http://10.0.0.2:8110/", "url: ''"), "url"),
    ],
)
def test_a_bad_file_names_the_field(change, where):
    with pytest.raises(PeersError) as caught:
        parse(GOOD.replace(*change), "peers.yaml")
    assert f"peers.gz-12345.{where}" in str(caught.value)


def test_both_keys_verify_during_rotation_and_a_wrong_one_does_not():
    peer = parse(GOOD).peers["gz-12345"]
    stamp, body = NOW.isoformat(), b'{"x":1}'
    for key_id in ("old", "new"):
        assert verify(peer, key_id, stamp, body, sign(peer.keys[key_id], stamp, body), NOW) == ""
    assert verify(peer, "new", stamp, body, sign("guess-0123456789abc", stamp, body), NOW) != ""
    assert verify(peer, "nope", stamp, body, "00", NOW).startswith("未知密钥")
    assert verify(peer, "new", stamp, b'{"x":2}', sign(peer.keys["new"], stamp, body), NOW) != ""


def test_a_clock_five_minutes_off_is_accepted_but_an_hour_is_not():
    peer = parse(GOOD).peers["gz-12345"]
    body = b"{}"
    five = (NOW + timedelta(minutes=5)).isoformat()
    hour = (NOW - timedelta(hours=1)).isoformat()
    assert verify(peer, "new", five, body, sign(peer.keys["new"], five, body), NOW) == ""
    assert "时间相差" in verify(peer, "new", hour, body, sign(peer.keys["new"], hour, body), NOW)
