"""The command dashboard's KPIs as pure functions: plain numbers or plain records in, one figure out.

Every rate is a share between 0 and 1, or None when its denominator is 0 (shown as "—": no calls is
not a 0 % answer rate). The formula of each KPI is the paragraph of its docstring that starts "公式 formula:"; it is
shown on the page as the tile's tooltip; `tests/analytics/test_kpis.py` checks the two agree.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

ONE_MINUTE = 60  # seconds from receiving a police call to dispatching a unit (1 分钟派警)
REPEAT_HOURS = 24  # a call from a number that already called within this many hours is a repeat (重复警情)
SATISFIED_FROM = 4  # satisfaction 4–5 is 满意, 3 is 基本满意, 1–2 is 不满意 (diversion.states.SATISFACTION)
BASIC = 3


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    if denominator < 0 or numerator < 0 or numerator > denominator:
        raise ValueError(f"not a share: {numerator} / {denominator}")
    return None if denominator == 0 else numerator / denominator


# One function per KPI ------------------------------------------------------------------------------------------


def calls(reports: int) -> int:
    """今日来电 calls received.

    公式 formula: 窗口内收到的报警记录数 reports received in the window (every channel; merged duplicates still count)
    """
    return reports


def answer_rate(answered: int, live_calls: int) -> float | None:
    """接通率 answer rate.

    公式 formula: 有接通时间的实时来电 / 实时来电（语音、视频、报警柱）
    answered live calls / live calls (voice, video, alarm post)

    Text channels (12110 SMS, WeChat, app, 12345 pushes) cannot ring unanswered and are left out. A live call
    is answered when its report has `answered_at`; the intake stamps it when a call-taker records a call.
    """
    return rate(answered, live_calls)


def one_minute_dispatch_rate(within_a_minute: int, dispatched: int) -> float | None:
    """1分钟派警率 one-minute dispatch rate.

    公式 formula: 接警后 60 秒内派警的警务/联动警情 / 已派警的警务/联动警情
    police or joint incidents dispatched within 60 s of received_at / police or joint incidents dispatched
    """
    return rate(within_a_minute, dispatched)


def diversion_rate(diverted: int, invalid: int) -> float | None:
    """分流率 diversion rate.

    公式 formula: 确认为分流的警情 / 确认为非警务的警情（分流 + 无效）
    incidents confirmed as divert / incidents confirmed as divert or invalid
    """
    return rate(diverted, diverted + invalid)


def on_time_sign_rate(signed_on_time: int, signed: int) -> float | None:
    """按时签收率 on-time signing rate.

    公式 formula: 在签收时限前签收的工单 / 窗口内签收的工单 orders signed by sign_by / orders signed in the window

    An order without a signing deadline cannot be late.
    """
    return rate(signed_on_time, signed)


def on_time_handle_rate(handled_on_time: int, handled: int) -> float | None:
    """按时办结率 on-time handling rate.

    公式 formula: 在办结时限前办结的工单 / 窗口内办结的工单 orders handled by handle_by / orders handled in the window

    An order sent back to be redone (重办) has a new deadline and counts once, by its latest handling.
    """
    return rate(handled_on_time, handled)


def satisfaction_rate(satisfied: int, visits: int) -> float | None:
    """满意率 satisfaction rate.

    公式 formula: 满意度 ≥ 4 的回访 / 窗口内的回访 return visits scoring 4–5 / return visits in the window

    An order visited twice (不满意, redone, visited again) counts once, by its latest visit.
    """
    return rate(satisfied, visits)


def basic_satisfaction_rate(basic: int, visits: int) -> float | None:
    """基本满意率 basically-satisfied share.

    公式 formula: 满意度 = 3 的回访 / 窗口内的回访 return visits scoring 3 / return visits in the window
    """
    return rate(basic, visits)


def repeat_rate(repeats: int, with_number: int) -> float | None:
    """重复警情率 repeat-call rate.

    公式 formula: 来电号码在此前 24 小时内已报过警的警情 / 有来电号码的警情
    incidents whose number called at least once in the 24 h before (≥ 2 calls in 24 h) / incidents with a number
    """
    return rate(repeats, with_number)


# The same formulas on plain records: what the SQL of `service` computes, written out to be read and tested ---------


def dispatched_within(pairs: Iterable[tuple[datetime, datetime | None]], seconds: int = ONE_MINUTE) -> tuple[int, int]:
    """(dispatched within `seconds`, dispatched) from (received_at, dispatched_at) pairs of police/joint incidents."""
    done = [(r, d) for r, d in pairs if d is not None]
    return sum((d - r).total_seconds() <= seconds for r, d in done), len(done)


def count_repeats(incoming: Iterable[tuple[int, str | None, datetime]], hours: int = REPEAT_HOURS) -> tuple[int, int]:
    """(repeats, incidents with a number) from (id, caller_number, received_at) records.

    An incident is a repeat when another incident from the same number was received in the `hours` before it
    (at the same instant, the one with the smaller id came first).
    """
    rows = sorted(((n, at, i) for i, n, at in incoming if n), key=lambda r: (r[0], r[1], r[2]))
    repeats = 0
    for k, (number, at, _) in enumerate(rows):
        if k and rows[k - 1][0] == number and at - rows[k - 1][1] <= timedelta(hours=hours):
            repeats += 1
    return repeats, len(rows)


def satisfaction_counts(scores: Iterable[int | None]) -> tuple[int, int, int]:
    """(satisfied 4–5, basically satisfied 3, visits) from return-visit scores; None (not visited) is left out."""
    given = [s for s in scores if s is not None]
    return sum(s >= SATISFIED_FROM for s in given), sum(s == BASIC for s in given), len(given)


@dataclass(frozen=True)
class Share:
    category: str
    count: int
    share: float


def category_mix(counts: Mapping[str, int]) -> list[Share]:
    """警情类别构成 category mix: each category's count and share of all, largest first (ties by name)."""
    total = sum(counts.values())
    ordered = sorted(((c, n) for c, n in counts.items() if n), key=lambda cn: (-cn[1], cn[0]))
    return [Share(c, n, n / total) for c, n in ordered]


def hourly(times: Iterable[datetime], day_start: datetime) -> list[int]:
    """Counts per hour 0–23 of the day that begins at `day_start` (aware); times outside the day are left out."""
    buckets = [0] * 24
    for at in times:
        hour = int((at - day_start).total_seconds() // 3600)
        if 0 <= hour < 24:
            buckets[hour] += 1
    return buckets


def same_day_last_year(day: date) -> date:
    """The same calendar day a year earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def heat_cells(points: Iterable[tuple[float, float]], cell: float = 0.005) -> list[tuple[float, float, int]]:
    """Points binned into square cells of `cell` degrees (about 500 m): (cell centre lat, lon, count), densest first."""
    counts = Counter((int(lat // cell), int(lon // cell)) for lat, lon in points)
    cells = [((i + 0.5) * cell, (j + 0.5) * cell, n) for (i, j), n in counts.items()]
    return sorted(((round(a, 6), round(b, 6), n) for a, b, n in cells), key=lambda c: (-c[2], c[0], c[1]))


# What the dashboard shows, in order ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    key: str
    zh: str
    en: str
    function: Callable
    percent: bool = True

    @property
    def formula(self) -> str:
        """The paragraph after "公式 formula:" in the function's docstring: the one place the formula is written."""
        doc = inspect.getdoc(self.function) or ""
        for paragraph in doc.split("\n\n"):
            if paragraph.startswith("公式 formula:"):
                return " ".join(paragraph.removeprefix("公式 formula:").split())
        raise ValueError(f"{self.function.__name__} has no formula in its docstring")

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"


KPIS = (
    Kpi("calls", "今日来电", "Calls", calls, percent=False),
    Kpi("answer_rate", "接通率", "Answer rate", answer_rate),
    Kpi("one_minute_dispatch_rate", "1分钟派警率", "Dispatched within 1 min", one_minute_dispatch_rate),
    Kpi("diversion_rate", "分流率", "Diversion rate", diversion_rate),
    Kpi("on_time_sign_rate", "按时签收率", "Signed on time", on_time_sign_rate),
    Kpi("on_time_handle_rate", "按时办结率", "Handled on time", on_time_handle_rate),
    Kpi("satisfaction_rate", "满意率", "Satisfied", satisfaction_rate),
    Kpi("basic_satisfaction_rate", "基本满意率", "Basically satisfied", basic_satisfaction_rate),
    Kpi("repeat_rate", "重复警情率", "Repeat calls", repeat_rate),
)
BY_KEY = {k.key: k for k in KPIS}


def display(value: float | int | None, percent: bool) -> str:
    """How a figure is shown: "—" without a denominator, a share as 12.3%, a count as it is."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if percent else str(value)
