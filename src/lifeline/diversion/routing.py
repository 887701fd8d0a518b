"""Where a diverted matter goes, and how long each step may take.

By default an order goes to the organisation that `serves` the category's most specific
destination (market_regulation → 市场监管局), else to the 12345 centre. A deployment may add a
YAML table (LIFELINE_ROUTING) of rules — category and optional district → organisation code —
and deadlines per category; a bad file gets an error naming the line and the field.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from lifeline import taxonomy as _taxonomy


@dataclass(frozen=True)
class Deadline:
    sign_minutes: int
    handle_hours: int


DEFAULT_DEADLINE = Deadline(sign_minutes=30, handle_hours=72)
# A linkage unit (119, 120, gas, power) joins a live incident: it signs within minutes.
LINKAGE_DEADLINE = Deadline(sign_minutes=2, handle_hours=4)
# Some matters cannot wait three days: a blocked car, a cut supply, a loose dog.
BUILT_IN_DEADLINES = {
    "car_moving": Deadline(5, 1),
    "utility_outage": Deadline(15, 24),
    "lockout": Deadline(10, 2),
    "animal": Deadline(15, 12),
    "municipal_facility": Deadline(30, 24),
}


@dataclass(frozen=True)
class Rule:
    category: str
    org: str
    district: str | None = None


@dataclass(frozen=True)
class Table:
    rules: tuple[Rule, ...] = ()
    deadlines: dict[str, Deadline] = field(default_factory=dict)

    def deadline(self, category: str) -> Deadline:
        return self.deadlines.get(category) or BUILT_IN_DEADLINES.get(category) or DEFAULT_DEADLINE


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
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RoutingError(source, mark.line + 1 if mark else None, "yaml", str(exc)) from exc
    if not isinstance(data, dict):
        raise RoutingError(source, 1, "top", "应为映射 expected a mapping with 'rules' and 'deadlines'")
    categories = _taxonomy.default().categories
    rules = []
    for n, item in enumerate(data.get("rules") or [], start=1):
        where = f"rules[{n}]"
        if not isinstance(item, dict) or "category" not in item or "org" not in item:
            raise RoutingError(source, None, where, "需要 category 与 org / needs category and org")
        if item["category"] not in categories:
            raise RoutingError(source, None, f"{where}.category", f"未知类别 unknown category {item['category']!r}")
        rules.append(Rule(str(item["category"]), str(item["org"]), item.get("district")))
    deadlines = {}
    for category, value in (data.get("deadlines") or {}).items():
        where = f"deadlines.{category}"
        if category not in categories:
            raise RoutingError(source, None, where, f"未知类别 unknown category {category!r}")
        try:
            deadlines[category] = Deadline(int(value["sign_minutes"]), int(value["handle_hours"]))
        except (TypeError, KeyError, ValueError) as exc:
            raise RoutingError(source, None, where, "需要整数 sign_minutes 与 handle_hours / integers needed") from exc
    return Table(tuple(rules), deadlines)


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Table:
    path = path or os.environ.get("LIFELINE_ROUTING")
    if not path:
        return Table()
    return parse(Path(path).read_text(encoding="utf-8"), path)
