"""示范市, the demo city: districts, organisations, people and patrol units, built by code.

The layout is invented around real-looking coordinates (lat 23.06–23.18, lon 113.22–113.40, the size of a
city centre). `seed(url)` puts it into a database and may be run again: what exists is left alone.
`write_layers(path)` writes the districts as a GeoJSON FeatureCollection for LIFELINE_CITY_LAYERS.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from lifeline import taxonomy

CITY_NAME = "示范市"
PASSWORD = "lifeline-demo"
UNITS_PER_DISTRICT = 10
UNITS_SEED = 110


@dataclass(frozen=True)
class District:
    code: str  # also the prefix of its units' codes
    name: str
    short: str
    polygon: tuple[tuple[float, float], ...]  # (lon, lat), GeoJSON order, not closed
    streets: tuple[str, ...]  # 街道 (sub-districts)
    roads: tuple[str, ...]
    estates: tuple[str, ...]  # 小区
    landmarks: tuple[str, ...]
    arrive_minutes: int = 5  # the zone: police must arrive within these minutes (Anhui's 1, 3 and 5)

    @property
    def station_code(self) -> str:
        return f"PS_{self.code}"

    @property
    def station_name(self) -> str:
        return f"{self.short}派出所"

    @property
    def jurisdiction(self) -> str:
        return " ".join((self.name, *self.streets, *self.roads))


# Two rows of cells on a 0.06° grid; the middle boundary is bent so the map does not look ruled.
_S, _M, _N = 23.06, 23.12, 23.18
_MID = ((113.22, 23.118), (113.283, 23.124), (113.336, 23.115), (113.40, 23.121))

DISTRICTS: tuple[District, ...] = (
    District(
        "XS",
        "西山区",
        "西山",
        ((113.22, _N), (113.22, _MID[0][1]), _MID[1], (113.28, _N)),
        ("西山街道", "枫林街道", "石门街道"),
        ("西山路", "枫林大道", "石门路", "青松街"),
        ("枫林苑", "松涛花园", "西山新村", "石门雅居"),
        ("西山公园", "市第二人民医院", "石门地铁站", "枫林菜市场"),
    ),
    District(
        "CB",
        "城北区",
        "城北",
        ((113.28, _N), _MID[1], _MID[2], (113.34, _N)),
        ("北站街道", "文昌街道", "新华街道"),
        ("文昌路", "北站路", "新华大道", "学院街"),
        ("文昌花园", "学府雅苑", "北站小区", "新华里"),
        ("示范北站", "理工大学", "文昌菜市场", "城北体育馆"),
        3,
    ),
    District(
        "DH",
        "东湖区",
        "东湖",
        ((113.34, _N), _MID[2], _MID[3], (113.40, _N)),
        ("东湖街道", "荷塘街道", "科创街道"),
        ("东湖路", "荷塘路", "科创大道", "湖滨路"),
        ("东湖花园", "荷塘人家", "科创公寓", "湖畔名都"),
        ("东湖公园", "软件园", "东湖万达广场", "东湖中学"),
    ),
    District(
        "YJ",
        "越江区",
        "越江",
        ((113.22, _S), (113.34, _S), _MID[2], _MID[1], _MID[0]),
        ("越江街道", "沙河街道", "滨江街道", "人民街道"),
        ("人民路", "滨江大道", "沙河路", "越秀街", "解放路"),
        ("滨江一号", "沙河新村", "人民花园", "锦绣家园"),
        ("市人民医院", "越江步行街", "滨江码头", "市政府广场"),
        3,
    ),
    District(
        "NW",
        "南湾区",
        "南湾",
        ((113.34, _S), (113.40, _S), _MID[3], _MID[2]),
        ("南湾街道", "港口街道", "新港街道"),
        ("南湾路", "港口大道", "新港路", "渔人街"),
        ("南湾花园", "海港城", "新港家园", "渔村新苑"),
        ("南湾海滨公园", "港口客运站", "南湾工业园", "新港夜市"),
    ),
)

# (code, name, kind, parent, serves). Police stations come from DISTRICTS.
ORGS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("SFS", CITY_NAME, "city", None, None),
    ("C110", "示范市公安局110指挥中心", "centre_110", "SFS", None),
    ("C12345", "示范市12345政务服务便民热线", "centre_12345", "SFS", "12345"),
    ("JJ122", "示范市公安局交通警察支队（122）", "department", "C110", "122"),
    ("FZZX", "示范市反电信网络诈骗中心", "department", "C110", "anti_fraud"),
    ("FIRE119", "示范市消防救援支队（119）", "fire_119", "SFS", "119"),
    ("EMS120", "示范市急救中心（120）", "ems_120", "SFS", "120"),
    ("ZZZX", "示范市社会治安综合治理中心", "governance_centre", "C12345", "governance_centre"),
    ("SCJG", "示范市市场监督管理局", "department", "C12345", "market_regulation"),
    ("CGJ", "示范市城市管理和综合执法局", "department", "C12345", "urban_management"),
    ("STHJ", "示范市生态环境局", "department", "C12345", "environment"),
    ("ZJJ", "示范市住房和城乡建设局", "department", "C12345", "housing"),
    ("LDJC", "示范市人社局劳动保障监察支队", "department", "C12345", "labor_inspection"),
    ("DWGL", "示范市犬类与动物管理所", "department", "C12345", "animal_control"),
    ("DTJY", "示范市电梯应急救援中心", "department", "C12345", "elevator_rescue"),
    ("GDJ", "示范供电局", "utility", "C12345", "power"),
    ("ZLS", "示范市自来水公司", "utility", "C12345", "water"),
    ("RQ", "示范燃气集团", "utility", "C12345", "gas"),
    ("RL", "示范热力公司", "utility", "C12345", "heating"),
    # Takes the claims of minor accidents settled over a video call (快处快赔).
    ("BXGS", "示范财产保险公司理赔中心", "insurer", "SFS", "insurer"),
    # Publishes the missing-person appeals the desk gives it (as Guangzhou's 寻人 team works with a news app).
    ("XWKHD", "示范新闻客户端", "media_partner", "SFS", None),
)

# (username, role, organisation, display name). One demo user per role, the news app's editor and the
# governance centre's mediator.
USERS: tuple[tuple[str, str, str, str], ...] = (
    ("jiejing", "call_taker", "C110", "接警员 小林"),
    ("diaodu", "dispatcher", "C110", "调度员 老周"),
    ("chujing", "field_officer", f"PS_{DISTRICTS[3].code}", "民警 王警官"),
    ("rexian", "hotline_operator", "C12345", "话务员 小陈"),
    ("shichang", "agency_handler", "SCJG", "市场监管 李科长"),
    ("zhiban", "supervisor", "C110", "值班长 赵队"),
    ("admin", "admin", "SFS", "系统管理员"),
    ("xinwen", "agency_handler", "XWKHD", "新闻客户端 编辑"),
    ("zongzhi", "agency_handler", "ZZZX", "综治中心 调解员"),
)


# Run cards (预案): (name, fields). A knife at night in the old town takes two cars and a motorbike.
RUN_CARDS: tuple[tuple[str, dict], ...] = (
    ("默认 default", {"units": {"patrol_car": 1}}),
    ("老城夜间持械 old town, weapons at night", {"units": {"patrol_car": 2, "motorbike": 1}, "area": "PS_YJ",
                                      "category": "violent_crime", "from_hour": 20, "to_hour": 6}),
    ("群体性事件 mass incident", {"units": {"patrol_car": 3, "motorbike": 2}, "category": "mass_incident"}),
    ("斗殴 fight", {"units": {"patrol_car": 2}, "category": "fight"}),
)  # fmt: skip


def divert_destinations() -> set[str]:
    """Every destination a diverted category of the taxonomy may be sent to."""
    return {d for c in taxonomy.default().categories.values() if c.disposition == "divert" for d in c.destinations}


# Geometry (pure) ---------------------------------------------------------------------------------------------


def contains(polygon: tuple[tuple[float, float], ...], lon: float, lat: float) -> bool:
    """Whether a point is inside a polygon of (lon, lat) vertices (ray casting)."""
    inside = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def district_at(lat: float, lon: float) -> District | None:
    return next((d for d in DISTRICTS if contains(d.polygon, lon, lat)), None)


def random_point(district: District, rng: random.Random) -> tuple[float, float]:
    """A point inside the district, as (lat, lon), kept a little away from its edges."""
    lons = [p[0] for p in district.polygon]
    lats = [p[1] for p in district.polygon]
    while True:
        lon, lat = rng.uniform(min(lons), max(lons)), rng.uniform(min(lats), max(lats))
        near = ((lon + dx, lat + dy) for dx in (-0.002, 0.002) for dy in (-0.002, 0.002))
        if all(contains(district.polygon, x, y) for x, y in near):
            return round(lat, 6), round(lon, 6)


def units() -> list[tuple[str, str, District, float, float, str]]:
    """(code, name, district, lat, lon, kind) of every patrol unit; the same positions on every run."""
    rng = random.Random(UNITS_SEED)
    found = []
    for district in DISTRICTS:
        for n in range(1, UNITS_PER_DISTRICT + 1):
            lat, lon = random_point(district, rng)
            kind = "motorbike" if n % 4 == 0 else "foot" if n == UNITS_PER_DISTRICT else "patrol_car"
            found.append((f"{district.code}{n:02d}", f"{district.short}巡{n:02d}", district, lat, lon, kind))
    return found


def layers() -> dict:
    """The districts as a GeoJSON FeatureCollection, for the consoles' maps."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": d.code,
                "name": d.name,
                "station": d.station_name,
                "streets": list(d.streets),
            },
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in (*d.polygon, d.polygon[0])]]},
        }
        for d in DISTRICTS
    ]
    return {"type": "FeatureCollection", "name": CITY_NAME, "features": features}


def write_layers(path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(layers(), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# Seeding -----------------------------------------------------------------------------------------------------


def _all_orgs():
    yield from ORGS[:3]
    for d in DISTRICTS:
        yield (d.station_code, f"示范市公安局{d.station_name}", "police_station", "C110", None, d.jurisdiction)
    yield from ORGS[3:]


def seed(url: str | None = None) -> dict:
    """Put the demo city into the database at `url` (migrated first). Idempotent: what exists is kept.

    Returns the totals and what this run added: {"orgs", "users", "units", "added": {...}}.
    """
    from lifeline.auth.models import Organisation, User
    from lifeline.auth.service import SYSTEM, add_org, add_user
    from lifeline.demo.roads import demo_network
    from lifeline.dispatch import service as dispatch
    from lifeline.dispatch.models import Unit
    from lifeline.geo import service as geo
    from lifeline.knowledge import service as knowledge
    from lifeline.store import migrate
    from lifeline.store.engine import make_engine, session_factory, transaction

    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        added = {"orgs": 0, "users": 0, "units": 0, "roads": 0, "cards": 0, "articles": 0}
        with transaction(session_factory(engine)) as session:
            orgs = set(session.scalars(select(Organisation.code)))
            for code, name, kind, parent, serves, *rest in _all_orgs():
                if code not in orgs:
                    jurisdiction = rest[0] if rest else ""
                    add_org(session, SYSTEM, code, name, kind, parent, jurisdiction=jurisdiction, serves=serves)
                    added["orgs"] += 1
            users = set(session.scalars(select(User.username)))
            for username, role, org, display in USERS:
                if username not in users:
                    # The demo's one password is printed at every start: known-listed everywhere else, allowed here.
                    add_user(session, SYSTEM, username, role, org, PASSWORD, display_name=display, check_policy=False)
                    added["users"] += 1
            for d in DISTRICTS:
                station = session.scalar(select(Organisation).where(Organisation.code == d.station_code))
                station.arrive_minutes = station.arrive_minutes or d.arrive_minutes
            if geo.latest_id(session) is None:
                geo.store(session, SYSTEM, demo_network())
                added["roads"] = 1
            if not dispatch.cards_in_force(session):
                for name, fields in RUN_CARDS:
                    dispatch.save_card(session, SYSTEM, name, **fields)
                added["cards"] = len(RUN_CARDS)
            added["posts"] = _channels(session)
            # The 12345 knowledge base's published articles (knowledge/articles.yaml); a title already there is kept.
            added["articles"] = knowledge.seed(session, SYSTEM)
            existing = set(session.scalars(select(Unit.code)))
            for code, name, district, lat, lon, kind in units():
                if code not in existing:
                    unit = dispatch.add(session, SYSTEM, code, name, district.station_code, lat, lon, kind)
                    added["units"] += 1
                    station = district.station_code
                    officers = [u for u, role, org, _ in USERS if role == "field_officer" and org == station]
                    if officers and not dispatch.crew_of_station(session, unit.org_id):
                        dispatch.set_crew(session, SYSTEM, unit.id, officers)  # the demo's officer is on a unit
            totals = {
                "orgs": session.scalar(select(func.count()).select_from(Organisation)),
                "users": session.scalar(select(func.count()).select_from(User)),
                "units": session.scalar(select(func.count()).select_from(Unit)),
            }
    finally:
        engine.dispose()
    return {**totals, "added": added}


# The gateways the simulator speaks as (it signs with secrets it sets itself at each start), and a post per district.
DEMO_SENDERS = {"demo-sms": "sms", "demo-app": "app", "demo-posts": "post"}


def posts() -> list[tuple[str, str, float, float, str]]:
    """(code, name, lat, lon, address) of the demo's alarm posts: one at each district's first landmark, placed at
    the middle of the district."""
    found = []
    for d in DISTRICTS:
        lon = sum(p[0] for p in d.polygon) / len(d.polygon)
        lat = sum(p[1] for p in d.polygon) / len(d.polygon)
        found.append((f"POST-{d.code}", f"{d.landmarks[0]}一键报警柱", round(lat, 6), round(lon, 6), d.landmarks[0]))
    return found


def _channels(session) -> int:
    """The demo's channel senders and alarm posts; what exists is kept. Returns how many posts were added."""
    from lifeline.auth.service import SYSTEM
    from lifeline.channels import service as channels
    from lifeline.channels.models import AlarmPost

    known = {s.name for s in channels.senders(session)}
    for name, kind in DEMO_SENDERS.items():
        if name not in known:
            channels.add_sender(session, SYSTEM, name, kind, "C110")
    existing = set(session.scalars(select(AlarmPost.code)))
    added = 0
    for code, name, lat, lon, address in posts():
        if code not in existing:
            channels.add_post(session, SYSTEM, code, name, lat, lon, "demo-posts", address, heartbeat_seconds=30)
            added += 1
    return added


def release_units(url: str | None = None) -> int:
    """Send every busy unit home and make it available: a demo stopped mid-call leaves none stuck. Returns how many."""
    from lifeline.auth.service import SYSTEM
    from lifeline.dispatch import service as dispatch
    from lifeline.dispatch.models import Unit
    from lifeline.store.engine import make_engine, session_factory, transaction

    homes = {code: (lat, lon) for code, _name, _district, lat, lon, _kind in units()}
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            busy = list(session.scalars(select(Unit).where(Unit.status != "available")))
            for unit in busy:
                lat, lon = homes.get(unit.code, (unit.lat, unit.lon))
                dispatch.report(session, SYSTEM, unit.id, "available", lat, lon)
    finally:
        engine.dispose()
    return len(busy)
