"""Train the triage model from the project's own corpus (needs the `train` extra: scikit-learn).

Deterministic: the same corpus gives the same weights, recorded as a hash in the artifact. The
bar for doubt is measured out of fold on the training corpus itself, never on a test set.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import replace

import numpy as np

from lifeline import taxonomy as _taxonomy
from lifeline.taxonomy import POLICE_SIDE
from lifeline.triage import context, corpus
from lifeline.triage.cues import Cue, find_cues
from lifeline.triage.decide import decide, police_probability
from lifeline.triage.evaluate import Pair, metrics
from lifeline.triage.model import Model, model_input
from lifeline.triage.normalize import normalize

NGRAM = (1, 3)
# Weak regularisation: out of fold by writer (7,477 calls), the doubt cost below was 1015 at C=50, 998 at 150 and
# 970 at 400, and the police-or-not AUC rose with it (0.9914, 0.9920, 0.9923).
C = 400.0
MIN_DF = 2
# How the gate and the category head answer "police or not" together (decide.police_probability).
POLICE = "mean"
# The doubt bar minimises, out of fold, UNSAFE_COST x unsafe diversions + non-police calls kept
# with police: one call that needed police and was diverted weighs as much as ten wasted dispatches.
UNSAFE_COST = 10
DOUBT_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.55, 0.01))
# The priority-1 bar minimises, out of fold, MISSED_P1_COST x priority-1 calls answered lower +
# calls raised to priority 1 that were not: a late response to a life at risk costs more.
MISSED_P1_COST = 3
URGENT_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.95, 0.05))
# The context model: regularised harder than the heads (few samples per cue family); its bars are chosen out of
# fold, and never so that more calls needing police are diverted than by the rules alone.
CONTEXT_C = 1.0
CONTEXT_GRID = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
RAISE_GRID = (0.6, 0.7, 0.8, 0.9, 1.01)


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


def to_model(vectorizer, classifier, gate, urgent, reader: context.ContextModel, meta: dict) -> Model:
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
        context=reader,
        meta=meta,
    )


def _targets(items: list[corpus.Item]) -> tuple[list[str], list[str], list[bool], list[bool]]:
    """Model inputs, categories, police-or-joint, priority 1."""
    police = [i.disposition in POLICE_SIDE for i in items]
    return _inputs(items), [i.category for i in items], police, [i.priority == 1 for i in items]


def _positive(head, x) -> np.ndarray:
    return head.predict_proba(x)[:, list(head.classes_).index(True)]


def read_cues(items: list[corpus.Item]) -> list[tuple[str, list[Cue]]]:
    """Each item's normalised text and the cues the rules find in it."""
    cleaned = [normalize(i.text)[0] for i in items]
    return [(clean, find_cues(clean)) for clean in cleaned]


def fit_context(items: list[corpus.Item], read: list[tuple[str, list[Cue]]]) -> context.ContextModel:
    """The context model from every cue whose reading the item's label tells."""
    samples, labels = [], []
    for item, (clean, cues) in zip(items, read, strict=True):
        for cue in cues:
            label = context.literal_label(cue, item.category, item.disposition, item.destinations)
            if label is not None:
                samples.append(context.features(clean, cue))
                labels.append(label)
    return context.fit(samples, labels, c=CONTEXT_C)


def writer(item_id: str) -> str:
    """Who wrote an item, from its id: a part's letters (HW-0001, ZD-0001), "desk" for the desk's own decisions."""
    return re.match(r"[A-Za-z]*", item_id).group(0) or item_id


def out_of_fold(items: list[corpus.Item], read: list[tuple[str, list[Cue]]], folds: int = 5):
    """Category, gate and priority-1 probabilities for each item, and its cues read in context, from models that
    never saw it nor anything else its writer wrote: the bars are then chosen for calls said by new people, as
    they will be at the desk, not for a writer's own phrasing, which a model learns by heart."""
    from sklearn.model_selection import StratifiedGroupKFold

    targets = _targets(items)
    texts, labels = targets[0], targets[1]
    groups = [writer(i.id) for i in items]
    if len(set(groups)) < folds:  # too few writers to hold out: each item on its own
        groups = list(range(len(items)))
    classes = sorted(set(labels))
    probs = np.zeros((len(items), len(classes)))
    gates, urgents = np.zeros(len(items)), np.zeros(len(items))
    cues: list[list[Cue]] = [[] for _ in items]
    splits = StratifiedGroupKFold(folds, shuffle=True, random_state=0).split(texts, labels, groups)
    for train_idx, test_idx in splits:
        vec, clf, gate, urgent = fit(*([seq[i] for i in train_idx] for seq in targets))
        x = vec.transform([texts[i] for i in test_idx])
        cols = [classes.index(c) for c in clf.classes_]
        probs[np.ix_(test_idx, cols)] = clf.predict_proba(x)
        gates[test_idx], urgents[test_idx] = _positive(gate, x), _positive(urgent, x)
        reader = fit_context([items[i] for i in train_idx], [read[i] for i in train_idx])
        for i in test_idx:
            clean, found = read[i]
            cues[i] = [replace(c, literal=reader.literal(clean, c)) for c in found]
    return probs, gates, urgents, classes, cues


def _safety(items, answers) -> tuple[int, int]:
    """(calls that needed police and were not kept with police, non-police calls kept with police)."""
    unsafe = kept = 0
    for item, answer in zip(items, answers, strict=True):
        police_gold, police_answer = item.disposition in POLICE_SIDE, answer in POLICE_SIDE
        unsafe += police_gold and not police_answer
        kept += police_answer and not police_gold
    return unsafe, kept


def choose_context(items, read, probs, police, cues, classes, taxonomy, doubt) -> tuple[tuple[float, float], dict]:
    """The context bars (lower below, raise at or above) with the lowest out-of-fold cost among those that divert
    no more calls that needed police than the rules alone; returns them and {bars: (unsafe, kept)}."""
    table = {}
    for bars in [(0.0, 1.01), *((lo, hi) for lo in CONTEXT_GRID for hi in RAISE_GRID)]:
        answers = (
            decide(clean, p, classes, c, taxonomy, police_probability=g, doubt=doubt, context_bar=bars[0],
                   raise_bar=bars[1]).disposition
            for (clean, _), p, g, c in zip(read, probs, police, cues, strict=True)
        )  # fmt: skip
        table[bars] = _safety(items, answers)
    rules_unsafe = table[(0.0, 1.01)][0]
    allowed = [bars for bars, (unsafe, _) in table.items() if unsafe <= rules_unsafe]
    best = min(allowed, key=lambda b: (UNSAFE_COST * table[b][0] + table[b][1], b[0], -b[1]))
    return best, table


def choose_doubt(items, read, probs, police, classes, taxonomy) -> tuple[float, dict]:
    """The doubt bar with the lowest out-of-fold cost; returns it and {bar: (unsafe, kept)}."""
    table = {}
    for bar in DOUBT_GRID:
        answers = (
            decide(clean, p, classes, cues, taxonomy, police_probability=g, doubt=bar).disposition
            for (clean, cues), p, g in zip(read, probs, police, strict=True)
        )
        table[bar] = _safety(items, answers)
    best = min(DOUBT_GRID, key=lambda bar: (UNSAFE_COST * table[bar][0] + table[bar][1], bar))
    return best, table


def choose_urgent(items, read, probs, police, urgents, classes, taxonomy, doubt) -> tuple[float, dict]:
    """The priority-1 bar with the lowest out-of-fold cost; returns it and {bar: (missed, raised)}."""
    prepared = [
        (item.priority == 1, clean, cues, p, g, u)
        for item, (clean, cues), p, g, u in zip(items, read, probs, police, urgents, strict=True)
    ]
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


def corpus_digest(items: list[corpus.Item]) -> str:
    """What a model learnt from, as a hash: the same labelled items in the same order give the same digest."""
    lines = (json.dumps(dataclasses.astuple(i), ensure_ascii=False) for i in items)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def train(items: list[corpus.Item], *, progress=print) -> Model:
    """A model from labelled items, its bars measured out of fold on them. Not saved: the gate decides that."""
    taxonomy = _taxonomy.default()
    digest = corpus_digest(items)
    progress(f"语料 corpus: {len(items)} items")
    progress("交叉验证 out-of-fold predictions (5 folds)…")
    read = read_cues(items)
    probs, gates, urgents, classes, cues = out_of_fold(items, read)
    oof_acc = float(np.mean([classes[int(np.argmax(p))] == i.category for p, i in zip(probs, items, strict=True)]))
    police = [police_probability(p, classes, g, taxonomy, POLICE) for p, g in zip(probs, gates, strict=True)]
    doubt, table = choose_doubt(items, read, probs, police, classes, taxonomy)
    unsafe, kept = table[doubt]
    progress(
        f"out-of-fold category accuracy {oof_acc:.3f}; doubt bar {doubt}: "
        f"{unsafe} unsafe diversions, {kept} non-police calls kept with police, of {len(items)}"
    )
    (context_bar, raise_bar), context_table = choose_context(items, read, probs, police, cues, classes, taxonomy, doubt)
    c_unsafe, c_kept = context_table[(context_bar, raise_bar)]
    progress(
        f"context bars: lower below {context_bar}, raise at {raise_bar}: "
        f"{c_unsafe} unsafe diversions, {c_kept} non-police calls kept with police"
    )
    urgent_bar, urgent_table = choose_urgent(items, read, probs, police, urgents, classes, taxonomy, doubt)
    missed, raised = urgent_table[urgent_bar]
    progress(f"priority-1 bar {urgent_bar}: {missed} priority-1 calls answered lower, {raised} raised to 1")
    progress("训练 fitting the final model…")
    heads = fit(*_targets(items))
    reader = fit_context(items, read)
    model = to_model(*heads, reader, {})
    weights = hashlib.sha256(
        b"".join(
            a.tobytes()
            for a in (model.coef, model.intercept, model.idf, model.gate_coef, model.urgent_coef, reader.coef)
        )
    ).hexdigest()
    meta = {
        "version": f"triage-{digest[:12]}",
        "corpus_sha256": digest,
        "corpus_items": len(items),
        "weights_sha256": weights,
        "police": POLICE,
        "doubt": doubt,
        "oof_unsafe_diversions": c_unsafe,
        "oof_kept_with_police": c_kept,
        "oof_category_accuracy": round(oof_acc, 4),
        "context_bar": context_bar,
        "raise_bar": raise_bar,
        "urgent_bar": urgent_bar,
        "oof_p1_missed": missed,
        "oof_p1_raised": raised,
        "c": C,
        "min_df": MIN_DF,
    }
    return to_model(*heads, reader, meta)


POOLED = "所有评估语料 all evaluation corpora"


def score(model: Model, gold: list[corpus.Item]) -> dict:
    """The evaluation figures of one model on one labelled file."""
    from lifeline.triage import triage

    pairs = []
    for item in gold:
        r = triage(item.text, item.channel, model=model)
        pairs.append(Pair(item.disposition, item.category, item.priority, r.disposition, r.category, r.priority))
    return metrics(pairs)


def gate(old: Model | None, new: Model, golds: dict[str, list[corpus.Item]]) -> tuple[bool, list[tuple]]:
    """May `new` replace `old`? Not if it diverts more calls that needed police on any evaluation corpus, nor if it
    diverts fewer of the divertible calls of all the corpora together. Safety is held corpus by corpus; diversion
    recall is held where it has the most calls, since one call more or less in a file of 90 is noise, not a trend.
    Returns the verdict and rows (corpus, figure, old, new, ok) for a person to read; ok is None where a figure is
    shown, not gated."""
    rows, ok = [], True
    pooled = [item for gold in golds.values() for item in gold]
    for name, gold in [*golds.items(), (POOLED, pooled)]:
        before = score(old, gold) if old is not None else None
        after = score(new, gold)
        for figure in ("unsafe_diversions", "diversion_recall", "category_macro_f1", "p1_recall"):
            was, now = (before[figure] if before else None), after[figure]
            fine = None
            if was is not None and now is not None:
                if figure == "unsafe_diversions" and name != POOLED:
                    fine = now <= was
                elif figure == "diversion_recall" and name == POOLED:
                    fine = now >= was
            ok = ok and fine is not False
            rows.append((name, figure, was, now, fine))
    return ok, rows
