"""Chinese search of the 12345 knowledge base (pure: no database, no network, no dictionary).

A caller says 社保卡丢了怎么补办; the article is titled 社会保障卡挂失与补办. Chinese has no spaces, so text is cut into
overlapping character pairs (bigrams: 社保 保卡 卡丢 …) and latin words or numbers kept whole (12315, wifi). Each
article's title, keywords, answer and body are indexed once; a query scores an article by the pairs they share,
each weighed by where it was found (title and keywords weigh more) and by how rare it is among the articles (a pair
in every article, 办理 say, tells little). Whole keywords of an article, and synonyms (a map {word: [synonyms]}
handed in: the catalogue's, say), found in the query count more again: 停水 finds the outage notice that never
says 停水 when 停水 ↔ 暂停供水 is a synonym. Every hit says why: the keywords, synonyms and pieces of the query that
matched.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Where a pair was found: an article's own words for itself weigh more than its body.
TITLE, KEYWORDS, ANSWER, BODY = 3.0, 3.0, 1.5, 1.0
KEYWORD_HIT = 4.0  # a whole keyword of the article (or a synonym of one) said in the query
EXPANDED = 0.7  # a pair that came from a synonym, not from the caller's words
RELATIVE_FLOOR = 0.3  # a hit scoring under this share of the best one is noise
ABSOLUTE_FLOOR = 5.0  # …and under this, whatever the best (a common pair or two, 有人 say)
# Question words: a caller says them in every enquiry and they name no matter.
STOP = frozenset({
    "怎么", "么办", "什么", "么时", "如何", "请问", "我想", "想问", "问一", "一下", "可以", "哪里",
    "哪儿", "需要", "是不", "不是", "有没", "没有", "能不", "是否", "我们", "你们", "这个", "那个",
    "么样", "怎样", "为什", "为何", "咨询", "问下", "了怎", "么补", "要怎", "该怎", "应该", "去哪",
    "在哪", "多少", "几天", "时候", "有人", "我的", "我家", "你好", "您好", "了吗", "谢谢",
})  # fmt: skip
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")


@dataclass(frozen=True)
class Doc:
    """An article as search sees it."""

    id: int
    title: str
    keywords: tuple[str, ...] = ()
    answer: str = ""
    body: str = ""


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    why: tuple[str, ...]  # the keywords, synonyms and pieces of the query that matched, strongest first


def normalise(text: str) -> str:
    """Full-width to half-width, lower case: ＷｉＦｉ and wifi are one word."""
    return unicodedata.normalize("NFKC", text or "").lower()


def terms(text: str) -> set[str]:
    """The bigrams of each run of Chinese characters (a lone character stands for itself) and each latin word or
    number, whole."""
    found: set[str] = set()
    for run in _RUNS.findall(normalise(text)):
        if not ("\u3400" <= run[0] <= "\u9fff") or len(run) == 1:
            found.add(run)
        else:
            found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def _groups(synonyms: Mapping[str, Iterable[str]] | None) -> list[frozenset[str]]:
    """Each word with its synonyms, as one group of normalised words."""
    groups = []
    for word, others in (synonyms or {}).items():
        group = frozenset(w for w in (normalise(x).strip() for x in (word, *others)) if w)
        if len(group) > 1:
            groups.append(group)
    return groups


def expand(query: str, synonyms: Mapping[str, Iterable[str]] | None) -> dict[str, str]:
    """The synonyms of the words said in the query: {synonym: the word said}."""
    said = normalise(query)
    extra: dict[str, str] = {}
    for group in _groups(synonyms):
        heard = [w for w in group if w in said]
        if heard:
            for word in group:
                if word not in said:
                    extra.setdefault(word, max(heard, key=len))
    return extra


class Index:
    """The articles, cut into pairs once; `search` runs as the operator types."""

    def __init__(self, docs: Iterable[Doc]):
        self.docs = list(docs)
        self.postings: dict[str, dict[int, float]] = {}
        self.keywords: list[tuple[str, ...]] = []
        for n, doc in enumerate(self.docs):
            keywords = tuple(dict.fromkeys(k for k in (normalise(w).strip() for w in doc.keywords) if k))
            self.keywords.append(keywords)
            fields = ((TITLE, doc.title), (KEYWORDS, " ".join(keywords)), (ANSWER, doc.answer), (BODY, doc.body))
            for weight, text in fields:
                for term in terms(text):
                    posting = self.postings.setdefault(term, {})
                    posting[n] = max(posting.get(n, 0.0), weight)

    def _idf(self, term: str) -> float:
        return math.log(1 + len(self.docs) / len(self.postings[term]))

    def search(self, query: str, synonyms: Mapping[str, Iterable[str]] | None = None, limit: int = 5) -> list[Hit]:
        """The best `limit` articles for `query`, each with why; none when nothing in it names a matter."""
        said = normalise(query)
        extra = expand(said, synonyms)
        scores: dict[int, float] = {}
        matched: dict[int, set[str]] = {}
        strong: dict[int, list[tuple[float, str]]] = {}
        spoken = terms(said) - STOP
        weighed = [(t, 1.0) for t in spoken] + [(t, EXPANDED) for w in extra for t in terms(w) - spoken - STOP]
        for term, factor in weighed:
            posting = self.postings.get(term)
            if not posting:
                continue
            idf = self._idf(term)
            for n, weight in posting.items():
                scores[n] = scores.get(n, 0.0) + weight * idf * factor
                if factor == 1.0:
                    matched.setdefault(n, set()).add(term)
        # Whole keywords, said by the caller or reached through a synonym.
        for n, keywords in enumerate(self.keywords):
            for keyword in keywords:
                if keyword in said:
                    why, bonus = keyword, KEYWORD_HIT * (1 + 0.1 * len(keyword))
                elif keyword in extra:
                    why, bonus = f"{extra[keyword]}→{keyword}", KEYWORD_HIT * EXPANDED
                else:
                    continue
                scores[n] = scores.get(n, 0.0) + bonus
                strong.setdefault(n, []).append((bonus, why))
        if not scores:
            return []
        best = max(scores.values())
        floor = max(ABSOLUTE_FLOOR, RELATIVE_FLOOR * best)
        ranked = sorted((n for n, s in scores.items() if s >= floor), key=lambda n: (-scores[n], self.docs[n].id))
        return [Hit(self.docs[n].id, round(scores[n], 3), self._why(said, strong.get(n, []), matched.get(n, set())))
                for n in ranked[:limit]]  # fmt: skip

    @staticmethod
    def _why(said: str, strong: list[tuple[float, str]], pairs: set[str]) -> tuple[str, ...]:
        """Keywords and synonyms first, then the longest pieces of the query whose pairs all matched."""
        words = [w for _, w in sorted(strong, key=lambda bw: -bw[0])]
        pieces: list[str] = []
        for run in _RUNS.findall(said):
            if len(run) < 2 or not ("\u3400" <= run[0] <= "\u9fff"):
                if run in pairs:
                    pieces.append(run)
                continue
            start = None
            for i in range(len(run) - 1):
                hit = run[i : i + 2] in pairs
                if hit and start is None:
                    start = i
                if not hit and start is not None:
                    pieces.append(run[start : i + 1])
                    start = None
            if start is not None:
                pieces.append(run[start:])
        shown = list(dict.fromkeys(words))
        for piece in sorted(dict.fromkeys(pieces), key=len, reverse=True):
            if not any(piece in w for w in shown):
                shown.append(piece)
        return tuple(shown)
