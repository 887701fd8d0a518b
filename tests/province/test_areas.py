"""Which city a place is in: by its coordinates, else by the names it gives (the longest wins); rings of
neighbours for a widening alert."""

from __future__ import annotations

from lifeline.peering.peers import parse
from lifeline.province.areas import JIANGXI
from lifeline.province.service import of_peers


def test_coordinates_decide_first_and_the_nearest_centre_wins():
    assert JIANGXI.city_of(29.70, 116.01).code == "jiujiang"
    assert JIANGXI.city_of(28.69, 115.90, "九江市浔阳区").code == "nanchang"  # the position, not the words
    assert JIANGXI.city_of(40.0, 116.4) is None  # Beijing: no city of the province


def test_without_coordinates_the_longest_name_found_decides():
    assert JIANGXI.city_of(None, None, "我在南昌，我妈在九江市浔阳区家里").code == "jiujiang"
    assert JIANGXI.city_of(None, None, "南昌县莲塘镇").code == "nanchang"
    assert JIANGXI.city_of(None, None, "婺源县江湾镇", "").code == "shangrao"
    assert JIANGXI.city_of(None, None, "人民路18号") is None


def test_rings_of_neighbours_widen_outward_without_repeating():
    first = [c.code for c in JIANGXI.within("pingxiang", 1)]
    assert first == ["pingxiang", "yichun", "jian"]
    second = [c.code for c in JIANGXI.within("pingxiang", 2)]
    assert second[:3] == first and len(second) == len(set(second)) and "nanchang" in second
    assert len(JIANGXI.within("nanchang", 10)) == 11  # every city is reachable


def test_the_hub_knows_only_the_cities_among_its_peers():
    key = "k" * 20
    entry = "  {}-110: {{url: 'http://x', role: '110', send_key: k1, keys: {{k1: '{}'}}}}\n"
    peers = parse("name: hub\npeers:\n" + "".join(entry.format(c, key) for c in ("nanchang", "jiujiang")))
    province = of_peers(peers)
    assert set(province.cities) == {"nanchang", "jiujiang"}
    assert province.cities["nanchang"].neighbours == ("jiujiang",)
    assert province.by_desk("jiujiang-110").name == "九江"
