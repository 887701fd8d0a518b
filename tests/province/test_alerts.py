"""A missing person's regional alert across the province: the city's sweep tells the hub when the alert opens,
widens as the hours pass, and ends; the hub sends it to every city within its reach of where the person was last
seen, and those cities' desks see it, then see it withdrawn. Each change is told once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lifeline.auth.service import SYSTEM, add_org, add_user, principal_of, user_by_name
from lifeline.desk import bridge, flows
from lifeline.desk import inbox as desk_inbox
from lifeline.errors import Forbidden
from lifeline.missing import service as missing
from lifeline.peering.peers import parse
from lifeline.province.areas import JIANGXI
from lifeline.store import migrate
from lifeline.store.base import utcnow
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.store.events import Event

CITIES = ("jiujiang", "nanchang", "ganzhou")
KEY = "alert-test-key-0123456789abcdef"


def _peers(me: str, others: dict[str, str]) -> flows.Desk:
    lines = [f"name: {me}", "peers:"]
    for name, role in others.items():
        lines += [f"  {name}:", "    url: http://127.0.0.1:9", f"    role: '{role}'", "    send_key: k1",
                  f"    keys: {{k1: '{KEY}'}}"]  # fmt: skip
    return parse("\n".join(lines) + "\n")


class Deployment:
    def __init__(self, tmp_path, name: str, role: str, others: dict[str, str]):
        self.engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        migrate.upgrade(self.engine)
        self.sessions = session_factory(self.engine)
        self.name, self.desk = name, flows.Desk(role, _peers(name, others))
        self.sent = 0  # the last of its events carried to the hub
        with transaction(self.sessions) as session:
            add_org(session, SYSTEM, "C110", f"{name} 110", "centre_110", None)
            add_user(session, SYSTEM, "desk", "call_taker", "C110", "correct-horse-staple-9")

    def outbox(self, after: int = 0) -> list[Event]:
        with self.sessions() as session:
            rows = session.scalars(
                select(Event).where(Event.to_peer.is_not(None), Event.seq > after).order_by(Event.seq)
            )
            return list(rows)

    def last_seq(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1)) or 0

    def take(self, peer: str, event: Event) -> None:
        message = event.data["message"]
        with transaction(self.sessions) as session:
            desk_inbox.apply(session, self.desk, peer, message["kind"], message["body"])


@pytest.fixture
def province(tmp_path):
    cities = {c: Deployment(tmp_path, f"{c}-110", "110", {"hub": "hub"}) for c in CITIES}
    hub = Deployment(tmp_path, "hub", "hub", {f"{c}-110": "110" for c in CITIES})
    yield cities, hub
    for deployment in (*cities.values(), hub):
        deployment.engine.dispose()


def _sweep(city: Deployment, now=None) -> int:
    """What the city's sweep does each round: widen what the hours widened, tell the hub what changed."""
    with transaction(city.sessions) as session:
        missing.widen_due(session, now)
        return bridge.alert_province(session, "hub")


def relay(city: Deployment, hub: Deployment, cities: dict[str, Deployment]) -> list[str]:
    """Carry the city's new messages to the hub and the hub's on to the cities, as the relays would."""
    mark = hub.last_seq()
    for event in city.outbox(city.sent):
        hub.take(city.name, event)
        city.sent = event.seq
    reached = []
    for event in hub.outbox(mark):
        target = event.to_peer.removesuffix("-110")
        cities[target].take("hub", event)
        reached.append(target)
    return reached


def _alerts(city: Deployment, withdrawn: bool = False) -> list:
    with city.sessions() as session:
        actor = principal_of(user_by_name(session, "desk"), "token")
        return [(a.from_city, a.case_ref, a.active, a.alert_km, a.name) for a in
                missing.regional_alerts(session, actor, include_withdrawn=withdrawn)]  # fmt: skip


def test_an_alert_reaches_the_cities_within_its_reach_widens_with_the_hours_and_is_withdrawn(province):
    cities, hub = province
    jiujiang = cities["jiujiang"]
    seat = JIANGXI.cities["jiujiang"]
    reported = utcnow() - timedelta(hours=1)
    with transaction(jiujiang.sessions) as session:
        actor = principal_of(user_by_name(session, "desk"), "token")
        data = missing.CaseIn(name="王小明", age=9, sex="男", description="蓝色校服，背红色书包",
                              last_seen_place="九江市浔阳区学校门口", last_seen_lat=seat.lat, last_seen_lon=seat.lon,
                              reported_at=reported, grade="medium", grade_reason="儿童")  # fmt: skip
        case_id = missing.open_case(session, actor, data).id

    assert _sweep(jiujiang) == 1 and _sweep(jiujiang) == 0  # told once; nothing new the second round
    assert relay(jiujiang, hub, cities) == ["nanchang"]  # 100 km: the neighbour, not 赣州 in the south
    assert _alerts(cities["nanchang"]) == [("九江", case_id, True, 100, "王小明")]
    assert _alerts(cities["ganzhou"]) == []

    three_days = reported + timedelta(hours=73)  # the hours widen it to 300 km without anyone reviewing
    assert _sweep(jiujiang, three_days) == 1
    assert sorted(relay(jiujiang, hub, cities)) == ["ganzhou", "nanchang"]
    assert _alerts(cities["ganzhou"]) == [("九江", case_id, True, 300, "王小明")]
    assert _alerts(cities["nanchang"])[0][3] == 300

    with transaction(jiujiang.sessions) as session:
        actor = principal_of(user_by_name(session, "desk"), "token")
        missing.record_outcome(session, actor, case_id, "found", None, "南昌西站", "在车站找到，身体无恙")
    assert _sweep(jiujiang) == 1 and _sweep(jiujiang) == 0
    assert sorted(relay(jiujiang, hub, cities)) == ["ganzhou", "nanchang"]
    for city in ("nanchang", "ganzhou"):
        assert _alerts(cities[city]) == []
        assert _alerts(cities[city], withdrawn=True) == [("九江", case_id, False, 300, "王小明")]


def test_a_case_found_before_the_hub_heard_of_it_is_never_told(province):
    cities, _hub = province
    jiujiang = cities["jiujiang"]
    with transaction(jiujiang.sessions) as session:
        actor = principal_of(user_by_name(session, "desk"), "token")
        case_id = missing.open_case(session, actor, missing.CaseIn(name="李奶奶", age=81)).id
        missing.record_outcome(session, actor, case_id, "found", None, "小区花园", "邻居送回")
    assert _sweep(jiujiang) == 0 and jiujiang.outbox() == []


def test_the_hub_takes_an_alert_only_from_a_city_desk_and_a_city_only_from_the_hub(province):
    cities, hub = province
    body = {"case": 1, "active": True, "alert_km": 100, "grade": "high", "reported_at": utcnow().isoformat()}
    with transaction(hub.sessions) as session, pytest.raises(Forbidden):
        desk_inbox.apply(session, flows.Desk("hub", _peers("hub", {"x-12345": "12345"})), "x-12345",
                         "missing.alert", body)  # fmt: skip
    with transaction(cities["nanchang"].sessions) as session, pytest.raises(Forbidden):
        desk_inbox.apply(session, flows.Desk("110", _peers("n", {"gz-12345": "12345"})), "gz-12345",
                         "missing.alert", body)  # fmt: skip
