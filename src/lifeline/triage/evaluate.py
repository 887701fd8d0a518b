"""Evaluation arithmetic for triage against a gold file. Pure: lists in, numbers out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lifeline.taxonomy import DISPOSITIONS, POLICE_SIDE


@dataclass(frozen=True)
class Pair:
    """One gold item and the prediction for it."""

    disposition: str
    category: str
    priority: int
    pred_disposition: str
    pred_category: str
    pred_priority: int


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def f1_scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """Per-label F1 over every label seen in gold or prediction (as scikit-learn does)."""
    scores = {}
    for label in sorted(set(gold) | set(pred)):
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        scores[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def metrics(pairs: Sequence[Pair]) -> dict:
    police_gold = [p for p in pairs if p.disposition in POLICE_SIDE]
    unsafe = [p for p in police_gold if p.pred_disposition not in POLICE_SIDE]
    divert = [p for p in pairs if p.disposition == "divert"]
    invalid = [p for p in pairs if p.disposition == "invalid"]
    p1 = [p for p in pairs if p.priority == 1]
    f1 = f1_scores([p.category for p in pairs], [p.pred_category for p in pairs])
    return {
        "items": len(pairs),
        "unsafe_diversion_rate": _ratio(len(unsafe), len(police_gold)),
        "unsafe_diversions": len(unsafe),
        "diversion_recall": _ratio(sum(p.pred_disposition == "divert" for p in divert), len(divert)),
        "invalid_recall": _ratio(sum(p.pred_disposition == "invalid" for p in invalid), len(invalid)),
        "disposition_accuracy": _ratio(sum(p.pred_disposition == p.disposition for p in pairs), len(pairs)),
        "category_accuracy": _ratio(sum(p.pred_category == p.category for p in pairs), len(pairs)),
        "category_macro_f1": sum(f1.values()) / len(f1) if f1 else None,
        "p1_recall": _ratio(sum(p.pred_priority == 1 for p in p1), len(p1)),
        "confusion": confusion(pairs),
        "category_f1": f1,
    }


def confusion(pairs: Sequence[Pair]) -> dict[str, dict[str, int]]:
    """Gold disposition (rows) by predicted disposition (columns)."""
    counts = Counter((p.disposition, p.pred_disposition) for p in pairs)
    return {g: {p: counts[(g, p)] for p in DISPOSITIONS} for g in DISPOSITIONS}
