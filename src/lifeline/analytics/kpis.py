"""The command dashboard's KPIs as pure functions: plain numbers or plain records in, one figure out.

Every rate is a share between 0 and 1, or None when its denominator is 0 (shown as "—": no calls is
not a 0 % answer rate). The formula of each KPI is the paragraph of its docstring that starts "公式 formula:"; it is
shown on the page as the tile's tooltip; `tests/analytics/test_kpis.py` checks the two agree.

Two kinds of figure: the window's (`KPIS`: today so far, by default) and the desk's state at this moment (`NOW`:
what is waiting). A rate never hides what is waiting: an incident still undispatched past its minute, or an order
still unsigned past its deadline, counts as late in the window it belongs to.
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
    """来电 calls received.

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


def channel_answer_rate(answered: int, reports: int) -> float | None:
    """渠道接听率 answer rate of one channel.

    公式 formula: 该渠道已由坐席接听（接通或打开）的报警记录 / 该渠道的报警记录
    reports of the channel a seat answered (picked up, or opened) / the channel's reports

    A text (12110 SMS, an app alarm) is answered when a seat takes it from the queue; a call, when a seat picks up.
    """
    return rate(answered, reports)


def time_to_answer(waited_seconds: float, answered: int) -> float | None:
    """平均接听用时 mean time to answer.

    公式 formula: Σ(接听时间 − 收到时间) / 已接听的报警记录
    Σ(answered_at − received_at) / answered reports
    """
    return None if answered == 0 else waited_seconds / answered


def one_minute_dispatch_rate(within_a_minute: int, due: int) -> float | None:
    """1分钟派警率 one-minute dispatch rate.

    公式 formula: 接警后 60 秒内派警的警务/联动警情 / 已到期的警务/联动警情（已派警的，加上接警超过 60 秒仍未派警的）
    police or joint incidents dispatched within 60 s of received_at / those due: dispatched, or still undispatched
    more than 60 s after received_at

    Each confirmed police or joint incident received in the window counts, once it is due (`dispatch_on_time`): a
    waiting one is late from its 61st second, so seven minutes of waiting lowers the rate while it waits.
    """
    return rate(within_a_minute, due)


def arrival_rate(arrived: int, due: int) -> float | None:
    """到场及时率 on-scene-in-time rate, by zone minutes.

    公式 formula: 在所派派出所的到场时限（1/3/5 分钟圈，未设为 5 分钟）内到场的警务/联动警情 /
    已到期的（已到场的，加上超过时限仍未到场的）
    police or joint incidents on scene within their station's zone minutes of received_at (1, 3 or 5; 5 when the
    station sets none) / those due: on scene, or still not on scene past the zone's minutes

    Counted from the call, as the caller waits: an incident still waiting for a unit is late once its minutes
    have passed, like the one-minute rate. One resolved or cancelled before its minutes without a unit on scene
    (settled by phone, the caller rang off) is not counted.
    """
    return rate(arrived, due)


def diversion_rate(diverted: int, invalid: int) -> float | None:
    """分流率 diversion rate.

    公式 formula: 确认为分流的警情 / 确认为非警务的警情（分流 + 无效）
    incidents confirmed as divert / incidents confirmed as divert or invalid
    """
    return rate(diverted, diverted + invalid)


def valid_incidents(valid: int) -> int:
    """有效警情 valid incidents.

    公式 formula: 窗口内接报、已确认且不属无效的警情（警务、联动、分流）
    incidents received in the window and confirmed as police, joint or divert (not invalid; merged calls left out)
    """
    return valid


def criminal(incidents: int) -> int:
    """刑事类 criminal.

    公式 formula: 类别属刑事的警情（暴力犯罪、盗窃、诈骗、性侵、违法犯罪线索）
    incidents whose category is criminal (FAMILY: violent crime, theft, fraud, sexual offence, tip-off)
    """
    return incidents


def public_order(incidents: int) -> int:
    """治安类 public order.

    公式 formula: 类别属治安的警情（打架斗殴、家暴、扰乱治安、群体性事件、反映民警）
    incidents whose category is public order (FAMILY: fight, domestic violence, public order, mass incident,
    police misconduct)
    """
    return incidents


def help_requests(incidents: int) -> int:
    """求助类 help.

    公式 formula: 类别属求助的警情（走失、轻生、火灾、燃气、急救、救援、险情、开锁、挪车、水电气、动物、失物、市政）
    incidents whose category is a request for help (FAMILY: emergencies to rescue and everyday help)
    """
    return incidents


def disputes(incidents: int) -> int:
    """纠纷类 disputes.

    公式 formula: 类别属纠纷的警情（邻里、家庭、劳资、消费、物业租赁、噪音）
    incidents whose category is a dispute (FAMILY: neighbours, family, labour, consumer, property, noise)
    """
    return incidents


def diverted_count(diverted: int) -> int:
    """分流警情 diverted.

    公式 formula: 确认为分流的警情 incidents confirmed as divert
    """
    return diverted


def invalid_count(invalid: int) -> int:
    """无效/骚扰警情 invalid and nuisance.

    公式 formula: 确认为无效的警情（骚扰、谎报、误拨、私人请求） incidents confirmed as invalid
    """
    return invalid


def urged_orders(orders: int) -> int:
    """催办工单 orders urged.

    公式 formula: 窗口内被催办（临近时限自动催办或人工催办）的工单数 orders urged in the window, automatically as the
    deadline nears or by the desk (each order once)
    """
    return orders


def supervised_orders(orders: int) -> int:
    """督办工单 orders under supervision.

    公式 formula: 窗口内因超时被值班长督办（留有书面记录）的工单数 overdue orders put under a supervisor's written
    supervision in the window (each order once)
    """
    return orders


def extensions_requested(orders: int) -> int:
    """延期申请 extensions asked.

    公式 formula: 窗口内承办单位申请延期的工单数 orders whose handler asked for an extension in the window
    """
    return orders


def extensions_approved(orders: int) -> int:
    """延期批准 extensions approved.

    公式 formula: 窗口内延期申请获批准的工单数（按批准时间） orders whose extension was approved in the window
    """
    return orders


def missing_found_rate(found: int, counted: int) -> float | None:
    """走失人员24小时找回率 missing persons found within 24 hours.

    公式 formula: 报案后 24 小时内平安或受伤找到的 / 报案已满 24 小时或已找到的走失案件（撤销的不计）
    persons found alive within 24 h of the report / cases whose first 24 h have passed or that were found
    (withdrawn cases are left out: nobody was missing)

    Which cases count: `missing_found_within_a_day`.
    """
    return rate(found, counted)


def on_time_sign_rate(signed_on_time: int, due: int) -> float | None:
    """按时签收率 on-time signing rate.

    公式 formula: 在签收时限前签收的工单 / （窗口内签收的工单 + 已过签收时限仍未签收的工单）
    orders signed by sign_by / (orders signed in the window + orders still unsigned past sign_by)

    An order without a signing deadline cannot be late. Which orders count: `deadline_kept`.
    """
    return rate(signed_on_time, due)


def on_time_handle_rate(handled_on_time: int, due: int) -> float | None:
    """按时办结率 on-time handling rate.

    公式 formula: 在办结时限前办结的工单 / （窗口内办结的工单 + 已过办结时限仍未办结的工单）
    orders handled by handle_by / (orders handled in the window + orders still not handled past handle_by)

    An order sent back to be redone (重办) has a new deadline and counts once, by its latest handling; while it is
    being redone past that deadline it is late. Which orders count: `deadline_kept`.
    """
    return rate(handled_on_time, due)


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


def direct_answer_rate(answered: int, decided: int) -> float | None:
    """直接答复率 direct-answer rate of the 12345 hotline.

    公式 formula: 窗口内作出决定的 12345 来电中依据知识库直接答复结案的 / 窗口内作出决定（确认）的 12345 来电
    hotline (12345) contacts decided in the window and closed as answered directly from the knowledge base / hotline
    (12345) contacts decided (confirmed) in the window

    A 12345 contact is an incident received by a 12345 centre or taken by a hotline operator; a direct answer
    closes it with no work order (knowledge.service.figures counts both). Not a dashboard tile.
    """
    return rate(answered, decided)


# What is waiting now: counts at this moment, not over the window ----------------------------------------------


def p1_waiting(waiting: int) -> int:
    """P1 待派 priority-1 incidents waiting now.

    公式 formula: 此刻已确认、尚未派警的一级警务/联动警情
    priority-1 police or joint incidents confirmed and not yet dispatched, now
    """
    return waiting


def p2_waiting(waiting: int) -> int:
    """P2 待派 priority-2 incidents waiting now.

    公式 formula: 此刻已确认、尚未派警的二级警务/联动警情
    priority-2 police or joint incidents confirmed and not yet dispatched, now
    """
    return waiting


def longest_wait(seconds: float | None) -> int | None:
    """最长等待 the longest wait now.

    公式 formula: 此刻等待派警最久的警情自接警起的时长
    time since received_at of the incident waiting longest for a unit, now
    """
    return None if seconds is None else max(0, int(seconds))


def orders_overdue(overdue: int) -> int:
    """超时工单 orders overdue now.

    公式 formula: 此刻未签收且已过签收时限、或未办结且已过办结时限的在办工单
    open orders past sign_by while unsigned, or past handle_by while not handled, now
    """
    return overdue


def callbacks_waiting(waiting: int) -> int:
    """待回拨 call-backs waiting now.

    公式 formula: 此刻待回拨或待值班长决定的未结警情
    open incidents waiting for a call-back or for a supervisor's decision, now
    """
    return waiting


# The same formulas on plain records: what the SQL of `service` computes, written out to be read and tested ---------


def dispatch_on_time(
    received_at: datetime, dispatched_at: datetime | None, stopped_at: datetime | None, now: datetime,
    seconds: int = ONE_MINUTE,
) -> bool | None:  # fmt: skip
    """Whether a confirmed police or joint incident was dispatched within the minute: True, False (late) or None
    (not due, not counted).

    It becomes due `seconds` after it was received. Dispatched within them: on time; dispatched later: late.
    Not dispatched: late once it has waited longer than them, until now or until it stopped waiting
    (`stopped_at`: cancelled or handed over without a unit), else not yet due. So a call cancelled within the
    minute (the caller rang off, a duplicate) is not counted, and one cancelled after waiting two minutes is late.
    """
    if dispatched_at is not None:
        return (dispatched_at - received_at).total_seconds() <= seconds
    waited = ((stopped_at or now) - received_at).total_seconds()
    return False if waited > seconds else None


def deadline_kept(
    deadline: datetime | None, done_at: datetime | None, undone_now: bool, since: datetime, until: datetime
) -> bool | None:
    """Whether an order kept a deadline (sign_by, handle_by), as counted in the window [since, until): True,
    False (late) or None (not counted); `until` is at most now.

    Done in the window: on time when done by the deadline (or it has none). Otherwise late when the deadline passed
    before the window's end and the order was still not done then: not done yet (`undone_now`: its state waits for
    that step), or done only after the window. An order overdue for days counts in every window until it is done,
    as it shows in the inbox every day. A window that starts after now counts nothing.
    """
    if until <= since:
        return None
    if done_at is not None and since <= done_at < until:
        return deadline is None or done_at <= deadline
    if deadline is not None and deadline < until and (undone_now or (done_at is not None and done_at >= until)):
        return False
    return None


def kept_counts(verdicts: Iterable[bool | None]) -> tuple[int, int]:
    """(on time, counted) from the verdicts of `dispatch_on_time` or `deadline_kept`."""
    counted = [v for v in verdicts if v is not None]
    return sum(counted), len(counted)


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


def missing_found_within_a_day(
    cases: Iterable[tuple[datetime, datetime | None, str | None]], now: datetime, hours: int = 24
) -> tuple[int, int]:
    """The terms of `missing_found_rate`: (found within, counted), from (reported_at, found_at of a person found
    alive, outcome) records.

    A case still open within its first day is not yet counted; one open after a day, or found dead, counts as not
    found within the day.
    """
    window = timedelta(hours=hours)
    found = counted = 0
    for reported_at, found_at, outcome in cases:
        if outcome == "withdrawn":
            continue
        if found_at is not None and found_at - reported_at <= window:
            found += 1
            counted += 1
        elif now - reported_at > window or outcome is not None:
            counted += 1
    return found, counted


# The families of the yearly report (刑事、治安、交通、求助、纠纷、其他、无效), by category code.
FAMILY = {
    **dict.fromkeys(("violent_crime", "theft", "fraud", "sexual_offense", "tip_off"), "criminal"),
    **dict.fromkeys(("fight", "domestic_violence", "public_order", "mass_incident", "police_misconduct"),
                    "public_order"),
    **dict.fromkeys(("traffic_accident", "traffic_violation"), "traffic"),
    **dict.fromkeys(("missing_person", "suicide_risk", "fire", "gas_leak", "medical_emergency", "disaster_rescue",
                     "public_hazard", "lockout", "car_moving", "utility_outage", "animal", "lost_property",
                     "municipal_facility"), "help"),
    **dict.fromkeys(("dispute_neighbor", "dispute_family", "dispute_labor", "dispute_consumer", "dispute_property",
                     "noise"), "dispute"),
    **dict.fromkeys(("nuisance", "misdial", "private_request"), "invalid"),
}  # fmt: skip
FAMILIES = {"criminal": "刑事", "public_order": "治安", "traffic": "交通", "help": "求助", "dispute": "纠纷",
            "other": "其他", "invalid": "无效"}  # fmt: skip


def family(category: str) -> str:
    """The family of a category; categories outside FAMILY (enquiries, complaints, environment) are other."""
    return FAMILY.get(category, "other")


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


def _chinese(c: str) -> bool:
    return "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"


SHARE, COUNT, SECONDS = "share", "count", "seconds"  # how a figure reads: 87.5%, 3, 7:02


@dataclass(frozen=True)
class Kpi:
    key: str
    zh: str
    en: str
    function: Callable
    unit: str = SHARE

    @property
    def formula(self) -> str:
        """The paragraph after "公式 formula:" in the function's docstring: the one place the formula is written."""
        doc = inspect.getdoc(self.function) or ""
        for paragraph in doc.split("\n\n"):
            if paragraph.startswith("公式 formula:"):
                return " ".join(paragraph.removeprefix("公式 formula:").split())
        raise ValueError(f"{self.function.__name__} has no formula in its docstring")

    @property
    def formula_sides(self) -> tuple[str, str]:
        """The formula's Chinese and English: the English is the tail from the first letter after the last Chinese."""
        text = self.formula
        last = max((i for i, c in enumerate(text) if _chinese(c)), default=-1)
        start = next((i for i in range(last + 1, len(text)) if text[i].isascii() and text[i].isalpha()), len(text))
        return text[:start].strip(), text[start:].strip()

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"


KPIS = (
    Kpi("calls", "来电", "Calls", calls, COUNT),
    Kpi("answer_rate", "接通率", "Answer rate", answer_rate),
    Kpi("one_minute_dispatch_rate", "1分钟派警率", "Dispatched within 1 min", one_minute_dispatch_rate),
    Kpi("arrival_rate", "到场及时率", "On scene in time", arrival_rate),
    Kpi("diversion_rate", "分流率", "Diversion rate", diversion_rate),
    Kpi("valid_incidents", "有效警情", "Valid incidents", valid_incidents, COUNT),
    Kpi("criminal", "刑事类", "Criminal", criminal, COUNT),
    Kpi("public_order", "治安类", "Public order", public_order, COUNT),
    Kpi("help_requests", "求助类", "Help", help_requests, COUNT),
    Kpi("disputes", "纠纷类", "Disputes", disputes, COUNT),
    Kpi("diverted_count", "分流警情", "Diverted", diverted_count, COUNT),
    Kpi("invalid_count", "无效/骚扰", "Invalid and nuisance", invalid_count, COUNT),
    Kpi("on_time_sign_rate", "按时签收率", "Signed on time", on_time_sign_rate),
    Kpi("on_time_handle_rate", "按时办结率", "Handled on time", on_time_handle_rate),
    Kpi("satisfaction_rate", "满意率", "Satisfied", satisfaction_rate),
    Kpi("basic_satisfaction_rate", "基本满意率", "Basically satisfied", basic_satisfaction_rate),
    Kpi("repeat_rate", "重复警情率", "Repeat calls", repeat_rate),
    Kpi("urged_orders", "催办工单", "Orders urged", urged_orders, COUNT),
    Kpi("supervised_orders", "督办工单", "Orders supervised", supervised_orders, COUNT),
    Kpi("extensions_requested", "延期申请", "Extensions asked", extensions_requested, COUNT),
    Kpi("extensions_approved", "延期批准", "Extensions approved", extensions_approved, COUNT),
    Kpi("missing_found_rate", "走失人员24小时找回率", "Missing found within 24 h", missing_found_rate),
)
NOW = (
    Kpi("p1_waiting", "P1 待派", "P1 waiting", p1_waiting, COUNT),
    Kpi("p2_waiting", "P2 待派", "P2 waiting", p2_waiting, COUNT),
    Kpi("longest_wait", "最长等待", "Longest wait", longest_wait, SECONDS),
    Kpi("orders_overdue", "超时工单", "Orders overdue", orders_overdue, COUNT),
    Kpi("callbacks_waiting", "待回拨", "Call-backs waiting", callbacks_waiting, COUNT),
)
# Per channel (GET /kpis `channels`): every way in answered, and how fast.
BY_CHANNEL = (
    Kpi("channel_answer_rate", "渠道接听率", "Answer rate of the channel", channel_answer_rate),
    Kpi("time_to_answer", "平均接听用时", "Mean time to answer", time_to_answer, SECONDS),
)
BY_KEY = {k.key: k for k in KPIS + NOW + BY_CHANNEL}


def display(value: float | int | None, unit: str) -> str:
    """How a figure is shown: "—" without a denominator (or nothing waiting), a share as 12.3%, a count as it is,
    a duration as m:ss (h:mm:ss from an hour)."""
    if value is None:
        return "—"
    if unit == SHARE:
        return f"{value * 100:.1f}%"
    if unit == SECONDS:
        hours, rest = divmod(int(value), 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
    return str(value)
