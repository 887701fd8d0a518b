"""Typed Chinese addresses to points, offline (pure): 解放路88号, 枫林小区3栋, 地铁西山站B口, 石门路和青松街路口.

The gazetteer is made from a road network's named roads and places. An address is read in the forms call-takers
type — a road and house number, two roads at a crossing, an estate and building, a landmark, a road or a district
alone — with the names matched exactly, by their usual short forms (西山 for 西山路, 地铁石门站 for 石门地铁站, 二院 for
市第二人民医院) or, failing that, by edit similarity (rapidfuzz) so that a mistyped character still finds its place.
Every match has a confidence: a house number on a known road is near-certain, a road alone is not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from rapidfuzz.distance import Levenshtein

from lifeline.geo.network import Network, Place, Road

CONFIRM_BELOW = 0.7  # below this the call-taker is asked to confirm the place or drop a pin
FUZZY_AT_LEAST = 0.6  # edit similarity a mistyped name needs (one wrong character in three)
HOUSE_PAIR_M = "house_pair_m"  # network meta: metres per pair of house numbers where numbering is regular

# (suffix, kind it marks). Longest first, so 大道 is tried before 道.
ROAD_SUFFIXES = ("大道", "大街", "路", "街", "巷", "道")
ESTATE_SUFFIXES = ("小区", "花园", "新村", "家园", "雅居", "雅苑", "公寓", "名都", "人家", "新苑", "苑", "城", "里")
CROSSING = re.compile(r"(.{2,12}?)(?:和|与|跟|同|、|/|交)(.{2,12}?)(?:的)?(?:十字路口|交叉口|交汇处|交界处|路口|口)")
HOUSE = re.compile(r"(\d{1,5})(?:-\d+)?号(?!楼)")
BUILDING = re.compile(r"(\d{1,3})(?:栋|幢|号楼|座|#楼|#)")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# A number in words before 号 after a road's suffix (西山路八十八号), or of two characters or more (西山八十八号),
# or before 栋; not 一号 in a name (滨江一号).
CN_NUMBER = re.compile(
    r"(?<=[路街道巷弄])[零〇一二两三四五六七八九十百千]+(?=号)|[零〇一二两三四五六七八九十百千]{2,}(?=号)"
    r"|[零〇一二两三四五六七八九十百千]+(?=栋|幢|号楼|座)"
)


@dataclass(frozen=True)
class Match:
    lat: float
    lon: float
    confidence: float
    place: str  # what was found, as the gazetteer names it (西山区西山路88号)
    kind: str  # address | crossing | estate | landmark | poi | station | street | road | district

    @property
    def needs_confirming(self) -> bool:
        return self.confidence < CONFIRM_BELOW


def _cn_number(text: str) -> int:
    """一百二十三 → 123, 八十八 → 88, 十五 → 15, 三零五 → 305."""
    if "十" not in text and "百" not in text and "千" not in text:
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total, digit = 0, 0
    for c in text:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = 0
    return total + digit


def normalise(text: str) -> str:
    """Full-width to half-width, no spaces or punctuation that call-takers scatter, Chinese house numbers as digits."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("，", "").replace(",", "")
    return CN_NUMBER.sub(lambda m: str(_cn_number(m.group(0))), text)


def short_forms(name: str, kind: str) -> set[str]:
    """The names a place goes by besides its own."""
    forms = {name}
    if kind == "road":
        for suffix in ROAD_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.add(name[: -len(suffix)])
                break
    elif kind == "estate":
        for suffix in ESTATE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                core = name[: -len(suffix)]
                forms |= {core, core + "小区"}
                break
        forms.add(name + "小区")
    elif kind in ("landmark", "poi", "station"):
        if m := re.fullmatch(r"(.{2,})地铁站", name):
            forms |= {f"地铁{m[1]}站", f"{m[1]}站"}
        if m := re.fullmatch(r"市?第?([一二三四五六七八九十]+)人民医院", name.removeprefix("市")):
            forms |= {f"{m[1]}院", f"市{m[1]}院", f"第{m[1]}人民医院", f"市{m[1]}医院"}
        if m := re.fullmatch(r"市(.{2,})", name):
            forms.add(m[1])
    elif kind in ("district", "street"):
        for suffix in ("区", "街道", "县", "镇"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.add(name[: -len(suffix)])
    return forms


@dataclass(frozen=True)
class Entry:
    alias: str
    name: str
    kind: str
    district: str
    place: Place | None = None
    road: str = ""
    bare: bool = False  # a short form too plain to stand alone (枫林 for 枫林苑): only before a number or building


class Gazetteer:
    def __init__(self, network: Network):
        self.network = network
        entries: list[Entry] = []
        for name, pieces in network.road_index.items():
            for alias in short_forms(name, "road"):
                entries.append(Entry(alias, name, "road", pieces[0].district, road=name, bare=alias != name))
        for place in network.places:
            if place.kind == "address":
                continue
            for alias in short_forms(place.name, place.kind):
                bare = place.kind in ("estate", "district", "street") and len(alias) < len(place.name)
                bare = bare and not alias.endswith("小区")
                entries.append(Entry(alias, place.name, place.kind, place.district, place=place, bare=bare))
        self.addresses: dict[str, list[Place]] = {}
        for place in network.places:
            if place.kind == "address":
                self.addresses.setdefault(place.road, []).append(place)
        # A street known only from its address points (a footway, a road cut from the network) is a road too.
        for name in self.addresses.keys() - network.road_index.keys():
            forms = short_forms(name, "road")
            entries.extend(Entry(alias, name, "road", "", road=name, bare=alias != name) for alias in forms)
        # Longest alias first: 枫林大道 before 枫林.
        self.entries = sorted(entries, key=lambda e: -len(e.alias))

    @cached_property
    def districts(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "district"]

    # Finding names ------------------------------------------------------------------------------------------

    def _ending(self, text: str, kinds: set[str], district: str) -> tuple[Entry, float] | None:
        """The name the text ends with (exactly, or by edit similarity), of one of the kinds."""
        for entry in self.entries:
            if entry.kind in kinds and text.endswith(entry.alias) and len(entry.alias) >= 2:
                return entry, 1.0
        best: tuple[Entry, float] | None = None
        for entry in self.entries:
            if entry.kind not in kinds or len(entry.alias) < 3:
                continue
            for width in {len(entry.alias) - 1, len(entry.alias), len(entry.alias) + 1}:
                tail = text[-width:] if width > 0 else ""
                similarity = Levenshtein.normalized_similarity(tail, entry.alias)
                if district and entry.district == district:
                    similarity += 0.01  # the district the caller named breaks ties
                if similarity >= FUZZY_AT_LEAST and (best is None or similarity > best[1]):
                    best = entry, min(similarity, 1.0)
        return best

    def _contained(self, text: str, kinds: set[str], district: str) -> tuple[Entry, float] | None:
        """The longest name of one of the kinds anywhere in the text, exactly, else the best window by similarity."""
        found = [e for e in self.entries if e.kind in kinds and not e.bare and e.alias in text]
        if found:
            in_district = [e for e in found if not district or e.district == district]
            return (in_district or found)[0], 1.0
        best: tuple[Entry, float] | None = None
        for entry in self.entries:
            if entry.kind not in kinds or entry.bare or len(entry.alias) < 3:
                continue
            width = len(entry.alias)
            least = 0.74 if width >= 4 else 0.66  # one wrong character (a three-character name is then unsure)
            for start in range(0, max(len(text) - width + 1, 1)):
                similarity = Levenshtein.normalized_similarity(text[start : start + width], entry.alias)
                if similarity >= least and (best is None or similarity > best[1]):
                    best = entry, similarity
        return best

    def _district(self, text: str) -> str:
        """The district the text names in full (西山区; 西山 alone may be 西山路)."""
        return next((e.name for e in self.districts if not e.bare and e.alias in text), "")

    # Placing ------------------------------------------------------------------------------------------------

    def _pieces(self, name: str) -> list[Road]:
        return self.network.road_index.get(name, [])

    def _house(self, road: str, number: int) -> tuple[float, float, float]:
        """Where house `number` is on the road, and how sure: an address point, interpolation between two, the
        network's regular numbering, or only the road's middle."""
        points = self.addresses.get(road, [])
        exact = [p for p in points if p.number == number]
        if exact:
            return exact[0].lat, exact[0].lon, 0.95
        same_side = sorted((p for p in points if p.number % 2 == number % 2), key=lambda p: p.number)
        below = [p for p in same_side if p.number < number]
        above = [p for p in same_side if p.number > number]
        if below and above:
            a, b = below[-1], above[0]
            t = (number - a.number) / (b.number - a.number)
            return a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon), 0.85
        pieces = self._pieces(road)
        if not pieces:  # only address points: the nearest number on the same street
            closest = min(points, key=lambda p: abs(p.number - number))
            return closest.lat, closest.lon, 0.6
        pair = self.network.meta.get(HOUSE_PAIR_M)
        longest = max(pieces, key=self.network.length)
        if pair:
            metres = house_metres(number, pair)
            lat, lon = self.network.point_along(longest, metres)
            return lat, lon, 0.95 if metres <= self.network.length(longest) else 0.6
        lat, lon = self.network.point_along(longest, self.network.length(longest) / 2)
        return lat, lon, 0.5

    def _crossing(self, first: str, second: str) -> tuple[float, float, float]:
        """Where two roads meet (or come closest)."""
        if not self._pieces(first) or not self._pieces(second):
            lat1, lon1 = self._road_middle(first)
            lat2, lon2 = self._road_middle(second)
            return (lat1 + lat2) / 2, (lon1 + lon2) / 2, 0.3
        a = np.concatenate([list(r.nodes) for r in self._pieces(first)])
        b = np.concatenate([list(r.nodes) for r in self._pieces(second)])
        xy = self.network.xy
        gaps = np.hypot(*(xy[a][:, None, :] - xy[b][None, :, :]).transpose(2, 0, 1))
        i, j = np.unravel_index(np.argmin(gaps), gaps.shape)
        lat, lon = self.network.unproject((xy[a[i]] + xy[b[j]]) / 2)
        return lat, lon, 0.95 if gaps[i, j] <= 50 else 0.55

    def _road_middle(self, name: str) -> tuple[float, float]:
        if not self._pieces(name):
            points = self.addresses[name]
            return sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points)
        longest = max(self._pieces(name), key=self.network.length)
        return self.network.point_along(longest, self.network.length(longest) / 2)

    def locate(self, text: str) -> Match | None:
        """The place a typed address names, or None when it names nothing the gazetteer knows."""
        text = normalise(text)
        if not text:
            return None
        district = self._district(text)
        prefix = district

        if crossing := CROSSING.search(text):
            first = self._ending(crossing[1], {"road"}, district)
            second = self._ending(crossing[2], {"road"}, district) or self._contained(crossing[2], {"road"}, district)
            if first and second and first[0].road != second[0].road:
                lat, lon, sure = self._crossing(first[0].road, second[0].road)
                sure *= first[1] * second[1]
                place = f"{prefix}{first[0].road}与{second[0].road}交叉口"
                return Match(lat, lon, round(sure, 2), place, "crossing")

        if house := HOUSE.search(text):
            found = self._ending(text[: house.start()], {"road"}, district)
            if found:
                entry, similarity = found
                number = int(house[1])
                lat, lon, sure = self._house(entry.road, number)
                return Match(lat, lon, round(sure * similarity, 2), f"{prefix}{entry.road}{number}号", "address")

        rest = text.replace(district, "") if district else text
        if building := BUILDING.search(text):
            found = self._ending(text[: building.start()], {"estate", "poi", "landmark"}, district)
            if found:
                entry, similarity = found
                place = entry.place
                return Match(place.lat, place.lon, round(0.9 * similarity, 2), f"{entry.name}{building[1]}栋", "estate")
        if found := self._contained(rest, {"estate", "landmark", "poi", "station"}, district):
            entry, similarity = found
            return Match(entry.place.lat, entry.place.lon, round(0.9 * similarity, 2), entry.name, entry.kind)
        if road := self._contained(rest, {"road"}, district):
            lat, lon = self._road_middle(road[0].road)
            return Match(lat, lon, round(0.5 * road[1], 2), f"{prefix}{road[0].road}", "road")
        if found := self._contained(rest, {"street"}, district):  # a 街道 (sub-district) alone
            entry, similarity = found
            return Match(entry.place.lat, entry.place.lon, round(0.3 * similarity, 2), entry.name, "street")
        if district:
            place = next(e.place for e in self.districts if e.name == district)
            return Match(place.lat, place.lon, 0.2, district, "district")
        return None


def house_metres(number: int, pair_m: float) -> float:
    """Where regular numbering puts a house: numbers 1 and 2 at the start, each next pair `pair_m` further on."""
    return (max(number, 1) - 1) // 2 * pair_m + pair_m / 2
