"""Response shapes of the KPI API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from lifeline import taxonomy
from lifeline.analytics import kpis
from lifeline.analytics.service import Compared, Dashboard, Figure, Longest


class FigureOut(BaseModel):
    key: str
    zh: str
    en: str
    value: float | int | None = Field(
        description="比率为 0–1 的小数，时长为秒；分母为 0 或无等待时为 null / a share 0–1, a duration in seconds; "
        "null without a denominator or with nothing waiting"
    )
    shown: str = Field(description="页面显示 as the dashboard shows it, e.g. 87.5%, 3 or 7:02, or —")
    unit: str = Field(description="share 比率 | count 计数 | seconds 时长")
    numerator: int | None
    denominator: int | None
    formula: str = Field(description="公式 the formula")
    formula_zh: str = Field(description="公式（中文）the formula's Chinese")
    formula_en: str = Field(description="the formula in English")
    formula_name: str = Field(description="计算函数 the function that computes it")

    @classmethod
    def of(cls, figure: Figure) -> FigureOut:
        zh, en = kpis.BY_KEY[figure.key].formula_sides
        return cls(**vars(figure), formula_zh=zh, formula_en=en)


class LongestOut(BaseModel):
    incident_id: int
    priority: int
    received_at: datetime
    seconds: int = Field(description="自接警起等待的秒数 seconds since received_at")

    @classmethod
    def of(cls, longest: Longest) -> LongestOut:
        return cls(
            incident_id=longest.incident_id, priority=longest.priority, received_at=longest.received_at,
            seconds=int(longest.seconds),
        )  # fmt: skip


class CategoryOut(BaseModel):
    category: str
    category_zh: str
    category_en: str
    count: int
    share: float


class TrendOut(BaseModel):
    day: date
    yesterday: date
    last_year: date
    today_counts: list[int | None] = Field(
        description="每小时来电（未到的小时为 null）calls per hour; null for hours to come"
    )
    yesterday_counts: list[int]
    last_year_counts: list[int]


class PeriodOut(BaseModel):
    kind: str = Field(description="day | week | month | quarter | year | custom")
    label: str = Field(description="如 2026年10月 / as a person names it")
    since: datetime
    until: datetime

    @classmethod
    def of(cls, period) -> PeriodOut:
        return cls(kind=period.kind, label=period.label, since=period.since, until=period.until)


class GroupOut(BaseModel):
    key: str = Field(description="类别代码、机构代码或日期 the category code, organisation code or date")
    zh: str
    figures: list[FigureOut]


class ChannelOut(BaseModel):
    channel: str
    zh: str
    en: str
    reports: int = Field(description="报警记录数 reports received on the channel")
    answered: int
    figures: list[FigureOut] = Field(description="渠道接听率与平均接听用时 answer rate and mean time to answer")


class KpiOut(BaseModel):
    since: datetime
    until: datetime
    now: datetime = Field(description="此刻：等待类指标的时点 the moment the waiting figures describe")
    timezone: str = "+08:00"
    figures: list[FigureOut] = Field(description="窗口内的指标 the window's figures")
    waiting: list[FigureOut] = Field(
        description="此刻等待中的 what waits now: P1/P2, longest wait, overdue, call-backs"
    )
    longest: LongestOut | None = Field(description="此刻等待派警最久的警情 the incident waiting longest for a unit")
    categories: list[CategoryOut] = Field(description="警情类别构成 category mix, largest first")
    trend: TrendOut = Field(
        description="今日/昨日/去年同日每小时来电 calls per hour: the window's first day, the day before, a year before"
    )
    period: PeriodOut | None = Field(None, description="所查的期间 the period asked for")
    previous: PeriodOut | None = Field(None, description="上一期（环比）the period before")
    previous_figures: list[FigureOut] = Field([], description="上一期的指标 the figures of the period before")
    last_year: PeriodOut | None = Field(None, description="去年同期（同比）the same period a year earlier")
    last_year_figures: list[FigureOut] = Field([], description="去年同期的指标 the figures a year earlier")
    group_by: str | None = None
    groups: list[GroupOut] = Field([], description="分组指标 the figures of each group, largest first or in time")
    channels: list[ChannelOut] = Field([], description="各接入渠道：接听率与接听用时 each channel: answered, how fast")

    @classmethod
    def of(cls, board: Dashboard, compared: Compared | None = None) -> KpiOut:
        names = taxonomy.default().categories
        longest = board.waiting.longest
        return cls(
            since=board.since,
            until=board.until,
            now=board.now,
            figures=[FigureOut.of(f) for f in board.figures],
            waiting=[FigureOut.of(f) for f in board.now_figures],
            longest=LongestOut.of(longest) if longest else None,
            categories=[
                CategoryOut(
                    category=s.category,
                    category_zh=names[s.category].zh if s.category in names else s.category,
                    category_en=names[s.category].en if s.category in names else s.category,
                    count=s.count,
                    share=round(s.share, 4),
                )
                for s in board.categories
            ],
            trend=TrendOut(**vars(board.trend)),
            **(cls._compared(compared) if compared else {}),
        )

    @staticmethod
    def _compared(c: Compared) -> dict:
        return {
            "period": PeriodOut.of(c.period),
            "previous": PeriodOut.of(c.previous),
            "previous_figures": [FigureOut.of(f) for f in c.previous_figures],
            "last_year": PeriodOut.of(c.last_year),
            "last_year_figures": [FigureOut.of(f) for f in c.last_year_figures],
            "group_by": c.by,
            "groups": [GroupOut(key=g.key, zh=g.zh, figures=[FigureOut.of(f) for f in g.figures]) for g in c.groups],
        }
