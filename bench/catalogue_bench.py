"""Catalogue matching: its speed against a baseline in the same run, and how often it names the right owner.

    python bench/catalogue_bench.py [--gold ../shared/triage/dev.jsonl] [--repeat 20]

Speed. Ours: `catalogue.match.suggest` on triage's clean text (the category's synonyms, indexed once per catalogue,
longest first). Baseline: the obvious scan, every item's every synonym on the raw words, the longest match of the
triage category winning. Both are timed on the same texts in the same run; the ratio is what to compare, since the
machine is shared. Triage's own time per call is printed beside, for scale.

Owners. For each call whose gold disposition is divert, the item suggested for triage's category: right when its
lead owner is one of the gold destinations, strictly right when it is the most specific gold destination (the last).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from lifeline.catalogue import items
from lifeline.catalogue.match import suggest
from lifeline.triage import triage

ROOT = Path(__file__).resolve().parents[1]


def naive(text: str, category: str, catalogue: items.Catalogue):
    best = None
    for item in catalogue.items:
        for word in (item.name, *item.synonyms):
            if word in text and item.category == category and (best is None or len(word) > len(best[1])):
                best = (item, word)
    return best or catalogue.default_for(category)


def timed(fn, cases, repeat: int) -> float:
    """Microseconds per call, the median of `repeat` passes over all cases."""
    passes = []
    for _ in range(repeat):
        start = time.perf_counter()
        for text, category in cases:
            fn(text, category)
        passes.append((time.perf_counter() - start) / len(cases) * 1e6)
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(ROOT.parent / "shared" / "triage" / "dev.jsonl"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    catalogue = items.shipped()
    rows = [json.loads(line) for line in Path(args.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    results = [triage(r["text"], r.get("channel", "voice")) for r in rows]
    triage_us = (time.perf_counter() - started) / len(rows) * 1e6
    cases = [(r.text, r.category) for r in results]
    suggest(*cases[0], catalogue, normalised=True)  # builds the index once, as the first call of a process does
    ours = timed(lambda t, c: suggest(t, c, catalogue, normalised=True), cases, args.repeat)
    base = timed(lambda t, c: naive(t, c, catalogue), cases, args.repeat)
    print(f"catalogue: {len(catalogue.items)} items, sha256 {catalogue.sha256[:12]}…; {len(rows)} calls")
    print(f"match per call: ours {ours:.1f} µs, baseline scan {base:.1f} µs, ratio {base / ours:.1f}× faster")
    print(f"triage per call (for scale): {triage_us:.0f} µs; matching adds {ours / triage_us:.2%}")

    divert = [(r, res) for r, res in zip(rows, results, strict=True) if r["disposition"] == "divert"]
    right = strict = none = 0
    for row, result in divert:
        found = suggest(result.text, result.category, catalogue, normalised=True)
        if found is None:
            none += 1
            continue
        right += found.item.lead in row["destinations"]
        strict += found.item.lead == row["destinations"][-1]
    n = len(divert)
    print(f"divertible calls: {n}; suggested item's lead owner among the gold destinations: {right}/{n} = "
          f"{right / n:.1%}; the most specific one: {strict}/{n} = {strict / n:.1%}; no item: {none}")  # fmt: skip


if __name__ == "__main__":
    main()
