"""When repeat trouble becomes a governance case (pure): the same address or the same two parties, again and again.

A dispute-kind incident counts; the `Threshold`th one within `days` at one place (within `metres`, or the same
typed address when either has no point) or between the same pair of parties opens a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations

from lifeline.callers.scoring import normalise_number
from lifeline.triage.duplicates import metres as distance

# Disputes a mediator can settle: neighbours, families, landlord and tenant, noise.
DISPUTES = frozenset({"dispute_neighbor", "dispute_family", "dispute_property", "noise"})


@dataclass(frozen=True)
class Threshold:
    incidents: int = 4  # the 4th dispute opens a case; the 3rd does not
    days: int = 30
    metres: float = 30.0  # this close is "the same address"

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.days)


DEFAULT = Threshold()


def party_key(phone: str | None, name: str | None) -> str | None:
    """One party is one key: the normalised number when there is one, else the name without spaces."""
    number = normalise_number(phone)
    if number and len(number) >= 3:
        return number
    words = "".join((name or "").split())
    return f"name:{words}" if words else None


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def pairs(keys) -> list[tuple[str, str]]:
    """Every pair among an incident's parties (the caller and those the desk recorded), each once, sorted."""
    return [pair(a, b) for a, b in combinations(sorted(set(keys)), 2)]


def same_address(text: str | None) -> str:
    """A typed address compared without spaces or case."""
    return "".join((text or "").split()).lower()


@dataclass(frozen=True)
class Sighting:
    """An incident as the rule sees it."""

    id: int
    at: datetime
    category: str
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    parties: frozenset[str] = field(default_factory=frozenset)


def same_place(a: Sighting, b: Sighting, threshold: Threshold = DEFAULT) -> bool:
    if None not in (a.lat, a.lon, b.lat, b.lon):
        return distance(a.lat, a.lon, b.lat, b.lon) <= threshold.metres
    return bool(same_address(a.address)) and same_address(a.address) == same_address(b.address)


@dataclass(frozen=True)
class Verdict:
    """Why a case opens: the place, the pair (either may be None) and the incidents that made it."""

    incidents: tuple[int, ...]
    at_place: bool
    parties: tuple[str, str] | None


def decide(new: Sighting, others: list[Sighting], threshold: Threshold = DEFAULT) -> Verdict | None:
    """Does `new` (with the incidents before it) make repeat trouble? None when it is not a dispute or the count at
    its place and between each pair of its parties stays under the threshold."""
    if new.category not in DISPUTES:
        return None
    since = new.at - threshold.window
    window = [s for s in others if s.id != new.id and s.category in DISPUTES and since <= s.at <= new.at]
    here = sorted({new.id, *(s.id for s in window if same_place(new, s, threshold))})
    best: tuple[tuple[int, ...], tuple[str, str]] | None = None
    for p in pairs(new.parties):
        between = sorted({new.id, *(s.id for s in window if set(p) <= s.parties)})
        if len(between) >= threshold.incidents and (best is None or len(between) > len(best[0])):
            best = (tuple(between), p)
    at_place = len(here) >= threshold.incidents
    if not at_place and best is None:
        return None
    ids = set(here if at_place else ()) | set(best[0] if best else ())
    return Verdict(tuple(sorted(ids)), at_place, best[1] if best else None)


@dataclass(frozen=True)
class CaseView:
    """An existing case as the rule sees it: where, between whom, open or when it closed."""

    id: int
    lat: float | None
    lon: float | None
    address: str
    parties: tuple[str, str] | None
    closed_at: datetime | None


def concerns(case: CaseView, new: Sighting, threshold: Threshold = DEFAULT) -> bool:
    """An incident of any kind at the case's place or between its pair: the desk should see the case."""
    place = Sighting(0, new.at, new.category, case.lat, case.lon, case.address)
    if (case.lat is not None or case.address) and same_place(place, new, threshold):
        return True
    return case.parties is not None and set(case.parties) <= new.parties


def matches(case: CaseView, new: Sighting, threshold: Threshold = DEFAULT) -> bool:
    """A dispute that belongs to the case: at its place or between its pair, while it is open or within the window
    after it closed (it reopens the case)."""
    if new.category not in DISPUTES:
        return False
    if case.closed_at is not None and new.at - case.closed_at > threshold.window:
        return False
    return concerns(case, new, threshold)
