"""Whatever arrives, triage answers with a defined result and never raises."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.taxonomy import DISPOSITIONS
from lifeline.triage import triage


def assert_well_formed(r):
    assert r.disposition in DISPOSITIONS
    assert r.priority in (1, 2, 3, 4)
    assert 0.0 <= r.confidence <= 1.0
    assert r.reasons and all(isinstance(x, str) and x for x in r.reasons)


@pytest.mark.parametrize("text", ["", "   ", None, "\x00\x01\x02", "。。。", "🔥🔥🔥", "😀"])
def test_nothing_said_asks_for_a_call_back(text):
    r = triage(text)
    assert_well_formed(r)
    assert r.disposition != "divert"
    if r.disposition == "invalid":
        assert r.callback_required


def test_binary_junk():
    r = triage(bytes(range(256)) * 10)
    assert_well_formed(r)
    assert any("UTF-8" in x for x in r.reasons)


def test_hundred_thousand_characters_is_truncated():
    text = "楼上装修太吵了" * 14_286
    r = triage(text)
    assert_well_formed(r)
    assert any("过长" in x for x in r.reasons)


def test_traditional_characters_are_converted():
    r = triage("救命，這裡有人拿刀砍人，地上都是血")
    assert r.disposition in ("police", "joint")
    assert "这里" in r.text
    assert any("繁体" in x for x in r.reasons)


def test_full_width_digits_become_ascii():
    r = triage("我的电话是１３８１２３４５６７８，车被堵了")
    assert "13812345678" in r.entities.phones


@pytest.mark.parametrize("text", ["Help, there is a fire in my building", "jiuming you ren na dao", "asdfghjkl"])
def test_english_and_pinyin_get_an_answer(text):
    assert_well_formed(triage(text))


def test_unknown_channel_is_voice_with_a_note():
    r = triage("我车被堵了", channel="carrier-pigeon")
    assert_well_formed(r)
    assert any("未知渠道" in x for x in r.reasons)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=500))
def test_any_text_gets_a_defined_answer(text):
    assert_well_formed(triage(text))
