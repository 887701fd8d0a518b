"""Knowledge-base search as the operator types, against a baseline that scans every article, in the same run.

    python bench/knowledge_bench.py [--articles 3000] [--rounds 3]

Two bases: the demo's published articles (knowledge/articles.yaml, about 30) and a city-sized one of `articles`
articles made from them (each demo article again under other numbers, its sentences shuffled, so pairs repeat as
in a real base). Queries are callers' questions typed one character at a time: every prefix is one search, as the
console's debounced box would send at worst. Ours: `knowledge.search.Index.search` (an inverted index of
bigrams, built once). Baseline: the same scoring done by scanning every article's bigram sets for each query (what
a search without an index, or a SQL LIKE per article, costs). Both must return the same first hit; the ratio is
what to compare, since the machine is shared and noisy.

The last line is one JSON object for the city-sized base.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time

from lifeline.knowledge import search
from lifeline.knowledge.search import ANSWER, BODY, KEYWORDS, STOP, TITLE, Doc, Index
from lifeline.knowledge.service import load

QUERIES = [
    "如何办理居住证", "停水什么时候来水", "社保卡丢了怎么补办", "我家楼上装修太吵了", "公司三个月没发工资怎么办",
    "我的车被人堵住了出不来", "钥匙丢了进不去门", "身份证掉了", "怎么取公积金", "医保卡在外地能用吗",
    "孩子上学报名", "燃气公司电话多少", "买到假货打12315有用吗", "小区路灯不亮", "被狗咬了去哪打疫苗",
]  # fmt: skip


def demo_docs() -> list[Doc]:
    return [Doc(n, a.title, tuple(a.keywords), a.answer, a.body) for n, a in enumerate(load(), 1)]


def city_docs(size: int, rng: random.Random) -> list[Doc]:
    base = demo_docs()
    docs = []
    for n in range(1, size + 1):
        d = base[(n - 1) % len(base)]
        sentences = d.body.split("。")
        rng.shuffle(sentences)
        suffix = "" if n <= len(base) else f"（{rng.choice(['东城区', '西城区', '南湖区', '北岸区'])}第 {n} 号）"
        docs.append(Doc(n, d.title + suffix, d.keywords, d.answer, "。".join(sentences)))
    return docs


class Scan:
    """The baseline: the same score, computed by looking at every article for every query."""

    def __init__(self, docs: list[Doc]):
        self.docs = docs
        self.fields = [
            [(TITLE, search.terms(d.title)), (KEYWORDS, search.terms(" ".join(d.keywords))),
             (ANSWER, search.terms(d.answer)), (BODY, search.terms(d.body))]
            for d in docs
        ]  # fmt: skip
        self.keywords = [[search.normalise(k) for k in d.keywords] for d in docs]

    def search(self, query: str) -> list[int]:
        said = search.normalise(query)
        spoken = search.terms(said) - STOP
        df = {t: sum(any(t in f for _, f in fields) for fields in self.fields) for t in spoken}
        scores = {}
        for n, fields in enumerate(self.fields):
            score = 0.0
            for t in spoken:
                weights = [w for w, f in fields if t in f]
                if weights:
                    score += max(weights) * math.log(1 + len(self.docs) / df[t])
            for k in self.keywords[n]:
                if k in said:
                    score += search.KEYWORD_HIT * (1 + 0.1 * len(k))
            if score:
                scores[n] = score
        if not scores:
            return []
        floor = max(search.ABSOLUTE_FLOOR, search.RELATIVE_FLOOR * max(scores.values()))
        ranked = sorted((n for n, s in scores.items() if s >= floor), key=lambda n: (-scores[n], self.docs[n].id))
        return [self.docs[n].id for n in ranked[:5]]


def typed(queries: list[str]) -> list[str]:
    return [q[:i] for q in queries for i in range(1, len(q) + 1)]


def timed(fn, texts: list[str], rounds: int) -> tuple[list[float], list]:
    latencies, answers = [], []
    for _ in range(rounds):
        answers = []
        for text in texts:
            t0 = time.perf_counter()
            answers.append(fn(text))
            latencies.append((time.perf_counter() - t0) * 1000)
    return latencies, answers


def run(name: str, docs: list[Doc], rounds: int) -> dict:
    t0 = time.perf_counter()
    index = Index(docs)
    build_ms = (time.perf_counter() - t0) * 1000
    scan = Scan(docs)
    keystrokes = typed(QUERIES)
    ours, ours_hits = timed(lambda q: [h.id for h in index.search(q)], keystrokes, rounds)
    base, base_hits = timed(scan.search, keystrokes, max(1, rounds // 3))
    same = sum(a[:1] == b[:1] for a, b in zip(ours_hits, base_hits, strict=True))
    p = {
        "base": name,
        "articles": len(docs),
        "keystrokes": len(keystrokes),
        "build_ms": round(build_ms, 1),
        "ours_p50_ms": round(statistics.median(ours), 3),
        "ours_p95_ms": round(statistics.quantiles(ours, n=20)[18], 3),
        "scan_p50_ms": round(statistics.median(base), 3),
        "scan_p95_ms": round(statistics.quantiles(base, n=20)[18], 3),
        "same_first_hit": f"{same}/{len(keystrokes)}",
    }
    p["speedup_p50"] = round(p["scan_p50_ms"] / max(p["ours_p50_ms"], 1e-6), 1)
    print(f"{name:>10} {len(docs):>6} articles  build {p['build_ms']:>8.1f} ms   ours p50 {p['ours_p50_ms']:.3f} ms"
          f" p95 {p['ours_p95_ms']:.3f} ms   scan p50 {p['scan_p50_ms']:.3f} ms p95 {p['scan_p95_ms']:.3f} ms"
          f"   ×{p['speedup_p50']}   same first hit {p['same_first_hit']}")  # fmt: skip
    return p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    run("demo", demo_docs(), args.rounds)
    print(json.dumps(run("city", city_docs(args.articles, random.Random(18)), args.rounds), ensure_ascii=False))


if __name__ == "__main__":
    main()
