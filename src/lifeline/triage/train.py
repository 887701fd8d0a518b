"""Train the triage model from the project's own corpus (needs the `train` extra: scikit-learn).

Deterministic: the same corpus gives the same weights, recorded as a hash in the artifact. The
bar for doubt is measured out of fold on the training corpus itself, never on a test set.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from lifeline import taxonomy as _taxonomy
from lifeline.taxonomy import POLICE_SIDE
from lifeline.triage import corpus
from lifeline.triage.cues import find_cues
from lifeline.triage.decide import decide
from lifeline.triage.model import Model, model_input, save
from lifeline.triage.normalize import normalize

NGRAM = (1, 3)
C = 50.0
MIN_DF = 2
# The doubt bar minimises, out of fold, UNSAFE_COST x unsafe diversions + non-police calls kept
# with police: one call that needed police and was diverted weighs as much as ten wasted dispatches.
UNSAFE_COST = 10
DOUBT_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.55, 0.01))
# The priority-1 bar minimises, out of fold, MISSED_P1_COST x priority-1 calls answered lower +
# calls raised to priority 1 that were not: a late response to a life at risk costs more.
MISSED_P1_COST = 3
URGENT_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.95, 0.05))


def _inputs(items: list[corpus.Item]) -> list[str]:
    return [model_input(normalize(i.text)[0], i.channel) for i in items]


def fit(texts: list[str], labels: list[str], police: list[bool], urgent: list[bool]):
    """Vectorizer, category head, police/joint gate and priority-1 head, all on the same features."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=NGRAM, sublinear_tf=True, min_df=MIN_DF, lowercase=False, dtype=np.float32
    )
    x = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=C, max_iter=3000, tol=1e-6).fit(x, labels)
    gate = LogisticRegression(C=C, max_iter=3000, tol=1e-6).fit(x, police)
    urgent_head = LogisticRegression(C=C, max_iter=3000, tol=1e-6).fit(x, urgent)
    return vectorizer, classifier, gate, urgent_head


def to_model(vectorizer, classifier, gate, urgent, meta: dict) -> Model:
    vocab = {g: int(i) for g, i in vectorizer.vocabulary_.items()}
    return Model(
        classes=tuple(str(c) for c in classifier.classes_),
        vocabulary=vocab,
        idf=vectorizer.idf_.astype(np.float32),
        coef=np.ascontiguousarray(classifier.coef_.T.astype(np.float32)),
        intercept=classifier.intercept_.astype(np.float32),
        gate_coef=gate.coef_[0].astype(np.float32),
        gate_intercept=float(gate.intercept_[0]),
        urgent_coef=urgent.coef_[0].astype(np.float32),
        urgent_intercept=float(urgent.intercept_[0]),
        ngram=NGRAM,
        meta=meta,
    )


def _targets(items: list[corpus.Item]) -> tuple[list[str], list[str], list[bool], list[bool]]:
    """Model inputs, categories, police-or-joint, priority 1."""
    police = [i.disposition in POLICE_SIDE for i in items]
    return _inputs(items), [i.category for i in items], police, [i.priority == 1 for i in items]


def _positive(head, x) -> np.ndarray:
    return head.predict_proba(x)[:, list(head.classes_).index(True)]


def out_of_fold(items: list[corpus.Item], folds: int = 5):
    """Category, gate and priority-1 probabilities for each item, from models that never saw it."""
    from sklearn.model_selection import StratifiedKFold

    targets = _targets(items)
    texts, labels = targets[0], targets[1]
    classes = sorted(set(labels))
    probs = np.zeros((len(items), len(classes)))
    gates, urgents = np.zeros(len(items)), np.zeros(len(items))
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
        vec, clf, gate, urgent = fit(*([seq[i] for i in train_idx] for seq in targets))
        x = vec.transform([texts[i] for i in test_idx])
        cols = [classes.index(c) for c in clf.classes_]
        probs[np.ix_(test_idx, cols)] = clf.predict_proba(x)
        gates[test_idx], urgents[test_idx] = _positive(gate, x), _positive(urgent, x)
    return probs, gates, urgents, classes


def choose_doubt(items, probs, gates, classes, taxonomy) -> tuple[float, dict]:
    """The doubt bar with the lowest out-of-fold cost; returns it and {bar: (unsafe, kept)}."""
    prepared = []
    for item, p, g in zip(items, probs, gates, strict=True):
        clean = normalize(item.text)[0]
        prepared.append((item, clean, find_cues(clean), p, g))
    table = {}
    for bar in DOUBT_GRID:
        unsafe = kept = 0
        for item, clean, cues, p, g in prepared:
            answer = decide(clean, p, classes, cues, taxonomy, police_probability=g, doubt=bar).disposition
            police_gold, police_answer = item.disposition in POLICE_SIDE, answer in POLICE_SIDE
            unsafe += police_gold and not police_answer
            kept += police_answer and not police_gold
        table[bar] = (unsafe, kept)
    best = min(DOUBT_GRID, key=lambda bar: (UNSAFE_COST * table[bar][0] + table[bar][1], bar))
    return best, table


def choose_urgent(items, probs, gates, urgents, classes, taxonomy, doubt) -> tuple[float, dict]:
    """The priority-1 bar with the lowest out-of-fold cost; returns it and {bar: (missed, raised)}."""
    prepared = []
    for item, p, g, u in zip(items, probs, gates, urgents, strict=True):
        clean = normalize(item.text)[0]
        prepared.append((item.priority == 1, clean, find_cues(clean), p, g, u))
    table = {}
    for bar in URGENT_GRID:
        missed = raised = 0
        for gold_p1, clean, cues, p, g, u in prepared:
            answer = decide(
                clean, p, classes, cues, taxonomy, police_probability=g, doubt=doubt, urgent_probability=u,
                urgent_bar=bar,
            ).priority  # fmt: skip
            missed += gold_p1 and answer != 1
            raised += answer == 1 and not gold_p1
        table[bar] = (missed, raised)
    best = min(URGENT_GRID, key=lambda bar: (MISSED_P1_COST * table[bar][0] + table[bar][1], bar))
    return best, table


def train(corpus_path: Path, out: Path, *, progress=print) -> Model:
    taxonomy = _taxonomy.default()
    items = corpus.load(corpus_path, taxonomy)
    digest = hashlib.sha256(corpus_path.read_bytes()).hexdigest()
    progress(f"语料 corpus: {len(items)} items from {corpus_path}")
    progress("交叉验证 out-of-fold predictions (5 folds)…")
    probs, gates, urgents, classes = out_of_fold(items)
    oof_acc = float(np.mean([classes[int(np.argmax(p))] == i.category for p, i in zip(probs, items, strict=True)]))
    doubt, table = choose_doubt(items, probs, gates, classes, taxonomy)
    unsafe, kept = table[doubt]
    progress(
        f"out-of-fold category accuracy {oof_acc:.3f}; doubt bar {doubt}: "
        f"{unsafe} unsafe diversions, {kept} non-police calls kept with police, of {len(items)}"
    )
    urgent_bar, urgent_table = choose_urgent(items, probs, gates, urgents, classes, taxonomy, doubt)
    missed, raised = urgent_table[urgent_bar]
    progress(f"priority-1 bar {urgent_bar}: {missed} priority-1 calls answered lower, {raised} raised to 1")
    progress("训练 fitting the final model…")
    heads = fit(*_targets(items))
    model = to_model(*heads, {})
    weights = hashlib.sha256(
        b"".join(a.tobytes() for a in (model.coef, model.intercept, model.idf, model.gate_coef, model.urgent_coef))
    ).hexdigest()
    meta = {
        "version": f"triage-{digest[:12]}",
        "corpus_sha256": digest,
        "corpus_items": len(items),
        "weights_sha256": weights,
        "doubt": doubt,
        "oof_unsafe_diversions": unsafe,
        "oof_kept_with_police": kept,
        "oof_category_accuracy": round(oof_acc, 4),
        "urgent_bar": urgent_bar,
        "oof_p1_missed": missed,
        "oof_p1_raised": raised,
        "c": C,
        "min_df": MIN_DF,
    }
    model = to_model(*heads, meta)
    save(out, model)
    progress(f"模型已保存 saved {out} ({out.stat().st_size / 1e6:.1f} MB, {len(model.vocabulary)} features)")
    return model
