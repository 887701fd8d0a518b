"""Response shapes of the KPI API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from lifeline import taxonomy
from lifeline.analytics.service import Dashboard, Figure


class FigureOut(BaseModel):
    key: str
    zh: str
    en: str
    value: float | int | None = Field(
        description="比率为 0–1 的小数；分母为 0 时为 null / a share 0–1; null without a denominator"
    )
    shown: str = Field(description="页面显示 as the dashboard shows it, e.g. 87.5% or —")
    numerator: int | None
    denominator: int | None
    formula: str = Field(description="公式 the formula")
    formula_name: str = Field(description="计算函数 the function that computes it")

    @classmethod
    def of(cls, figure: Figure) -> FigureOut:
        return cls(**vars(figure))


class CategoryOut(BaseModel):
    category: str
    category_zh: str
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


class KpiOut(BaseModel):
    since: datetime
    until: datetime
    timezone: str = "+08:00"
    figures: list[FigureOut]
    categories: list[CategoryOut] = Field(description="警情类别构成 category mix, largest first")
    trend: TrendOut = Field(
        description="今日/昨日/去年同日每小时来电 calls per hour: the window's first day, the day before, a year before"
    )

    @classmethod
    def of(cls, board: Dashboard) -> KpiOut:
        names = taxonomy.default().categories
        return cls(
            since=board.since,
            until=board.until,
            figures=[FigureOut.of(f) for f in board.figures],
            categories=[
                CategoryOut(
                    category=s.category,
                    category_zh=names[s.category].zh if s.category in names else s.category,
                    count=s.count,
                    share=round(s.share, 4),
                )
                for s in board.categories
            ],
            trend=TrendOut(**vars(board.trend)),
        )
