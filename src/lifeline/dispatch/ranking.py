"""Which unit to send (pure): the soonest there by road, the covering station first among similar times.

With a road network and a placed incident, each available unit has a travel time (geo.routing); a unit of the
station that covers the address goes before a faster one from elsewhere when it is at most JURISDICTION_SLACK_S
slower, since it knows the ground and keeps the other station's area covered. Units beyond the search's bound,
and every unit when there is no network or no place, follow by jurisdiction and straight-line distance.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.triage.duplicates import metres

JURISDICTION_SLACK_S = 60.0


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
    metres: float | None  # straight line
    eta_s: float | None = None  # by road
    road_metres: float | None = None
    why: tuple[tuple[str, str], ...] = ()  # (Chinese, English) reasons


def in_jurisdiction(address: str, jurisdiction: str) -> bool:
    """A station covers an address when a place it names (天河区, 石牌街道…) is in it."""
    places = [p for p in jurisdiction.replace("，", " ").replace(",", " ").split() if len(p) >= 2]
    return any(place in address for place in places)


def _why(r: Ranked, fastest: float | None) -> tuple[tuple[str, str], ...]:
    """Why the unit is where it is in the list, each reason in Chinese and English."""
    parts = []
    slower = r.eta_s is not None and fastest is not None and r.eta_s > fastest
    if r.eta_s is not None:
        km, minutes = r.road_metres / 1000, r.eta_s / 60
        parts.append((f"道路 {km:.1f} 公里，约 {minutes:.0f} 分钟", f"{km:.1f} km by road, about {minutes:.0f} min"))
        if r.in_jurisdiction and slower:
            gap = r.eta_s - fastest
            parts.append((f"辖区警力，仅慢 {gap:.0f} 秒", f"covering station, only {gap:.0f} s slower"))
    elif r.metres is not None:
        km = r.metres / 1000
        parts.append((f"直线 {km:.1f} 公里，道路时间未知", f"{km:.1f} km in a straight line, no road time"))
    else:
        parts.append(("位置未知", "position unknown"))
    if r.in_jurisdiction and not slower:
        parts.append(("辖区派出所", "covering station"))
    return tuple(parts)


def rank(
    candidates: list[Candidate],
    lat: float | None,
    lon: float | None,
    covering: set[int],
    times: dict[int, tuple[float | None, float | None]] | None = None,
    limit: int | None = None,
) -> list[Ranked]:
    """Available units only, best first (the first `limit`). `times` maps a unit id to its (eta_s, road_metres)
    when a network timed it."""
    times = times or {}
    ranked = []
    for c in candidates:
        if c.status != "available":
            continue
        distance = None
        if None not in (lat, lon, c.lat, c.lon):
            distance = metres(lat, lon, c.lat, c.lon)
        eta, road = times.get(c.unit_id, (None, None))
        ranked.append(Ranked(c.unit_id, c.org_id in covering, distance, eta, road))

    def key(r: Ranked):
        if r.eta_s is not None:
            return (0, r.eta_s - (JURISDICTION_SLACK_S if r.in_jurisdiction else 0.0), r.unit_id)
        return (1, not r.in_jurisdiction, r.metres is None, r.metres or 0.0, r.unit_id)

    ranked.sort(key=key)
    fastest = min((r.eta_s for r in ranked if r.eta_s is not None), default=None)
    shown = ranked[:limit] if limit is not None else ranked
    return [Ranked(r.unit_id, r.in_jurisdiction, r.metres, r.eta_s, r.road_metres, _why(r, fastest)) for r in shown]


# Run cards (预案) ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    name: str
    version: int
    area: str  # a station's code, "" anywhere
    category: str  # "" any
    from_hour: int
    to_hour: int
    units: dict[str, int]  # unit kind → how many


def _in_hours(hour: int, start: int, end: int) -> bool:
    return start <= hour < end if start <= end else hour >= start or hour < end


def card_for(cards: list[Card], areas: set[str], category: str, hour: int) -> Card | None:
    """The card in force for an incident: of its covering station's area (or anywhere), of its category (or any),
    at its hour; the most specific first (area and category, then category, then area, then the default), the
    narrowest hours among equals."""
    fitting = [
        c
        for c in cards
        if (not c.area or c.area in areas) and (not c.category or c.category == category)
        and _in_hours(hour, c.from_hour, c.to_hour)
    ]  # fmt: skip
    width = lambda c: (c.to_hour - c.from_hour) % 24 or 24  # noqa: E731
    return min(fitting, key=lambda c: (not c.category, not c.area, width(c), c.name), default=None)


def fill(card: Card, ranked: list[Ranked], kinds: dict[int, str]) -> tuple[list[int], dict[str, int]]:
    """The units the card asks for, best ranked first of each kind, and what is still missing by kind."""
    wanted = dict(card.units)
    chosen = []
    for r in ranked:
        kind = kinds.get(r.unit_id)
        if wanted.get(kind, 0) > 0:
            chosen.append(r.unit_id)
            wanted[kind] -= 1
    return chosen, {k: n for k, n in wanted.items() if n > 0}
