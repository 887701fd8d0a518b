"""Repeat-call and nuisance scores (pure). A flagged caller is still triaged; the desk only sees why."""

from __future__ import annotations

from dataclasses import dataclass, field

REPEAT_CALLS_24H = 3
# Confirmed outcomes that count against a number, weighed by how deliberate they are.
NUISANCE_WEIGHTS = {"nuisance": 1.0, "private_request": 0.5, "misdial": 0.1}
NUISANCE_SATURATION = 10.0  # ten confirmed harassment calls in 30 days is a score of 1
FLAG_AT = 0.5


@dataclass
class CallerStats:
    calls_24h: int = 0
    calls_30d: int = 0
    confirmed_30d: dict[str, int] = field(default_factory=dict)  # confirmed category -> count


@dataclass
class CallerAssessment:
    repeat: bool
    nuisance_score: float
    flagged: bool
    reasons: list[str]


def assess(stats: CallerStats) -> CallerAssessment:
    reasons = []
    repeat = stats.calls_24h >= REPEAT_CALLS_24H
    if repeat:
        reasons.append(f"24 小时内来电 {stats.calls_24h} 次（重复来电）")
    weight = sum(NUISANCE_WEIGHTS.get(cat, 0.0) * n for cat, n in stats.confirmed_30d.items())
    score = round(min(1.0, weight / NUISANCE_SATURATION), 3)
    counted = {cat: n for cat, n in stats.confirmed_30d.items() if cat in NUISANCE_WEIGHTS and n}
    if counted:
        parts = "、".join(f"{_ZH[cat]} {n} 次" for cat, n in sorted(counted.items()))
        reasons.append(f"30 天内经确认的无效来电：{parts}")
    police = sum(n for cat, n in stats.confirmed_30d.items() if cat not in NUISANCE_WEIGHTS)
    if police:
        reasons.append(f"30 天内其他有效警情 {police} 起")
    flagged = score >= FLAG_AT
    if flagged:
        reasons.append("已标记为骚扰来电：仍须正常研判，不得直接挂断")
    return CallerAssessment(repeat, score, flagged, reasons)


_ZH = {"nuisance": "骚扰", "private_request": "非警务求助", "misdial": "误拨"}


def normalise_number(raw: str | None) -> str | None:
    """Digits only, without +86 / 0086, so that one caller is one key."""
    if raw is None:
        return None
    digits = "".join(ch for ch in raw if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
    return digits or None
