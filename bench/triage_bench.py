"""Triage speed on one core, against a baseline trained on the same corpus in the same run.

    python bench/triage_bench.py [--corpus data/triage/train.jsonl] [--gold GOLD.jsonl] [--items 2000]

Ours: the full triage (normalise, safety cues, extractors, model, decision). Baseline: jieba words,
TF-IDF and multinomial naive Bayes (scikit-learn), category only. Both are timed item by item on
the same texts; the ratio is what to compare, since the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, texts):
    latencies = []
    start = time.perf_counter()
    for text, channel in texts:
        t0 = time.perf_counter()
        fn(text, channel)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "items_per_s": len(texts) / total,
    }


def baseline(items):
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB

    jieba.setLogLevel(60)
    from lifeline.triage.normalize import normalize

    def words(text):
        return jieba.lcut(normalize(text)[0])

    vec = TfidfVectorizer(tokenizer=words, token_pattern=None, lowercase=False)
    x = vec.fit_transform([i["text"] for i in items])
    clf = MultinomialNB(alpha=0.1).fit(x, [i["category"] for i in items])
    return lambda text, channel: clf.predict(vec.transform([text]))[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT / "data/triage/train.jsonl")
    ap.add_argument("--gold", type=Path, help="a labelled file to report category accuracy of both")
    ap.add_argument("--items", type=int, default=2000)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    items = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [(i["text"], i.get("channel", "voice")) for i in items][: args.items]

    t0 = time.perf_counter()
    from lifeline.triage import model as model_module

    model = model_module.load_file(model_module.artifact_path())
    load_s = time.perf_counter() - t0
    from lifeline.triage import triage

    ours = lambda text, channel: triage(text, channel, model=model)  # noqa: E731
    triage("预热 warm-up", "voice", model=model)

    t0 = time.perf_counter()
    base = baseline(items)
    base_train_s = time.perf_counter() - t0
    base(texts[0][0], "voice")

    r_ours = timed(ours, texts)
    r_base = timed(base, texts)
    print(
        f"one core, {len(texts)} items from {args.corpus.name}; model load {load_s * 1000:.0f} ms; "
        f"baseline trained in {base_train_s:.1f} s"
    )
    print(f"{'':22}{'lifeline triage':>18}{'jieba+TF-IDF+NB':>18}{'ratio ours/base':>18}")
    for key in ("p50_ms", "p99_ms", "items_per_s"):
        print(f"{key:22}{r_ours[key]:18.3f}{r_base[key]:18.3f}{r_ours[key] / r_base[key]:18.2f}")

    if args.gold:
        gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        results = [(ours(g["text"], g.get("channel", "voice")), g) for g in gold]
        final_acc = sum(r.category == g["category"] for r, g in results) / len(gold)
        model_acc = sum(r.model_category == g["category"] for r, g in results) / len(gold)
        base_acc = sum(base(g["text"], "voice") == g["category"] for g in gold) / len(gold)
        print(f"category accuracy on {args.gold.name} (the triage answer moves doubtful calls to police on purpose):")
        print(f"{'  model alone':22}{model_acc:18.3f}{base_acc:18.3f}{model_acc / base_acc:18.2f}")
        print(f"{'  after safety rules':22}{final_acc:18.3f}{base_acc:18.3f}{final_acc / base_acc:18.2f}")

    # The whole process, as other tools run it: 500 items through `lifeline triage --jsonl`.
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for n, (text, channel) in enumerate((texts * 2)[:500]):
            f.write(json.dumps({"id": n, "text": text, "channel": channel}, ensure_ascii=False) + "\n")
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lifeline.cli", "triage", "--jsonl", f.name], check=True, stdout=subprocess.DEVNULL
    )
    print(f"`lifeline triage --jsonl` on 500 items, whole process: {time.perf_counter() - t0:.2f} s")
    os.unlink(f.name)


if __name__ == "__main__":
    main()
