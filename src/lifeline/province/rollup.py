"""The province's figures from its cities' (pure): each KPI per city and for the province.

A count is the sum of the cities' counts. A share is the sum of their numerators over the sum of their
denominators (never an average of percentages: a big city weighs as much as its calls). A duration is the mean
weighted by each city's denominator when the cities give one, else left out (None). A city that did not answer
is listed as such and counts in nothing: the province's figures then say they are incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The yearly summary in the shape the provinces publish: total calls, valid, criminal and public order, help,
# disputes, the diverted share, the answer rate, the 1-minute dispatch rate.
PUBLISHED = ("calls", "valid_incidents", "criminal", "public_order", "help_requests", "disputes", "diverted_count",
             "diversion_rate", "answer_rate", "one_minute_dispatch_rate")  # fmt: skip


@dataclass
class Figure:
    key: str
    zh: str
    en: str
    unit: str
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None


@dataclass
class Rollup:
    cities: dict[str, dict[str, Figure]] = field(default_factory=dict)  # city code → key → figure
    province: dict[str, Figure] = field(default_factory=dict)
    unreachable: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unreachable


def figures_of(kpis: dict) -> dict[str, Figure]:
    """A city's /api/v1/kpis answer, as figures by key."""
    return {
        f["key"]: Figure(f["key"], f["zh"], f["en"], f["unit"], f["value"], f.get("numerator"), f.get("denominator"))
        for f in kpis.get("figures", [])
    }


def roll_up(answers: dict[str, dict | None]) -> Rollup:
    """`answers`: each city's KPI answer, or None when it did not answer."""
    out = Rollup()
    for code, answer in answers.items():
        if answer is None:
            out.unreachable.append(code)
        else:
            out.cities[code] = figures_of(answer)
    keys = list(dict.fromkeys(k for figures in out.cities.values() for k in figures))
    for key in keys:
        parts = [figures[key] for figures in out.cities.values() if key in figures]
        out.province[key] = _sum(parts)
    return out


def _sum(parts: list[Figure]) -> Figure:
    first = parts[0]
    total = Figure(first.key, first.zh, first.en, first.unit, None)
    if first.unit == "count":
        total.value = sum(p.value or 0 for p in parts)
    elif all(p.numerator is not None and p.denominator is not None for p in parts):
        total.numerator = sum(p.numerator for p in parts)
        total.denominator = sum(p.denominator for p in parts)
        total.value = total.numerator / total.denominator if total.denominator else None
    elif first.unit == "seconds":
        weighted = [(p.value, p.denominator) for p in parts if p.value is not None and p.denominator]
        weight = sum(w for _, w in weighted)
        total.value = sum(v * w for v, w in weighted) / weight if weight else None
    return total


def shown(figure: Figure) -> str:
    """As the dashboard shows a figure: 87.5%, 1,203, 7:02, or — with nothing to show."""
    if figure.value is None:
        return "—"
    if figure.unit == "share":
        return f"{figure.value * 100:.1f}%"
    if figure.unit == "seconds":
        return f"{int(figure.value) // 60}:{int(figure.value) % 60:02d}"
    return f"{figure.value:,}"
