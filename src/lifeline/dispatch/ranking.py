"""Which unit to send (pure): its own station's jurisdiction first, then the nearest in a straight line."""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.triage.duplicates import metres


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    org_id: int
    status: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class Ranked:
    unit_id: int
    in_jurisdiction: bool
    metres: float | None


def in_jurisdiction(address: str, jurisdiction: str) -> bool:
    """A station covers an address when a place it names (天河区, 石牌街道…) is in it."""
    places = [p for p in jurisdiction.replace("，", " ").replace(",", " ").split() if len(p) >= 2]
    return any(place in address for place in places)


def rank(candidates: list[Candidate], lat: float | None, lon: float | None, covering: set[int]) -> list[Ranked]:
    """Available units only; those of a covering station first, each group nearest first, unknown positions last."""
    ranked = []
    for c in candidates:
        if c.status != "available":
            continue
        distance = None
        if None not in (lat, lon, c.lat, c.lon):
            distance = metres(lat, lon, c.lat, c.lon)
        ranked.append(Ranked(c.unit_id, c.org_id in covering, distance))
    return sorted(ranked, key=lambda r: (not r.in_jurisdiction, r.metres is None, r.metres or 0.0, r.unit_id))
