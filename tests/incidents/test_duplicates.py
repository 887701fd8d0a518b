"""Duplicate detection (pure): close in time and place, with agreeing words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lifeline.triage.duplicates import Sighting, match, metres, overlap, related

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def sighting(text, minutes=0, category="fire", address="", lat=None, lon=None):
    return Sighting(text, T0 + timedelta(minutes=minutes), category, address, lat, lon)


def test_same_place_by_coordinates_within_minutes_is_offered():
    a = sighting("楼下着火了好大的烟", lat=23.1291, lon=113.2644)
    b = sighting("对面楼起火了，快来", minutes=4, lat=23.1295, lon=113.2650)
    found = match(b, a)
    assert found is not None and any("米" in r for r in found.reasons)


def test_same_address_by_words_is_offered():
    a = sighting("幸福小区3栋着火了", address="幸福小区3栋")
    b = sighting("幸福小区3栋2单元冒烟了", minutes=10, address="幸福小区3栋2单元")
    assert match(b, a) is not None


def test_far_apart_or_long_after_is_not_offered():
    a = sighting("楼下着火了", lat=23.1291, lon=113.2644)
    assert match(sighting("楼下着火了", minutes=5, lat=23.20, lon=113.40), a) is None
    assert match(sighting("楼下着火了", minutes=90, lat=23.1291, lon=113.2644), a) is None


def test_without_place_only_near_identical_words_count():
    a = sighting("我被困在电梯里了，华润大厦3号梯", category="disaster_rescue")
    assert match(sighting("我被困在电梯里了，华润大厦3号梯", minutes=2, category="disaster_rescue"), a) is not None
    assert match(sighting("车被堵了麻烦挪车", minutes=2, category="car_moving"), a) is None


def test_helpers_are_sane():
    assert overlap("着火了", "着火了") == 1.0 and overlap("", "x") == 0.0
    assert 1000 < metres(23.0, 113.0, 23.01, 113.0) < 1200


WORDS = st.text(alphabet="幸福小区栋着火冒烟了abc123 ，", max_size=12)


@given(WORDS, WORDS)
def test_overlap_is_the_jaccard_similarity_of_bigrams(a, b):
    def bigrams(text):
        text = "".join(ch for ch in text.lower() if ch.isalnum())
        return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())

    x, y = bigrams(a), bigrams(b)
    assert overlap(a, b) == (len(x & y) / len(x | y) if x and y else 0.0)


def test_the_same_caller_ringing_again_within_minutes_is_offered_without_a_place():
    first = Sighting("我家楼下有人一直在砸车", T0, "public_order", caller="13800001111")
    again = Sighting("警察怎么还没来啊，他们还在", T0 + timedelta(seconds=90), "other_help", caller="13800001111")
    found = match(again, first)
    assert found is not None and "同一来电号码" in found.reasons
    stranger = Sighting("警察怎么还没来啊，他们还在", T0 + timedelta(seconds=90), "other_help", caller="13900002222")
    assert match(stranger, first) is None  # words alone do not agree enough


def test_the_same_caller_somewhere_else_is_not_offered():
    first = Sighting("幸福小区3栋着火了", T0, "fire", "幸福小区3栋", caller="13800001111")
    again = Sighting("人民路口有人打架", T0 + timedelta(minutes=5), "fight", "人民路口", caller="13800001111")
    assert match(again, first) is None


def test_one_event_told_as_two_categories_is_compared():
    # One caller says a knife attack, another a fight at the same door: both are looked at.
    assert {"violent_crime", "fight"} <= set(related("fight")) and "fight" in related("violent_crime")
    assert "noise" not in related("fight") and related("noise") == ["noise"]
    knife = sighting("两个人拿着刀在人民路18号门口打架", category="violent_crime", address="人民路18号")
    again = sighting("人民路18号门口两个人打起来了", minutes=3, category="fight", address="人民路18号")
    assert match(again, knife) is not None
