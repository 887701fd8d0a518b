"""The training corpus: size, coverage, format, and no leak from the measuring set."""

import json
from collections import Counter
from pathlib import Path

from lifeline import taxonomy
from lifeline.triage import corpus

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "triage"
DEV = ROOT.parent / "shared" / "triage" / "dev.jsonl"


def test_corpus_is_large_covers_every_category_and_is_valid():
    items = corpus.load(DATA / "train.jsonl", taxonomy.default())
    assert len(items) >= 2000
    counts = Counter(i.category for i in items)
    assert set(counts) == set(taxonomy.default().categories)
    assert min(counts.values()) >= 30
    assert len({i.id for i in items}) == len(items)


def test_at_least_a_thousand_items_are_hand_written():
    hand = [
        line
        for p in sorted((DATA / "handwritten").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(hand) >= 1000
    rows = [json.loads(line) for line in hand]
    assert sum(r["hard"] for r in rows) >= 300
    assert len({r["text"] for r in rows}) == len(rows)


def test_train_is_the_hand_written_parts_then_the_templated_volume():
    parts = [*sorted((DATA / "handwritten").glob("*.jsonl")), DATA / "templated.jsonl"]
    assert (DATA / "train.jsonl").read_text(encoding="utf-8") == "".join(p.read_text(encoding="utf-8") for p in parts)


def test_no_measuring_text_leaked_into_training():
    if not DEV.exists():
        return
    dev = {json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()}
    train = {i.text for i in corpus.load(DATA / "train.jsonl", taxonomy.default())}
    assert not dev & train
