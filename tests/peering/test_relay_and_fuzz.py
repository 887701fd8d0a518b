"""The sender's side of a parked message, and correctly signed random messages thrown at the receiver."""

from __future__ import annotations

import json

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.peering.conftest import peers_config

from lifeline.peering.messages import MODELS
from lifeline.peering.models import PeerCursor
from lifeline.peering.relay import Relay
from lifeline.store import events
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.store.events import Event


def _signed_orders(factory, n: int) -> None:
    with transaction(factory) as session:
        for k in range(n):
            message = {"kind": "order.sign", "body": {"uid": f"u{k}", "state": "signed"}}
            events.append(session, "order.signed", {"message": message}, actor="t", to_peer="gz-12345")


def _relay(factory, answer) -> tuple[Relay, list[tuple[str, int]]]:
    """A relay whose peer answers with `answer(path, messages)`; the requests are listed as (path, messages)."""
    seen = []

    def respond(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        path = request.url.path.rsplit("/", 1)[1]
        seen.append((path, len(body["messages"]) if path == "batch" else 1))
        return answer(path, body)

    relay = Relay(factory, peers_config("gz-110", "110"), seed=1)
    relay.http = httpx.Client(transport=httpx.MockTransport(respond))
    return relay, seen


def test_the_relay_sends_a_batch_moves_past_a_parked_message_and_tells_its_desk_but_retries_a_plain_422(database):
    url, _ = database
    factory = session_factory(make_engine(url))
    _signed_orders(factory, 3)
    parked = {"status": 422, "detail": "未知工单", "parked": True, "dead_letter": 7}
    answers = iter(
        [
            httpx.Response(200, json={"results": [{"ack": "a", "status": "applied"},
                                                  {"ack": "b", "status": "parked", "problem": parked},
                                                  {"ack": "c", "status": "duplicate"}], "expected_prev": 3}),
            httpx.Response(422, json={"status": 422, "detail": "bad batch"}),  # not parked: send again
        ]
    )  # fmt: skip
    relay, seen = _relay(factory, lambda path, body: next(answers))
    peer = relay.peers.peers["gz-12345"]
    assert relay._deliver_to(peer) == 3 and seen == [("batch", 3)]
    with transaction(factory) as session:
        cursor = session.get(PeerCursor, "gz-12345")
        refused = session.scalars(select(Event).where(Event.kind == "exchange.refused")).all()
        last = cursor.delivered_seq
        assert cursor.attempts == 0 and len(refused) == 1
        assert refused[0].data["dead_letter"] == 7 and refused[0].data["kind"] == "order.sign"
        events.append(session, "order.signed", {"message": {"kind": "order.sign", "body": {}}}, actor="t",
                      to_peer="gz-12345")  # fmt: skip
    assert relay._deliver_to(peer) == 0
    with transaction(factory) as session:
        cursor = session.get(PeerCursor, "gz-12345")
        assert cursor.delivered_seq == last and cursor.attempts == 1 and "bad batch" in cursor.last_error


def test_a_batch_taken_in_part_moves_the_cursor_past_what_was_taken_and_retries_the_rest(database):
    url, _ = database
    factory = session_factory(make_engine(url))
    _signed_orders(factory, 4)
    ok = {"results": [{"ack": "a", "status": "applied"}, {"ack": "b", "status": "applied"}], "expected_prev": 2}
    relay, _ = _relay(factory, lambda path, body: httpx.Response(200, json=ok))
    assert relay._deliver_to(relay.peers.peers["gz-12345"]) == 2
    with transaction(factory) as session:
        cursor = session.get(PeerCursor, "gz-12345")
        sent = session.scalars(select(Event.seq).where(Event.to_peer == "gz-12345").order_by(Event.seq)).all()
        assert cursor.delivered_seq == sent[1] and cursor.attempts == 1 and "2/4" in cursor.last_error


def test_a_peer_without_the_batch_door_gets_one_message_at_a_time(database):
    url, _ = database
    factory = session_factory(make_engine(url))
    _signed_orders(factory, 3)

    def older_peer(path, body):
        if path == "batch":
            return httpx.Response(404, json={"detail": "Not Found"})
        return httpx.Response(200, json={"ack": body["message_id"], "status": "applied"})

    relay, seen = _relay(factory, older_peer)
    assert relay._deliver_to(relay.peers.peers["gz-12345"]) == 3
    assert seen == [("batch", 3), ("messages", 1), ("messages", 1), ("messages", 1)]
    _signed_orders(factory, 1)
    assert relay._deliver_to(relay.peers.peers["gz-12345"]) == 1 and seen[-1] == ("messages", 1)  # remembered


# Correctly signed random messages: never a 5xx, and the stream always moves on. ---------------------------------

KINDS = [*MODELS, "order.teleport", "", "incident.push.extra"]
WORDS = ["signed", "received", "handled", "visited", "2026-11-23T08:00:00+08:00", "9999-12-31T23:59:59-14:00", "\x00",
         "\ud800", "a" * 300]  # fmt: skip
FIELDS = sorted({name for model in MODELS.values() for name in model.model_fields} | {"from"})


def bodies(uids: list[str]):
    """Dictionaries of the fields messages carry, with odd values; uids of real orders among them."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False),
        st.text(max_size=40), st.sampled_from(WORDS + uids),
    )  # fmt: skip
    values = st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    )  # fmt: skip
    return st.dictionaries(st.sampled_from(FIELDS), values, max_size=8) | st.dictionaries(
        st.sampled_from(["uid", "state", "feedback", "satisfaction"]), values, min_size=2
    )


def test_signed_random_messages_get_no_5xx_and_the_stream_always_moves_on(desk110):
    from tests.peering.test_exchange import _order_to_12345

    uids = [_order_to_12345(desk110)[1]["uid"] for _ in range(2)]
    count = {"requests": 0, "applied": 0}

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(peer=st.sampled_from(["gz-12345", "gas", "nb-110"]), kind=st.sampled_from(KINDS), body=bodies(uids))
    @example(peer="gz-12345", kind="order.progress", body={"uid": uids[0], "state": "received"})
    def throw(peer, kind, body):
        before = desk110.applied_seq(peer)
        raw = json.dumps(
            {"message_id": f"{peer}:{before + 1}", "from": peer, "seq": before + 1, "prev": before, "kind": kind,
             "body": body}
        ).encode()  # fmt: skip
        answer = desk110.signed(peer, raw)
        count["requests"] += 1
        assert answer.status_code in (200, 403, 422), answer.text
        assert answer.status_code == 200 or answer.json()["parked"] is True
        count["applied"] += answer.status_code == 200
        assert desk110.applied_seq(peer) == before + 1

    throw()
    print(f"signed random messages: {count}, 0 5xx")
    assert count["requests"] >= 300 and count["applied"] >= 1
