"""The consoles' words in two languages: one function, three forms, and every term has an English label."""

from __future__ import annotations

import re

from lifeline import taxonomy, vocabulary
from lifeline.web.i18n import WORDS, localise, translator

HAN = re.compile(r"[\u3400-\u9fff]")


def test_t_takes_a_shared_word_a_pair_a_term_or_a_service_message():
    zh, en = translator("zh"), translator("en")
    assert (zh("calls"), en("calls")) == WORDS["calls"]
    assert (zh("待回拨", "Call-backs"), en("待回拨", "Call-backs")) == ("待回拨", "Call-backs")
    step = vocabulary.OrderStep.SIGNED
    assert (zh(step), en(step)) == ("签收", "Sign for")  # an action, named as one
    knife = taxonomy.default().categories["violent_crime"]
    assert (zh(knife), en(knife)) == (knife.zh, knife.en)
    message = "工单 3 不能签收 / order 3 cannot be signed for"
    assert (zh(message), en(message)) == ("工单 3 不能签收", "order 3 cannot be signed for")
    assert localise("没有斜杠的消息", "en") == "没有斜杠的消息"  # nothing to choose from: all of it


def test_every_vocabulary_term_and_shared_word_has_an_english_label():
    terms = [m for term in vocabulary.Term.__subclasses__() for m in term]
    assert len(terms) > 60
    missing = [f"{type(m).__name__}.{m.name}" for m in terms if not m.en or HAN.search(m.en) or not m.zh]
    missing += [key for key, (z, e) in WORDS.items() if not e or (HAN.search(e) and key != "language")]
    assert not missing
