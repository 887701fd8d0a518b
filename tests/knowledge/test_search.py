"""Knowledge-base search alone: the demo's articles, the questions callers ask, synonyms handed in."""

from __future__ import annotations

import pytest

from lifeline.knowledge import search
from lifeline.knowledge.search import Doc, Index
from lifeline.knowledge.service import load

ARTICLES = load()
DOCS = [Doc(n, a.title, tuple(a.keywords), a.answer, a.body) for n, a in enumerate(ARTICLES, 1)]
TITLES = {d.id: d.title for d in DOCS}
INDEX = Index(DOCS)


def best(query: str, synonyms=None) -> str | None:
    hits = INDEX.search(query, synonyms)
    return TITLES[hits[0].id] if hits else None


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("如何办理居住证", "居住证的办理条件和材料"),
        ("停水什么时候来水", "计划停水通知的查询"),
        ("社保卡丢了怎么补办", "社会保障卡挂失与补办"),
        ("小区没有水了", "计划停水通知的查询"),
        ("我家楼上装修太吵了", "噪音扰民的投诉渠道"),
        ("公司三个月没发工资怎么办", "劳动仲裁的申请"),
        ("我的车被人堵住了出不来", "挪车服务"),
        ("钥匙丢了进不去门", "开锁服务"),
        ("身份证掉了", "身份证补办与临时身份证"),
        ("怎么取公积金", "住房公积金提取"),
        ("医保卡在外地能用吗", "医保报销与异地就医备案"),
        ("孩子上学报名", "新生入学与学位咨询"),
        ("燃气公司电话多少", "燃气泄漏与燃气报修电话"),
        ("买到假货打12315有用吗", "消费投诉与 12315"),
        ("ＷＩＦＩ 12315", "消费投诉与 12315"),  # full-width and upper case read as 12315
    ],
)
def test_a_callers_question_finds_its_article_first(query, title):
    assert best(query) == title


def test_a_question_of_no_article_finds_nothing_rather_than_noise():
    assert INDEX.search("今天天气怎么样") == []
    assert INDEX.search("有人拿刀砍人") == []  # a police matter: no enquiry answers it
    assert INDEX.search("") == [] and INDEX.search("？？？") == []


def test_synonyms_handed_in_reach_an_article_that_never_says_the_word():
    assert INDEX.search("暂停供水") == []  # without the map, nothing: the article says 停水, not 暂停供水
    synonyms = {"停水": ["暂停供水", "断水"]}
    hits = INDEX.search("暂停供水", synonyms)
    assert TITLES[hits[0].id] == "计划停水通知的查询"
    assert "暂停供水→停水" in hits[0].why  # why says which synonym led there
    assert best("家里断水了", synonyms) == "计划停水通知的查询"


def test_each_hit_says_which_words_matched_keywords_first():
    hit = INDEX.search("社保卡丢了怎么补办")[0]
    assert hit.why[0] == "社保卡丢了" and "补办" in hit.why
    assert all(w in "社保卡丢了怎么补办" for w in hit.why)


def test_title_and_keyword_hits_outrank_a_body_mention():
    docs = [Doc(1, "居住证办理", ("居住证",), "带身份证办理。"), Doc(2, "户口迁移", (), "办理户口，也可凭居住证积分。")]
    hits = Index(docs).search("居住证")
    assert [h.id for h in hits][:1] == [1] and hits[0].score > 2 * (hits[1].score if len(hits) > 1 else 0)


def test_limit_bounds_the_hits_and_ties_keep_a_stable_order():
    docs = [Doc(n, f"公积金{n}", ("公积金",)) for n in range(1, 9)]
    hits = Index(docs).search("公积金", limit=3)
    assert [h.id for h in hits] == [1, 2, 3]


def test_terms_are_bigrams_of_chinese_and_whole_latin_words():
    assert search.terms("社保卡 12333") == {"社保", "保卡", "12333"}
    assert search.terms("水") == {"水"}
    assert search.terms("") == set()


def test_every_shipped_article_links_items_of_the_shipped_catalogue():
    from lifeline.catalogue.items import shipped

    codes = {item.code for item in shipped().items}
    linked = {code for article in load() for code in article.items}
    assert linked and linked <= codes, sorted(linked - codes)
