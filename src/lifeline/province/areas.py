"""Which city of the province a place belongs to (pure: no database).

Each city has a code, a name, its districts' names, a centre and a radius, and its neighbours. A place is the city
whose area holds its coordinates (the nearest centre within its radius); without coordinates, the city whose name
or one of whose districts' names the address or the caller's words name (the longest name found wins, so 南昌县
is not read as 南昌市 and 青山湖区 is not read as 青山区). Nothing found: None, and a person decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class City:
    code: str  # the peer-name stem of its deployments: <code>-110, <code>-12345
    name: str
    lat: float
    lon: float
    radius_km: float = 60.0
    districts: tuple[str, ...] = ()
    neighbours: tuple[str, ...] = ()  # city codes

    @property
    def desk(self) -> str:
        return f"{self.code}-110"

    @property
    def hotline(self) -> str:
        return f"{self.code}-12345"


@dataclass(frozen=True)
class Province:
    name: str
    cities: dict[str, City] = field(default_factory=dict)

    def by_desk(self, peer: str) -> City | None:
        return next((c for c in self.cities.values() if peer in (c.desk, c.hotline)), None)

    def city_of(self, lat: float | None, lon: float | None, *texts: str | None) -> City | None:
        if lat is not None and lon is not None:
            inside = [(distance_km(lat, lon, c.lat, c.lon), c) for c in self.cities.values()]
            inside = [(d, c) for d, c in inside if d <= c.radius_km]
            if inside:
                return min(inside, key=lambda pair: pair[0])[1]
        words = " ".join(t for t in texts if t)
        found = [(len(name), c) for c in self.cities.values() for name in (c.name, *c.districts) if name in words]
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def reached(self, lat: float, lon: float, km: float, but: str | None = None) -> list[City]:
        """The cities (except `but`) whose area comes within `km` of the point, nearest first."""
        edges = [(distance_km(lat, lon, c.lat, c.lon) - c.radius_km, c) for c in self.cities.values() if c.code != but]
        return [c for edge, c in sorted(edges, key=lambda pair: pair[0]) if edge <= km]

    def within(self, code: str, rings: int) -> list[City]:
        """The city and the cities up to `rings` neighbours away from it, nearest first."""
        seen, ring = [code], [code]
        for _ in range(rings):
            ring = [n for c in ring for n in self.cities[c].neighbours if n in self.cities and n not in seen]
            seen += list(dict.fromkeys(ring))
        return [self.cities[c] for c in seen]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


# Jiangxi's 11 cities: their seats' positions (rounded), districts and counties, and the cities they border.
JIANGXI = Province(
    "江西省",
    {
        c.code: c
        for c in (
            City("nanchang", "南昌", 28.68, 115.86, 60,
                 ("东湖区", "西湖区", "青云谱区", "青山湖区", "新建区", "红谷滩区", "南昌县", "进贤县", "安义县"),
                 ("jiujiang", "yichun", "fuzhou", "shangrao")),
            City("jiujiang", "九江", 29.71, 116.00, 90,
                 ("浔阳区", "濂溪区", "柴桑区", "瑞昌市", "共青城市", "庐山市", "武宁县", "修水县", "永修县", "都昌县",
                  "湖口县", "彭泽县", "德安县"),
                 ("nanchang", "jingdezhen", "shangrao", "yichun")),
            City("jingdezhen", "景德镇", 29.27, 117.18, 60, ("昌江区", "珠山区", "乐平市", "浮梁县"),
                 ("jiujiang", "shangrao")),
            City("pingxiang", "萍乡", 27.62, 113.85, 50, ("安源区", "湘东区", "莲花县", "上栗县", "芦溪县"),
                 ("yichun", "jian")),
            City("xinyu", "新余", 27.82, 114.92, 45, ("渝水区", "分宜县"), ("yichun", "jian")),
            City("yingtan", "鹰潭", 28.26, 117.07, 45, ("月湖区", "余江区", "贵溪市"), ("shangrao", "fuzhou")),
            City("ganzhou", "赣州", 25.83, 114.93, 150,
                 ("章贡区", "南康区", "赣县区", "瑞金市", "龙南市", "信丰县", "大余县", "上犹县", "崇义县", "安远县",
                  "定南县", "全南县", "宁都县", "于都县", "兴国县", "会昌县", "寻乌县", "石城县"),
                 ("jian", "fuzhou")),
            City("yichun", "宜春", 27.81, 114.42, 80,
                 ("袁州区", "丰城市", "樟树市", "高安市", "奉新县", "万载县", "上高县", "宜丰县", "靖安县", "铜鼓县"),
                 ("nanchang", "jiujiang", "pingxiang", "xinyu", "jian")),
            City("shangrao", "上饶", 28.45, 117.94, 100,
                 ("信州区", "广丰区", "广信区", "德兴市", "玉山县", "铅山县", "横峰县", "弋阳县", "余干县", "鄱阳县",
                  "万年县", "婺源县"),
                 ("nanchang", "jiujiang", "jingdezhen", "yingtan", "fuzhou")),
            City("jian", "吉安", 27.11, 114.99, 110,
                 ("吉州区", "青原区", "井冈山市", "吉安县", "吉水县", "峡江县", "新干县", "永丰县", "泰和县", "遂川县",
                  "万安县", "安福县", "永新县"),
                 ("pingxiang", "xinyu", "yichun", "fuzhou", "ganzhou")),
            City("fuzhou", "抚州", 27.95, 116.36, 90,
                 ("临川区", "东乡区", "南城县", "黎川县", "南丰县", "崇仁县", "乐安县", "宜黄县", "金溪县", "资溪县",
                  "广昌县"),
                 ("nanchang", "yingtan", "shangrao", "jian", "ganzhou")),
        )
    },
)  # fmt: skip
