"""Triage on calls written by people it never learnt from: the independent evaluation corpus in tests/triage/eval/.

Its writers never saw the training corpus or the development set; nothing is trained on it or tuned to it. The
table printed (pytest -s) sets its figures beside the training corpus's own, so the gap shows how much is learnt
phrasing rather than understanding.
"""

from collections import Counter
from pathlib import Path

import pytest

from lifeline import taxonomy
from lifeline.triage import corpus
from lifeline.triage.model import default_model
from lifeline.triage.train import score

ROOT = Path(__file__).resolve().parents[2]
EVAL = sorted((ROOT / "tests" / "triage" / "eval").glob("*.jsonl"))
TRAIN = ROOT / "data" / "triage" / "train.jsonl"
DEV = ROOT.parent / "shared" / "triage" / "dev.jsonl"  # beside the clone on a developer's machine, not in CI
# The bar the evaluation corpus must clear (issue 15's "done when").
BAR = {"unsafe_diversions": 0, "diversion_recall": 0.90, "category_macro_f1": 0.90, "p1_recall": 0.98}
# Two texts this alike (cosine of their character 3-gram counts) are one call written twice: a 114 misdial
# written by two people independently came out at 0.76.
NEAR_DUPLICATE = 0.6


def _load(path: Path) -> list[corpus.Item]:
    return corpus.load(path, taxonomy.default())


@pytest.fixture(scope="module")
def evaluation() -> list[corpus.Item]:
    items = [item for path in EVAL for item in _load(path)]
    assert len(items) >= 300, "the independent evaluation corpus has at least 300 calls"
    return items


def _clears(m: dict, bar: dict) -> bool:
    return (
        m["unsafe_diversions"] <= bar["unsafe_diversions"]
        and m["diversion_recall"] >= bar["diversion_recall"]
        and m["category_macro_f1"] >= bar["category_macro_f1"]
        and m["p1_recall"] >= bar["p1_recall"]
    )


@pytest.fixture(scope="module")
def figures(evaluation) -> dict[str, dict]:
    model = default_model()
    figures = {"evaluation (tests/triage/eval)": score(model, evaluation)}
    if DEV.exists():
        figures["development (../shared/triage/dev.jsonl)"] = score(model, _load(DEV))
    seen = score(model, _load(TRAIN))
    print(f"\nmodel {model.meta['version']}")
    print(f"{'corpus':44}{'items':>7}{'unsafe':>8}{'div.rec':>9}{'macroF1':>9}{'P1 rec':>8}")
    for name, m in {**figures, "training corpus (seen)": seen}.items():
        print(
            f"{name:44}{m['items']:7}{m['unsafe_diversions']:8}{m['diversion_recall']:9.3f}"
            f"{m['category_macro_f1']:9.3f}{m['p1_recall']:8.3f}"
        )
    for name, m in figures.items():
        gaps = (f"{figure} {seen[figure] - m[figure]:+.3f}" for figure in ("diversion_recall", "category_macro_f1"))
        print(f"gap, training − {name.split(' ')[0]}: {', '.join(gaps)}")
    return figures


def test_the_evaluation_corpus_clears_the_bar(figures):
    assert _clears(figures["evaluation (tests/triage/eval)"], BAR), figures["evaluation (tests/triage/eval)"]


def _grams(text: str) -> Counter:
    return Counter(text[i : i + 3] for i in range(len(text) - 2))


def _most_alike(items: list[corpus.Item], others: list[corpus.Item]) -> tuple[float, str, str]:
    """The highest cosine between an item and any of the others, with the two ids."""
    vectors = [(o.id, g, sum(v * v for v in g.values()) ** 0.5) for o in others if (g := _grams(o.text))]
    index: dict[str, list[int]] = {}
    for n, (_, g, _) in enumerate(vectors):
        for gram in g:
            index.setdefault(gram, []).append(n)
    best = (0.0, "", "")
    for item in items:
        mine = _grams(item.text)
        norm = sum(v * v for v in mine.values()) ** 0.5
        dots: Counter = Counter()
        for gram, count in mine.items():
            for n in index.get(gram, ()):
                dots[n] += count * vectors[n][1][gram]
        for n, dot in dots.items():
            cosine = dot / (norm * vectors[n][2])
            if cosine > best[0]:
                best = (cosine, item.id, vectors[n][0])
    return best


def test_no_evaluation_call_is_a_near_copy_of_a_training_or_development_call(evaluation):
    training = _load(TRAIN)
    pairs = {"training": _most_alike(evaluation, training)}
    if DEV.exists():
        dev = _load(DEV)
        pairs["development"] = _most_alike(evaluation, dev)
        pairs["training vs development"] = _most_alike(training, dev)
    for name, (cosine, a, b) in pairs.items():
        name = name if " vs " in name else f"evaluation vs {name}"
        print(f"\nhighest character 3-gram cosine, {name}: {cosine:.3f} ({a} ~ {b})")
        assert cosine < NEAR_DUPLICATE, f"{a} and {b} are near-duplicates ({cosine:.3f})"
