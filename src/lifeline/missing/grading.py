"""Missing-person decisions that need no database: the risk grade suggested from the words and the person, how often
a case is reviewed, how far its alert reaches, and when its day-3 and day-7 reports are due.

The grade follows common police practice (very low / low / medium / high): a young child, a person with dementia or
a mental illness, a risk of suicide, a medical need or bad weather raise it. The software suggests; a person sets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.vocabulary import RiskGrade

CHILD_UNDER = 12  # a child this young is always high risk
MINOR_UNDER = 18
ELDERLY_FROM = 70

# How often an open case is reviewed at each grade (high: every 2 hours …).
REVIEW_EVERY: dict[RiskGrade, timedelta] = {
    RiskGrade.HIGH: timedelta(hours=2),
    RiskGrade.MEDIUM: timedelta(hours=6),
    RiskGrade.LOW: timedelta(hours=24),
    RiskGrade.VERY_LOW: timedelta(hours=72),
}

# The regional alert widens as the hours pass (100 → 200 → 300 → 500 km); a high-risk case widens four times faster.
ALERT_STEPS_HOURS = (0, 24, 72, 168)
ALERT_KM = (100, 200, 300, 500)
HIGH_RISK_PACE = 4

REPORT_DAYS = (3, 7)  # the search centre's written reports (第 3 天、第 7 天)


# Words that say what puts the person at risk, each family with the reason shown beside the grade.
# (zh reason, en reason, grade it implies, words)
CONDITIONS: tuple[tuple[str, str, RiskGrade, tuple[str, ...]], ...] = (
    ("有轻生风险", "risk of suicide", RiskGrade.HIGH,
     ("轻生", "自杀", "不想活", "寻短见", "跳河", "跳楼", "遗书", "想不开", "割腕", "安眠药")),
    ("认知障碍（老年痴呆/失智）", "dementia", RiskGrade.HIGH,
     ("痴呆", "失智", "阿尔茨海默", "糊涂", "记不清", "认不得路", "不认识路", "记性不好")),
    ("精神障碍或智力障碍", "mental illness or learning disability", RiskGrade.HIGH,
     ("精神病", "精神分裂", "精神障碍", "精神不正常", "抑郁", "躁郁", "双相", "智力障碍", "智障", "自闭")),
    ("需要药物或有严重疾病", "needs medicine or is seriously ill", RiskGrade.HIGH,
     ("胰岛素", "糖尿病", "心脏病", "癫痫", "哮喘", "要吃药", "需要服药", "没带药", "透析", "高血压")),
    ("恶劣天气或危险环境", "bad weather or a dangerous place", RiskGrade.MEDIUM,
     ("暴雨", "台风", "大雪", "下雪", "寒潮", "降温", "高温", "河边", "水库", "山里", "夜里", "深夜")),
    ("可能被拐骗或被人带走", "may have been taken", RiskGrade.HIGH,
     ("被人带走", "陌生人带", "拐走", "拐卖", "抱走", "被骗走")),
)  # fmt: skip
CHILD_WORDS = ("小孩", "孩子", "儿子", "女儿", "宝宝", "男孩", "女孩", "小朋友", "幼儿园", "小学生")
ELDERLY_WORDS = ("老人", "老太", "老爷子", "老父亲", "老母亲", "奶奶", "爷爷", "外婆", "外公", "姥姥", "姥爷")

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AGE = re.compile(r"([0-9０-９]{1,3}|[一二两三四五六七八九十]{1,3})(?:多)?(?:周)?岁")


def _number(raw: str) -> int | None:
    """12, １２, 十二, 八十, 七十三 → an int."""
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if raw.isdigit():
        return int(raw)
    if "十" in raw:
        tens, _, ones = raw.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return _DIGITS.get(raw) if len(raw) == 1 else None


def age_in(words: str) -> int | None:
    """The first age a caller says (五岁, 83岁, 七十多岁), or None."""
    for match in _AGE.finditer(words or ""):
        age = _number(match.group(1))
        if age is not None and 0 <= age <= 120:
            return age
    return None


@dataclass(frozen=True)
class Grade:
    grade: RiskGrade
    reasons: tuple[tuple[str, str], ...]  # (zh, en), the first one decided the grade


_ORDER = (RiskGrade.VERY_LOW, RiskGrade.LOW, RiskGrade.MEDIUM, RiskGrade.HIGH)


def _higher(a: RiskGrade, b: RiskGrade) -> RiskGrade:
    return max(a, b, key=_ORDER.index)


def suggest(words: str, age: int | None = None, medical_needs: str = "") -> Grade:
    """The grade the words and the person suggest, with every reason that raised it. Doubt grades up: a case with no
    reason at all is low, never very low (a person may lower it)."""
    text = f"{words or ''} {medical_needs or ''}"
    age = age if age is not None else age_in(text)
    grade, reasons = RiskGrade.LOW, []

    def raise_to(to: RiskGrade, zh: str, en: str) -> None:
        nonlocal grade
        grade = _higher(grade, to)
        reasons.append((zh, en))

    if age is not None and age < CHILD_UNDER:
        raise_to(RiskGrade.HIGH, f"{age} 岁儿童", f"a child of {age}")
    elif age is not None and age < MINOR_UNDER:
        raise_to(RiskGrade.MEDIUM, f"{age} 岁未成年人", f"a minor of {age}")
    elif age is not None and age >= ELDERLY_FROM:
        raise_to(RiskGrade.MEDIUM, f"{age} 岁老人", f"an elderly person of {age}")
    elif age is None and any(w in text for w in CHILD_WORDS):
        raise_to(RiskGrade.HIGH, "走失的是儿童（年龄未说）", "a child (age not given)")
    elif age is None and any(w in text for w in ELDERLY_WORDS):
        raise_to(RiskGrade.MEDIUM, "走失的是老人（年龄未说）", "an elderly person (age not given)")
    for zh, en, implies, cues in CONDITIONS:
        hit = next((w for w in cues if w in text), None)
        if hit:
            raise_to(implies, f"{zh}：“{hit}”", f"{en}: “{hit}”")
    if medical_needs.strip() and not any(r[1].startswith("needs medicine") for r in reasons):
        raise_to(RiskGrade.HIGH, f"医疗需要：{medical_needs.strip()[:40]}", "has medical needs")
    weather = any(r[1].startswith("bad weather") for r in reasons)
    if weather and grade is RiskGrade.MEDIUM and len(reasons) > 1:
        raise_to(RiskGrade.HIGH, "脆弱人员遇恶劣天气，升为高", "a vulnerable person in bad weather: high")
    if not reasons:
        reasons.append(("未发现风险因素（请人工研判）", "no risk factor found (a person decides)"))
    return Grade(grade, tuple(reasons))


def next_review(grade: RiskGrade, last: datetime) -> datetime:
    """When the case is next reviewed, from its last review (or its opening)."""
    return last + REVIEW_EVERY[RiskGrade(grade)]


def alert_km(grade: RiskGrade, reported_at: datetime, now: datetime) -> int:
    """How far the regional alert reaches now: 100 km at first, then 200, 300 and 500 as the hours pass."""
    hours = max(0.0, (now - reported_at).total_seconds() / 3600)
    pace = HIGH_RISK_PACE if grade == RiskGrade.HIGH else 1
    reached = [km for step, km in zip(ALERT_STEPS_HOURS, ALERT_KM, strict=True) if hours * pace >= step]
    return reached[-1]


def report_due(day: int, reported_at: datetime) -> datetime:
    """When the day-N report falls due: N whole days after the person was reported missing."""
    if day not in REPORT_DAYS:
        raise ValueError(f"no day-{day} report")
    return reported_at + timedelta(days=day)
