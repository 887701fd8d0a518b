"""Where a diverted matter goes, and how long each step may take.

By default an order goes to the organisation that `serves` the category's most specific
destination (market_regulation → 市场监管局), else to the 12345 centre. A deployment may add a
YAML table (LIFELINE_ROUTING) of rules — category and optional district → organisation code —,
time limits per kind of matter and per category, and its working-day calendar; a bad file gets an
error naming the line and the field:

    calendar:                      # the centre's overrides of the official calendar (diversion.calendar)
      holidays: [2027-01-01]       # extra days off
      workdays: [2027-02-07]       # adjusted working days (a Sunday worked)
      announced: [2027]            # years whose State Council holidays are entered above in full
      hours: "08:30-17:30"         # a working day
    limits:                        # per kind of matter (emergency help enquiry complaint report suggestion)
      complaint: {sign_working_minutes: 60, handle_working_days: 15}
    deadlines:                     # per category: wins over the kind's limit
      noise: {sign_minutes: 10, handle_hours: 4}
      lockout: {sign_working_minutes: 30, handle_working_days: 1}

Signing is counted in minutes (`sign_minutes`) or working minutes (`sign_working_minutes`), handling in hours
(`handle_hours`) or working days (`handle_working_days`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from lifeline import taxonomy as _taxonomy
from lifeline.diversion.calendar import Calendar


@dataclass(frozen=True)
class Deadline:
    """How long an order may take: signing in minutes (working minutes when `sign_working`), handling in hours or,
    when `handle_working_days` is set, in working days (diversion.calendar)."""

    sign_minutes: int
    handle_hours: int | None = None
    handle_working_days: int | None = None
    sign_working: bool = False
    kind: str | None = None  # the kind of matter whose limit this is (None: a category's own deadline)

    def notice(self) -> str:
        """The limit in words, Chinese then English."""
        if self.sign_working:
            sign = f"{self.sign_minutes} 个工作分钟内签收", f"signed for within {self.sign_minutes} working minutes"
        else:
            sign = f"{self.sign_minutes} 分钟内签收", f"signed for within {self.sign_minutes} minutes"
        if self.handle_working_days is not None:
            days = self.handle_working_days
            handle = f"{days} 个工作日内办结", f"handled within {days} working days"
        else:
            handle = f"{self.handle_hours} 小时内办结", f"handled within {self.handle_hours} hours"
        return f"{sign[0]}，{handle[0]} / {sign[1]}, {handle[1]}"


@dataclass(frozen=True)
class Due:
    sign_by: datetime
    handle_by: datetime
    deadline: Deadline
    estimated: bool  # a working-day count over a year without the official calendar


# Kinds of matter and their national time limits (the centre may change them under `limits`): an emergency the
# same day, counted in hours; help and enquiries 3 working days; complaints 13; reports and suggestions 15, the
# common practice of the provincial 12345 rules (举报、意见建议 15 个工作日). A matter the police handle (limit
# police in the catalogue) that still gets an order is held as help.
KINDS = {
    "emergency": ("紧急（当日）", "emergency (same day)"),
    "help": ("求助", "help"),
    "enquiry": ("咨询", "enquiry"),
    "complaint": ("投诉", "complaint"),
    "report": ("举报", "report"),
    "suggestion": ("建议", "suggestion"),
}
DEFAULT_LIMITS = {
    "emergency": Deadline(sign_minutes=10, handle_hours=12, kind="emergency"),
    "help": Deadline(sign_minutes=30, handle_working_days=3, sign_working=True, kind="help"),
    "enquiry": Deadline(sign_minutes=30, handle_working_days=3, sign_working=True, kind="enquiry"),
    "complaint": Deadline(sign_minutes=60, handle_working_days=13, sign_working=True, kind="complaint"),
    "report": Deadline(sign_minutes=60, handle_working_days=15, sign_working=True, kind="report"),
    "suggestion": Deadline(sign_minutes=120, handle_working_days=15, sign_working=True, kind="suggestion"),
}
DEFAULT_KIND = "help"
# The kind of a matter with no catalogue item (an order from before the catalogue, or whose category changed).
KIND_BY_CATEGORY = {
    "consultation": "enquiry",
    "service_complaint": "complaint",
    "dispute_consumer": "complaint",
    "dispute_labor": "complaint",
    "noise": "complaint",
    "environment_city": "complaint",
    "tip_off": "report",
}
DEFAULT_DEADLINE = DEFAULT_LIMITS[DEFAULT_KIND]
# A linkage unit (119, 120, gas, power) joins a live incident: it signs within minutes, in calendar time.
LINKAGE_DEADLINE = Deadline(sign_minutes=2, handle_hours=4, kind="emergency")
# Some matters cannot wait three working days: a blocked car, a cut supply, a loose dog. These hold for help and
# emergencies of the category; a complaint or an enquiry about it keeps its kind's working days.
BUILT_IN_DEADLINES = {
    "car_moving": Deadline(5, 1),
    "utility_outage": Deadline(15, 24),
    "lockout": Deadline(10, 2),
    "animal": Deadline(15, 12),
    "municipal_facility": Deadline(30, 24),
}
URGENT_KINDS = frozenset({"help", "emergency"})


def kind_of(category: str, limit: str | None) -> str:
    """The kind of matter: the catalogue item's time-limit class when it has one, else by category."""
    if limit in KINDS:
        return limit
    return KIND_BY_CATEGORY.get(category, DEFAULT_KIND)


def due(deadline: Deadline, start: datetime, calendar: Calendar) -> Due:
    """The one place sign_by and handle_by are computed, from `start` (receipt, re-route, redo)."""
    estimated = False
    if deadline.sign_working:
        signed = calendar.add_working_minutes(start, deadline.sign_minutes)
        sign_by, estimated = signed.at, signed.estimated
    else:
        sign_by = start + timedelta(minutes=deadline.sign_minutes)
    if deadline.handle_working_days is not None:
        handled = calendar.add_working_days(start, deadline.handle_working_days)
        handle_by, estimated = handled.at, estimated or handled.estimated
    else:
        handle_by = start + timedelta(hours=deadline.handle_hours or 0)
    return Due(sign_by, max(handle_by, sign_by), deadline, estimated)


@dataclass(frozen=True)
class Rule:
    category: str
    org: str
    district: str | None = None


@dataclass(frozen=True)
class Table:
    rules: tuple[Rule, ...] = ()
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    limits: dict[str, Deadline] = field(default_factory=dict)
    calendar: Calendar = field(default_factory=Calendar)

    def deadline(self, category: str, limit: str | None = None) -> Deadline:
        """The time limit of an order: the centre's deadline for the category; else, for help and emergencies of a
        category that cannot wait, its built-in hours; else the limit of its kind (the catalogue item's class)."""
        if category in self.deadlines:
            return self.deadlines[category]
        kind = kind_of(category, limit)
        if kind in URGENT_KINDS and category in BUILT_IN_DEADLINES:
            return replace(BUILT_IN_DEADLINES[category], kind=kind)
        return self.limits.get(kind) or DEFAULT_LIMITS[kind]

    def due(self, category: str, limit: str | None, start: datetime) -> Due:
        return due(self.deadline(category, limit), start, self.calendar)


class RoutingError(ValueError):
    def __init__(self, source: str, line: int | None, where: str, message: str):
        self.source, self.line, self.where = source, line, where
        at = f"{source}:{line}" if line else source
        super().__init__(f"{at}: {where}: {message}")


# Owners a work order never goes to: the police act through dispatch (a catalogue item may list them beside the
# department that takes the order, as a joint item does).
NOT_ORDERED = frozenset({"110", "122"})
HOTLINE = "12345"


def choose(
    category: str,
    district: str,
    table: Table,
    serving: dict[str, str],
    centre: str | None,
    owners: tuple[str, ...] | None = None,
) -> str | None:
    """The organisation code for an order. `serving` maps destination code → organisation code. `owners`, the
    catalogue item's owner list (the lead first), replaces the category's destinations when given."""
    for rule in table.rules:
        if rule.category == category and rule.district and rule.district in district:
            return rule.org
    for rule in table.rules:
        if rule.category == category and not rule.district:
            return rule.org
    ordered = [o for o in owners or () if o not in NOT_ORDERED]
    if ordered:  # the item's owners, the lead first; a 12345 lead is the 12345 centre itself
        for destination in ordered:
            if destination == HOTLINE and centre is not None:
                return centre
            if destination in serving:
                return serving[destination]
        return centre
    destinations = _taxonomy.default().categories[category].destinations
    for destination in reversed(destinations):  # the most specific destination comes last
        if destination in serving:
            return serving[destination]
    return centre


def parse(text: str, source: str = "<routing>") -> Table:
    try:
        data = yaml.safe_load(text) or {}
        lines = _lines(yaml.compose(text)) if data else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RoutingError(source, mark.line + 1 if mark else None, "yaml", str(exc)) from exc
    if not isinstance(data, dict):
        raise RoutingError(source, 1, "top", "应为映射 expected a mapping with 'rules' and 'deadlines'")

    def fail(where: str, message: str) -> RoutingError:
        return RoutingError(source, lines.get(where), where, message)

    categories = _taxonomy.default().categories
    rules = []
    for n, item in enumerate(_listed(data, "rules", fail), start=1):
        where = f"rules[{n}]"
        if not isinstance(item, dict) or "category" not in item or "org" not in item:
            raise fail(where, "需要 category 与 org / needs category and org")
        if item["category"] not in categories:
            raise fail(f"{where}.category", f"未知类别 unknown category {item['category']!r}")
        rules.append(Rule(str(item["category"]), str(item["org"]), item.get("district")))
    deadlines = {}
    for category, value in _mapping(data, "deadlines", fail).items():
        if category not in categories:
            raise fail(f"deadlines.{category}", f"未知类别 unknown category {category!r}")
        deadlines[category] = _deadline(value, f"deadlines.{category}", fail)
    limits = {}
    for kind, value in _mapping(data, "limits", fail).items():
        if kind not in KINDS:
            raise fail(f"limits.{kind}", f"未知种类 unknown kind {kind!r}; one of {', '.join(KINDS)}")
        limits[kind] = replace(_deadline(value, f"limits.{kind}", fail), kind=kind)
    return Table(tuple(rules), deadlines, limits, _calendar(_mapping(data, "calendar", fail), fail))


def _mapping(data: dict, key: str, fail) -> dict:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise fail(key, "应为映射 / expected a mapping")
    return value


def _listed(data: dict, key: str, fail) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise fail(key, "应为列表 / expected a list")
    return value


def _deadline(value, where: str, fail) -> Deadline:
    """One limit: exactly one of sign_minutes / sign_working_minutes, one of handle_hours / handle_working_days."""
    need = (
        "需要 sign_minutes 或 sign_working_minutes，handle_hours 或 handle_working_days（非负整数）/ needs one of"
        " sign_minutes, sign_working_minutes and one of handle_hours, handle_working_days (whole numbers ≥ 0)"
    )
    if not isinstance(value, dict):
        raise fail(where, need)
    unknown = set(value) - {"sign_minutes", "sign_working_minutes", "handle_hours", "handle_working_days"}
    if unknown:
        raise fail(f"{where}.{sorted(unknown)[0]}", f"未知字段 unknown field; {need}")
    signs = [k for k in ("sign_minutes", "sign_working_minutes") if k in value]
    handles = [k for k in ("handle_hours", "handle_working_days") if k in value]
    if len(signs) != 1 or len(handles) != 1:
        raise fail(where, need)
    numbers = {}
    for key in (signs[0], handles[0]):
        number = value[key]
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 100_000:
            raise fail(f"{where}.{key}", f"应为非负整数 / a whole number ≥ 0 is needed, got {number!r}")
        numbers[key] = number
    return Deadline(
        sign_minutes=numbers[signs[0]],
        sign_working=signs[0] == "sign_working_minutes",
        handle_hours=numbers.get("handle_hours"),
        handle_working_days=numbers.get("handle_working_days"),
    )


HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _calendar(data: dict, fail) -> Calendar:
    unknown = set(data) - {"holidays", "workdays", "announced", "hours"}
    if unknown:
        raise fail(f"calendar.{sorted(unknown)[0]}", "未知字段 unknown field; holidays, workdays, announced, hours")
    days = {}
    for key in ("holidays", "workdays"):
        found = set()
        for n, value in enumerate(_listed(data, key, lambda w, m: fail(f"calendar.{w}", m)), start=1):
            try:
                found.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
            except ValueError:
                raise fail(f"calendar.{key}[{n}]", f"应为日期 YYYY-MM-DD / a date is needed, got {value!r}") from None
        days[key] = frozenset(found)
    both = days["holidays"] & days["workdays"]
    if both:
        raise fail("calendar.workdays", f"既是假日又是工作日 / both a holiday and a working day: {min(both)}")
    years = _listed(data, "announced", lambda w, m: fail(f"calendar.{w}", m))
    if not all(isinstance(y, int) and not isinstance(y, bool) and 2000 <= y <= 2100 for y in years):
        raise fail("calendar.announced", "应为年份列表 / a list of years is needed, e.g. [2027]")
    opens, closes = Calendar().opens, Calendar().closes
    if "hours" in data:
        match = HOURS.match(str(data["hours"]).strip())
        try:
            opens, closes = time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
        except (TypeError, ValueError):
            raise fail("calendar.hours", f'应为 "08:30-17:30" / like "08:30-17:30", got {data["hours"]!r}') from None
        if opens >= closes:
            raise fail("calendar.hours", "下班须晚于上班 / the day must close after it opens")
    return Calendar(days["holidays"], days["workdays"], frozenset(years), opens, closes)


def _lines(node, path: str = "", found: dict | None = None) -> dict[str, int]:
    """Each field's line in the file (rules[2].category → 7), for errors a person can find."""
    found = {} if found is None else found
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            where = f"{path}.{key.value}" if path else str(key.value)
            found[where] = key.start_mark.line + 1
            _lines(value, where, found)
    elif isinstance(node, yaml.SequenceNode):
        for n, value in enumerate(node.value, start=1):
            where = f"{path}[{n}]"
            found[where] = value.start_mark.line + 1
            _lines(value, where, found)
    return found


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Table:
    path = path or os.environ.get("LIFELINE_ROUTING")
    if not path:
        return Table()
    return parse(Path(path).read_text(encoding="utf-8"), path)
