"""Is this mention of danger literal, present and about the caller's situation? A learnt reading of each cue.

The rules in cues.py find a cue and read the plain forms of negation, tense, hearsay and fiction. What they cannot
list — a price that is 抢钱, a drill that sounds 像开枪, 押金 that a landlord 扣押, a car that 出不来 — a small
logistic model reads from the words around the cue. It is trained on every cue found in the training corpus: a
cue in a call that was diverted or closed is not a present danger; a cue in a police or joint call of the
cue's own kind is. Pure at run time: a dictionary and a vector.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from lifeline.triage.cues import FAMILIES, Cue, sentence_bounds

LEFT, RIGHT = 10, 8  # characters of context read on each side of the cue, within its sentence
# The unit a family links in, when the gold label names it: an injury is literal when 120 was called.
_LINKED = {"injury": "120", "unresponsive": "120", "fire": "119", "gas": "gas"}


def _grams(text: str, mark: str, sizes: Iterable[int]) -> list[str]:
    return [mark + text[i : i + n] for n in sizes for i in range(len(text) - n + 1)]


def features(text: str, cue: Cue) -> list[str]:
    """The words around one cue, marked by side, with the cue, its family and the rules' reading."""
    s_left, s_right = sentence_bounds(text, cue.start, cue.end)
    left = text[max(s_left, cue.start - LEFT) : cue.start]
    right = text[cue.end : min(s_right, cue.end + RIGHT)]
    family = cue.family
    feats = [f"f:{family}", f"c:{cue.text}", f"l:{left[-2:]}", f"r:{right[:2]}"]
    feats += _grams(left, "L", (1, 2)) + _grams(right, "R", (1, 2))
    # Farther words of the sentence (游戏, 押金, 价格…) decide as often as the near ones.
    feats += _grams(text[s_left:s_right], "S", (1, 2))
    flags = [name for name in ("negated", "past", "hearsay", "fiction", "weak") if getattr(cue, name)]
    feats += [f"{family}|{flag}" for flag in flags] + flags
    return list(dict.fromkeys(feats))  # presence, not counts


def literal_label(cue: Cue, category: str, disposition: str, destinations: Sequence[str]) -> bool | None:
    """What a labelled call says of one of its cues: True literal, False not, None when the label cannot tell."""
    if disposition in ("divert", "invalid"):
        return False
    linked = _LINKED.get(cue.family)
    if linked is not None:
        return linked in destinations or category in FAMILIES[cue.family][1]
    return True if category in FAMILIES[cue.family][1] else None


@dataclass(frozen=True)
class ContextModel:
    vocabulary: dict[str, int]
    coef: np.ndarray  # (V,)
    intercept: float

    def literal(self, text: str, cue: Cue) -> float:
        """The probability that this cue means a present danger to a person in this call."""
        vocab, coef = self.vocabulary, self.coef
        score = self.intercept + sum(
            float(coef[j]) for j in (vocab.get(f) for f in features(text, cue)) if j is not None
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def design(samples: Sequence[list[str]], vocabulary: dict[str, int]):
    """Feature presence as a sparse matrix, the way the model reads it."""
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for r, feats in enumerate(samples):
        for j in {vocabulary[f] for f in feats if f in vocabulary}:
            rows.append(r)
            cols.append(j)
    values = np.ones(len(rows), dtype=np.float32)
    return csr_matrix((values, (rows, cols)), shape=(len(samples), len(vocabulary)))


def fit(samples: Sequence[list[str]], labels: Sequence[bool], c: float = 1.0, min_count: int = 2) -> ContextModel:
    """Binary logistic regression over feature presence (scikit-learn, at training time only)."""
    from collections import Counter

    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # one reading only: a constant model that keeps the rules' answer
        return ContextModel(vocabulary={}, coef=np.zeros(0, dtype=np.float32), intercept=10.0 if labels[0] else -10.0)
    counts = Counter(f for feats in samples for f in set(feats))
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_count))}
    # Balanced: the corpus holds far more literal cues than figures of speech, and a reading that leans to
    # "literal" by default would never be confident enough to lower one.
    head = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, tol=1e-6)
    head.fit(design(samples, vocabulary), list(labels))
    sign = 1.0 if bool(head.classes_[1]) else -1.0
    return ContextModel(
        vocabulary=vocabulary,
        coef=(sign * head.coef_[0]).astype(np.float32),
        intercept=float(sign * head.intercept_[0]),
    )
