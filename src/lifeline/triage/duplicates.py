"""Is a new report about an incident that is already open? (pure)

Twenty people calling about one fire are one incident with twenty reports. A report is offered for
merging when it is close in time and place, and its words or category agree. Place comes from
coordinates when both sides have them, else from the address; the same caller calling again within the
hour counts as a place where none is known (a caller rings back: "the police are not here yet").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

WINDOW_MINUTES = 60
NEAR_METRES = 300
FAR_METRES = 2000
OFFER_AT = 0.55


@dataclass
class Sighting:
    text: str
    at: datetime
    category: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    caller: str | None = None


# Categories two callers may give one event: one says a fight, the other a knife attack; one a crash, the other a
# car burning. A new report is compared with open incidents of its own group, within the window.
RELATED: tuple[frozenset[str], ...] = (
    frozenset({"violent_crime", "fight", "domestic_violence", "public_order", "mass_incident", "sexual_offense"}),
    frozenset({"traffic_accident", "traffic_violation", "fire", "medical_emergency"}),
    frozenset({"fire", "gas_leak", "disaster_rescue", "public_hazard", "medical_emergency"}),
    frozenset({"theft", "fraud"}),
    frozenset({"missing_person", "suicide_risk", "disaster_rescue"}),
)


def related(category: str) -> list[str]:
    """The category and those that may describe the same event, sorted."""
    return sorted({category}.union(*(group for group in RELATED if category in group)))


SAME_CALLER_PLACE = 0.8
SAME_CALLER_BONUS = 0.1


@dataclass
class Match:
    score: float
    reasons: list[str]


@lru_cache(maxsize=8192)
def _bigrams(text: str) -> frozenset[str]:
    # Texts here are already normalised by triage (NFKC, simplified): only letters and digits count.
    text = "".join(ch for ch in text.lower() if ch.isalnum())
    return frozenset({text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set()))


def overlap(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams, 0..1."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    shared = len(x & y)
    return shared / (len(x) + len(y) - shared)  # the union's size, without building it


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def _place(new: Sighting, old: Sighting) -> tuple[float | None, str | None]:
    """Closeness 0..1 of the two places, or None when neither coordinates nor addresses tell."""
    if None not in (new.lat, new.lon, old.lat, old.lon):
        d = metres(new.lat, new.lon, old.lat, old.lon)
        closeness = 1.0 if d <= NEAR_METRES else max(0.0, 1 - (d - NEAR_METRES) / (FAR_METRES - NEAR_METRES))
        return closeness, f"相距约 {d:.0f} 米"
    if new.address and old.address:
        sim = overlap(new.address, old.address)
        return sim, f"地址相似度 {sim:.0%}"
    return None, None


def match(new: Sighting, old: Sighting) -> Match | None:
    """The strength of the case that `new` reports the same thing as `old`, or None when it is weak."""
    minutes = abs((new.at - old.at).total_seconds()) / 60
    if minutes > WINDOW_MINUTES:
        return None
    place, place_reason = _place(new, old)
    if place is not None and place < 0.5:
        return None  # known to be elsewhere, whatever the words
    words = overlap(new.text, old.text)
    same_category = new.category == old.category
    same_caller = new.caller is not None and new.caller == old.caller
    if place is None and same_caller:
        place = SAME_CALLER_PLACE
    if place is None:
        # With no place on one side, only near-identical words count (a repeated SMS, say).
        if words < 0.6:
            return None
        place = words
    score = 0.4 * place + 0.3 * words + 0.2 * (1 - minutes / WINDOW_MINUTES) + 0.1 * same_category
    score = min(1.0, score + SAME_CALLER_BONUS * same_caller)
    if score < OFFER_AT:
        return None
    reasons = [f"{minutes:.0f} 分钟内"]
    if same_caller:
        reasons.append("同一来电号码")
    if place_reason:
        reasons.append(place_reason)
    reasons.append(f"内容相似度 {words:.0%}")
    if same_category:
        reasons.append("警情类别相同")
    return Match(round(score, 3), reasons)
