"""When a number is a nuisance caller, and when its flag ends (pure: no database, no clock of its own).

A false call is a confirmed incident whose category is a false, abusive or not-police matter, or whose field
outcome was a false report. A number meets the criteria when its false calls within any window reach that window's
count (by default ≥ 5 in 30 days or ≥ 12 in 90 days). A centre may change them in a YAML file
(Settings.nuisance_criteria):

    windows:            # any one met puts the number in the supervisors' queue
      - {days: 30, calls: 5}
      - {days: 90, calls: 12}
    categories: [nuisance, private_request]   # confirmed categories that count (taxonomy codes)
    outcomes: [false_report]                  # field outcomes that count (vocabulary.FieldOutcome)
    exit_days: 90       # a flag ends after this many days without a false call
    review_days: 30     # a flag's review date, from the day it is set

A flag only informs the desk: a flagged caller's every call is still taken, triaged and dispatched like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lifeline import taxonomy
from lifeline.vocabulary import FieldOutcome, FlagStatus


class CriteriaError(ValueError):
    """A criteria file that cannot be used; the message names the file and what to fix."""


@dataclass(frozen=True)
class Window:
    days: int
    calls: int


@dataclass(frozen=True)
class Criteria:
    windows: tuple[Window, ...] = (Window(30, 5), Window(90, 12))
    # A misdial or a silent line is not counted: a silent call may be someone who cannot speak.
    categories: frozenset[str] = frozenset({"nuisance", "private_request"})
    outcomes: frozenset[str] = frozenset({FieldOutcome.FALSE_REPORT.value})
    exit_days: int = 90
    review_days: int = 30

    @property
    def span(self) -> timedelta:
        """How far back the widest window reaches."""
        return timedelta(days=max(w.days for w in self.windows))

    def is_false(self, category: str | None, outcome: str | None) -> bool:
        return category in self.categories or outcome in self.outcomes

    def exit_rule(self, exit_days: int | None = None) -> dict:
        """A flag's exit rule as the case keeps it: later changes to the criteria leave a flag's rule as it was."""
        days = self.exit_days if exit_days is None else exit_days
        return {"exit_days": days, "categories": sorted(self.categories), "outcomes": sorted(self.outcomes)}

    @classmethod
    def of_rule(cls, rule: dict) -> Criteria:
        """What counts as a false call under a kept exit rule."""
        return cls(categories=frozenset(rule["categories"]), outcomes=frozenset(rule["outcomes"]),
                   exit_days=int(rule["exit_days"]))  # fmt: skip


class _Window(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=366)
    calls: int = Field(ge=1, le=10_000)


class _File(BaseModel):
    """The file's shape; what it leaves out keeps its default."""

    model_config = ConfigDict(extra="forbid")

    windows: list[_Window] | None = Field(None, min_length=1, max_length=10)
    categories: list[str] | None = None
    outcomes: list[str] | None = None
    exit_days: int | None = Field(None, ge=1, le=3650)
    review_days: int | None = Field(None, ge=1, le=3650)


def parse(text: str, source: str = "<criteria>") -> Criteria:
    try:
        got = _File.model_validate(yaml.safe_load(text) or {})
    except yaml.YAMLError as exc:
        raise CriteriaError(f"{source}: 不是有效的 YAML / not valid YAML: {exc}") from exc
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'top'}: {e['msg']}" for e in exc.errors())
        raise CriteriaError(f"{source}: 骚扰来电认定标准有误 / bad nuisance criteria: {where}") from exc
    default = Criteria()
    categories = default.categories if got.categories is None else frozenset(got.categories)
    outcomes = default.outcomes if got.outcomes is None else frozenset(got.outcomes)
    unknown = categories - set(taxonomy.default().categories)
    if unknown:
        raise CriteriaError(f"{source}: 未知类别 / unknown categories: {', '.join(sorted(unknown))}")
    wrong = outcomes - set(FieldOutcome.labels())
    if wrong:
        raise CriteriaError(f"{source}: 未知处置结果 / unknown outcomes: {', '.join(sorted(wrong))}")
    if not categories and not outcomes:
        raise CriteriaError(f"{source}: 至少要有一个类别或处置结果 / name at least one category or outcome")
    return Criteria(
        default.windows if got.windows is None else tuple(Window(w.days, w.calls) for w in got.windows),
        categories,
        outcomes,
        default.exit_days if got.exit_days is None else got.exit_days,
        default.review_days if got.review_days is None else got.review_days,
    )


def load(path: Path | str | None) -> Criteria:
    """The criteria a centre set in its file, or the defaults without one."""
    if path is None:
        return Criteria()
    return parse(Path(path).read_text(encoding="utf-8"), str(path))


@dataclass(frozen=True)
class Met:
    window: Window
    count: int


def meets(false_calls: list[datetime], now: datetime, criteria: Criteria) -> list[Met]:
    """The windows whose count the false calls reach (empty: the number does not meet the criteria)."""
    met = []
    for window in criteria.windows:
        count = sum(1 for at in false_calls if now - timedelta(days=window.days) <= at <= now)
        if count >= window.calls:
            met.append(Met(window, count))
    return met


@dataclass(frozen=True)
class Flag:
    status: FlagStatus
    since: datetime
    ends_on: datetime | None  # when it ends by its exit rule if no false call comes before; None once lifted
    last_false: datetime | None  # the latest false call since the flag was set


@dataclass(frozen=True)
class FlagFacts:
    """A flag as the case keeps it."""

    flagged_at: datetime
    exit_days: int
    lifted_at: datetime | None = None


def flag_state(flag: FlagFacts, false_calls: list[datetime], now: datetime) -> Flag:
    """A flag ends by its exit rule once `exit_days` pass without a false call (counted from the flag, or from
    the latest false call after it); a supervisor may lift it earlier."""
    after = [at for at in false_calls if flag.flagged_at <= at <= now]
    last = max(after, default=None)
    if flag.lifted_at is not None and flag.lifted_at <= now:
        return Flag(FlagStatus.LIFTED, flag.flagged_at, None, last)
    ends_on = (last or flag.flagged_at) + timedelta(days=flag.exit_days)
    status = FlagStatus.EXPIRED if now >= ends_on else FlagStatus.IN_FORCE
    return Flag(status, flag.flagged_at, ends_on, last)


@dataclass
class StepFigure:
    step: str
    callers: int = 0  # numbers that had this step
    stopped: int = 0  # of them, those with no false call since their latest such step


def stopped_after(
    steps: list[tuple[str, str, datetime]], false_calls: dict[str, list[datetime]]
) -> dict[str, StepFigure]:
    """For each kind of step, how many numbers had it and how many made no false call since (their latest one).
    `steps`: (number, step, at); `false_calls`: number → the times of its false calls."""
    latest: dict[tuple[str, str], datetime] = {}
    for number, step, at in steps:
        key = (step, number)
        latest[key] = max(at, latest.get(key, at))
    figures: dict[str, StepFigure] = {}
    for (step, number), at in sorted(latest.items()):
        figure = figures.setdefault(step, StepFigure(step))
        figure.callers += 1
        if not any(t > at for t in false_calls.get(number, [])):
            figure.stopped += 1
    return figures
