"""The decision rules on hand-made probabilities: safety beats the model, doubt goes to police."""

import pytest

from lifeline import taxonomy
from lifeline.triage.cues import find_cues
from lifeline.triage.decide import decide

TAX = taxonomy.default()
CLASSES = sorted(TAX.categories)


def probs(**weights):
    """A probability vector with the given weights and the rest spread thinly."""
    rest = (1.0 - sum(weights.values())) / (len(CLASSES) - len(weights))
    return [weights.get(c, rest) for c in CLASSES]


def run(text, gate=0.05, doubt=0.3, **weights):
    return decide(text, probs(**weights), CLASSES, find_cues(text), TAX, police_probability=gate, doubt=doubt)


def test_a_confident_non_police_answer_stands():
    r = run("我车被堵了，麻烦联系车主挪车", car_moving=0.9)
    assert (r.disposition, r.category, r.destinations) == ("divert", "car_moving", ["12345"])
    assert not r.needs_confirmation


def test_a_safety_cue_overrides_the_model_and_picks_the_likeliest_police_category():
    r = run("楼上装修太吵了，现在听到男的在打老婆", noise=0.8, domestic_violence=0.1)
    assert r.category == "domestic_violence" and r.disposition == "police" and r.priority == 1
    assert any("安全线索" in x for x in r.reasons) and any("改判" in x for x in r.reasons)


def test_a_negated_cue_does_not_override():
    r = run("两辆车刮了一下，没有人受伤，想问保险怎么走", consultation=0.8)
    assert r.disposition == "divert"


def test_doubt_goes_to_police_with_a_reason():
    r = run("我想问问那个事情怎么办", gate=0.4, consultation=0.5, fraud=0.3)
    assert r.disposition == "police" and r.category == "fraud" and r.needs_confirmation
    assert any("需人工确认" in x for x in r.reasons)


def test_a_weak_cue_halves_the_bar_for_doubt():
    weak = run("救命啊我家WiFi又断了", gate=0.2, private_request=0.8)
    plain = run("我家WiFi又断了", gate=0.2, private_request=0.8)
    assert weak.disposition in ("police", "joint") and weak.needs_confirmation
    assert plain.disposition == "invalid"


def test_injury_makes_a_police_category_joint_with_120():
    r = run("两个人打架，一个头上流血了", fight=0.9)
    assert r.disposition == "joint" and "120" in r.destinations and r.priority == 1


def test_gas_smell_brings_119_and_the_gas_company():
    r = run("邻居在楼道里打架，楼道里还有很浓的煤气味", fight=0.9)
    assert {"119", "gas"} <= set(r.destinations)


@pytest.mark.parametrize(
    ("text", "utility"),
    [("我们小区停电三个小时了", "power"), ("家里停水两天了", "water"), ("暖气一直不热", "heating")],
)
def test_utility_outage_goes_to_the_utility_meant(text, utility):
    r = run(text, utility_outage=0.9)
    assert r.destinations == ["12345", utility]


def test_silent_call_is_invalid_only_with_a_call_back():
    r = run("（无声，只有呼吸声，随后挂断）", misdial=0.9)
    assert r.disposition == "invalid" and r.callback_required
    assert any("回拨" in x for x in r.reasons)


def test_a_crime_in_progress_is_priority_one():
    assert run("小偷正在撬我家隔壁的门", theft=0.9).priority == 1
    assert run("我家昨晚被偷了", theft=0.9).priority == 2


def test_a_whisper_the_model_doubts_goes_to_police_not_to_a_call_back():
    r = run("（小声）我在朋友家，你能送个披萨吗", gate=0.6, private_request=0.7, domestic_violence=0.2)
    assert r.disposition == "police" and r.category == "domestic_violence" and r.needs_confirmation


def test_an_almost_empty_line_is_a_silent_call_whatever_the_model_guessed():
    r = run("喂？", consultation=0.6, misdial=0.2)
    assert r.category == "misdial" and r.callback_required


def _urgent(text, urgent, **weights):
    return decide(
        text, probs(**weights), CLASSES, find_cues(text), TAX, police_probability=0.9, doubt=0.3,
        urgent_probability=urgent, urgent_bar=0.5,
    )  # fmt: skip


def test_the_priority_one_head_raises_a_police_call_at_its_bar():
    text = "他们在我店门口一直不走，说要给我好看"
    assert _urgent(text, 0.49, public_order=0.9).priority > 1
    raised = _urgent(text, 0.5, public_order=0.9)
    assert raised.priority == 1 and any("紧急" in r for r in raised.reasons)


def test_the_priority_one_head_never_touches_a_diverted_call():
    r = decide("我车被堵了，麻烦联系车主挪车", probs(car_moving=0.95), CLASSES, find_cues("我车被堵了"), TAX,
               police_probability=0.01, urgent_probability=0.99, urgent_bar=0.5)  # fmt: skip
    assert r.disposition == "divert" and r.priority > 1


def read(text, literal):
    """The text's cues, each read by a context model that says `literal`."""
    from dataclasses import replace

    return [replace(c, literal=literal) for c in find_cues(text)]


def in_context(text, literal, gate=0.05, doubt=0.3, context_bar=0.1, raise_bar=0.9, **weights):
    return decide(
        text, probs(**weights), CLASSES, read(text, literal), TAX, police_probability=gate, doubt=doubt,
        context_bar=context_bar, raise_bar=raise_bar,
    )  # fmt: skip


def test_a_cue_the_context_reads_as_a_figure_of_speech_is_lowered_with_its_reading():
    text = "这家店一碗面卖八十，跟抢钱一样，我要投诉"
    assert [c.family for c in find_cues(text) if c.active] == ["violence"]
    r = in_context(text, literal=0.03, dispute_consumer=0.9)
    assert r.disposition == "divert" and r.category == "dispute_consumer"
    assert any("抢钱" in x and "语境" in x and "3%" in x for x in r.reasons)


def test_the_context_lowers_nothing_when_it_is_not_sure_or_the_gate_points_to_police():
    text = "这家店一碗面卖八十，跟抢钱一样，我要投诉"
    unsure = in_context(text, literal=0.4, dispute_consumer=0.9)
    gate = in_context(text, literal=0.03, gate=0.5, dispute_consumer=0.9)
    assert unsure.disposition == "police" and gate.disposition == "police"


def test_the_context_lowers_nothing_while_another_cue_still_points_to_danger():
    text = "他说这价格是抢钱，然后拿着菜刀冲过来了"
    cues = read(text, 0.03)
    cues = [c if c.family != "weapon" else type(c)(**{**c.__dict__, "literal": 0.97}) for c in cues]
    r = decide(text, probs(dispute_consumer=0.9), CLASSES, cues, TAX, police_probability=0.05, context_bar=0.1)
    assert r.disposition == "police"


def test_a_denied_cue_the_context_reads_as_real_becomes_a_doubt_for_police():
    text = "我老公非说他没打我，让我别报警，我想问问离婚怎么办"
    assert [(c.family, c.negated) for c in find_cues(text)] == [("violence", True)]
    raised = in_context(text, literal=0.95, gate=0.2, dispute_family=0.85)
    kept = in_context(text, literal=0.5, gate=0.2, dispute_family=0.85)
    assert raised.disposition in ("police", "joint") and raised.needs_confirmation
    assert any("打我" in x and "需核实" in x for x in raised.reasons)
    assert kept.disposition == "divert"


def test_present_danger_beats_the_request_and_both_are_shown():
    text = "帮我找个开锁的，门被风关上了，三岁的孩子一个人在屋里，窗户开着"
    r = run(text, lockout=0.9)
    assert r.disposition == "joint" and r.category == "disaster_rescue" and r.priority == 1
    assert r.request_category == "lockout"
    assert r.suggestion()["request_category"] == "lockout"
    assert any("开锁" in x and "险情" in x for x in r.reasons)


def test_police_or_not_averages_the_gate_with_the_category_heads_police_mass():
    from lifeline.triage.decide import police_probability

    weights = probs(consultation=0.5, fraud=0.4)
    mass = sum(p for c, p in zip(CLASSES, weights, strict=True) if TAX.category(c).police_side)
    assert police_probability(weights, CLASSES, 0.2, TAX) == pytest.approx((0.2 + mass) / 2)
    # A model trained before the average is read as it was trained: the gate alone.
    assert police_probability(weights, CLASSES, 0.2, TAX, how="gate") == 0.2
