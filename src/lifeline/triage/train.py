"""Train the triage model from the project's own corpus (needs the `train` extra: scikit-learn).

Deterministic: the same corpus gives the same weights, recorded as a hash in the artifact. The
bar for doubt is measured out of fold on the training corpus itself, never on a test set.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from lifeline import taxonomy as _taxonomy
from lifeline.triage import corpus
from lifeline.triage.cues import find_cues
from lifeline.triage.decide import decide
from lifeline.triage.model import Model, model_input, save
from lifeline.triage.normalize import normalize

NGRAM = (1, 3)
C = 20.0
MIN_DF = 2
# The doubt bar is the largest that keeps out-of-fold unsafe diversions at or under this rate.
UNSAFE_TARGET = 0.005
DOUBT_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.55, 0.01))


def _inputs(items: list[corpus.Item]) -> list[str]:
    return [model_input(normalize(i.text)[0], i.channel) for i in items]


def fit(texts: list[str], labels: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=NGRAM, sublinear_tf=True, min_df=MIN_DF, lowercase=False, dtype=np.float32
    )
    x = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=C, max_iter=3000, tol=1e-6)
    classifier.fit(x, labels)
    return vectorizer, classifier


def to_model(vectorizer, classifier, meta: dict) -> Model:
    vocab = {g: int(i) for g, i in vectorizer.vocabulary_.items()}
    return Model(
        classes=tuple(str(c) for c in classifier.classes_),
        vocabulary=vocab,
        idf=vectorizer.idf_.astype(np.float32),
        coef=np.ascontiguousarray(classifier.coef_.T.astype(np.float32)),
        intercept=classifier.intercept_.astype(np.float32),
        ngram=NGRAM,
        meta=meta,
    )


def out_of_fold(items: list[corpus.Item], folds: int = 5) -> tuple[np.ndarray, list[str]]:
    from sklearn.model_selection import StratifiedKFold

    texts, labels = _inputs(items), [i.category for i in items]
    classes = sorted(set(labels))
    probs = np.zeros((len(items), len(classes)))
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
        vec, clf = fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        p = clf.predict_proba(vec.transform([texts[i] for i in test_idx]))
        cols = [classes.index(c) for c in clf.classes_]
        probs[np.ix_(test_idx, cols)] = p
    return probs, classes


def choose_doubt(items: list[corpus.Item], probs: np.ndarray, classes: list[str], taxonomy) -> tuple[float, dict]:
    """The largest doubt bar whose out-of-fold unsafe-diversion rate stays within the target."""
    prepared = []
    for item, p in zip(items, probs, strict=True):
        clean = normalize(item.text)[0]
        prepared.append((item, clean, find_cues(clean), p))
    gold_police = [x for x in prepared if x[0].disposition in ("police", "joint")] or prepared
    best, table = DOUBT_GRID[0], {}
    for bar in DOUBT_GRID:
        unsafe = sum(
            decide(clean, p, classes, cues, taxonomy, doubt=bar).disposition in ("divert", "invalid")
            for item, clean, cues, p in gold_police
        )
        rate = unsafe / len(gold_police)
        table[bar] = rate
        if rate <= UNSAFE_TARGET:
            best = bar
    return best, table


def train(corpus_path: Path, out: Path, *, progress=print) -> Model:
    taxonomy = _taxonomy.default()
    items = corpus.load(corpus_path, taxonomy)
    digest = hashlib.sha256(corpus_path.read_bytes()).hexdigest()
    progress(f"语料 corpus: {len(items)} items from {corpus_path}")
    progress("交叉验证 out-of-fold predictions (5 folds)…")
    probs, classes = out_of_fold(items)
    oof_acc = float(np.mean([classes[int(np.argmax(p))] == i.category for p, i in zip(probs, items, strict=True)]))
    doubt, table = choose_doubt(items, probs, classes, taxonomy)
    progress(f"out-of-fold category accuracy {oof_acc:.3f}; doubt bar {doubt} (unsafe {table[doubt]:.4f})")
    progress("训练 fitting the final model…")
    vec, clf = fit(_inputs(items), [i.category for i in items])
    model = to_model(vec, clf, {})
    weights = hashlib.sha256(model.coef.tobytes() + model.intercept.tobytes() + model.idf.tobytes()).hexdigest()
    meta = {
        "version": f"triage-{digest[:12]}",
        "corpus_sha256": digest,
        "corpus_items": len(items),
        "weights_sha256": weights,
        "doubt": doubt,
        "oof_category_accuracy": round(oof_acc, 4),
        "c": C,
        "min_df": MIN_DF,
    }
    model = to_model(vec, clf, meta)
    save(out, model)
    progress(f"模型已保存 saved {out} ({out.stat().st_size / 1e6:.1f} MB, {len(model.vocabulary)} features)")
    return model
