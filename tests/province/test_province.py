"""A province of two cities and its hub, as `lifeline province up` starts it (one process and one SQLite database
per deployment): a matter reported in 南昌 about a place in 九江 reaches 九江's desk with its history; while 九江's
desk does not answer the hub holds its matters and delivers each exactly once when it is back; a place no city
holds comes back to the sender's incident; a killed hub is started again and loses nothing."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
from sqlalchemy import select

from lifeline.auth.service import SYSTEM, create_token
from lifeline.incidents.models import Report
from lifeline.peering.models import PeerCursor
from lifeline.province import up
from lifeline.store.engine import make_engine, session_factory, transaction
from lifeline.store.events import Event

CITY_TEXT = "我在南昌，我妈在九江市浔阳区家里，邻居说听到她家有人打架喊救命"


def _token(db: str, user: str) -> str:
    engine = make_engine(db)
    with transaction(session_factory(engine)) as session:
        token = create_token(session, SYSTEM, user)
    engine.dispose()
    return token


def _referred_here(db: str) -> list[str]:
    engine = make_engine(db)
    with session_factory(engine)() as session:
        refs = list(session.scalars(select(Report.external_ref).where(Report.external_ref.like("hub:%"))))
    engine.dispose()
    return refs


def _until(check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


@pytest.fixture
def province(tmp_path):
    deployments = up.plan(2, tmp_path, up.free_ports(5))
    up.write_files(tmp_path, deployments)
    up.prepare_databases(deployments)
    supervisor = up.Supervisor(deployments, tmp_path)
    supervisor.start()
    try:
        assert supervisor.ready(90), "the province did not start"
        yield {d.name: d for d in deployments}, supervisor
    finally:
        supervisor.stop()


def test_matters_cross_cities_through_the_hub_exactly_once_even_while_a_city_is_down(province):
    by_name, supervisor = province
    nanchang, jiujiang, hub = by_name["nanchang-110"], by_name["jiujiang-110"], by_name["hub"]
    desk = httpx.Client(base_url=f"{nanchang.url}/api/v1", timeout=10,
                        headers={"Authorization": f"Bearer {_token(nanchang.database, 'jiejing')}"})  # fmt: skip

    def refer(text: str, where: str, **extra) -> int:
        report = desk.post("/reports", json={"text": text, "location_text": where})
        assert report.status_code == 201, report.text
        incident = report.json()["incident"]["id"]
        referred = desk.post(f"/incidents/{incident}/refer", json={"reason": "地点在外市", **extra})
        assert referred.status_code == 200, referred.text
        return incident

    # A matter about a place in 九江 reaches 九江's desk, with what 南昌 knew of it.
    refer(CITY_TEXT, "九江市浔阳区湖滨路5号")
    assert _until(lambda: len(_referred_here(jiujiang.database)) == 1, 20)
    engine = make_engine(jiujiang.database)
    with session_factory(engine)() as session:
        notes = [e.data.get("text", "") for e in session.scalars(select(Event).where(Event.kind == "incident.note"))]
    engine.dispose()
    assert any("南昌经省平台转来" in n for n in notes) and any("南昌的处理经过" in n for n in notes), notes

    # 九江's desk stops answering (frozen, not ended: the supervisor has nothing to restart); the hub holds what
    # comes for it, then delivers each exactly once when it answers again.
    process = supervisor.processes["jiujiang-110"]
    os.kill(process.pid, signal.SIGSTOP)
    try:
        for n in range(3):
            refer(f"九江市濂溪区{n}号有人持刀抢劫", f"九江市濂溪区十里大道{n}号")

        def waiting_at_hub():
            engine = make_engine(hub.database)
            with session_factory(engine)() as session:
                cursor = session.get(PeerCursor, "jiujiang-110")
                queued = session.scalars(
                    select(Event.seq).where(Event.to_peer == "jiujiang-110", Event.seq > (cursor.delivered_seq
                                                                                          if cursor else 0))
                ).all()  # fmt: skip
            engine.dispose()
            return cursor is not None and cursor.attempts > 0 and len(queued) == 3

        assert _until(waiting_at_hub, 30), "the hub did not hold the three matters for the city that was down"
    finally:
        os.kill(process.pid, signal.SIGCONT)
    assert _until(lambda: len(_referred_here(jiujiang.database)) == 4, 60)
    time.sleep(3)  # a late repeat would show now
    refs = _referred_here(jiujiang.database)
    assert len(refs) == len(set(refs)) == 4, refs

    # A place no city of the province holds: the hub parks it and the sender's incident hears why.
    lost = refer("人民路18号有人打架", "人民路18号")

    def refused():
        engine = make_engine(nanchang.database)
        with session_factory(engine)() as session:
            found = session.scalars(
                select(Event).where(Event.kind == "exchange.refused", Event.incident_id == lost)
            ).first()
        engine.dispose()
        return found

    event = _until(refused, 30)
    assert event is not None and "城市" in event.data["detail"]

    # The hub is killed; the supervisor starts it again, and a matter sent meanwhile still arrives.
    os.kill(supervisor.processes["hub"].pid, signal.SIGKILL)
    refer("九江市柴桑区有人溺水", "九江市柴桑区沙河街")
    assert _until(lambda: supervisor.restarts["hub"] == 1, 10)
    assert _until(lambda: len(_referred_here(jiujiang.database)) == 5, 60)


def test_the_hub_rolls_up_every_citys_figures_and_shows_the_province_on_one_screen(province):
    by_name, _ = province
    hub = by_name["hub"]
    for code, text in (("nanchang", "东湖区有人持刀抢劫"), ("jiujiang", "浔阳区超市卖过期食品，要求退款")):
        city = by_name[f"{code}-110"]
        api = httpx.Client(base_url=f"{city.url}/api/v1", timeout=10,
                           headers={"Authorization": f"Bearer {_token(city.database, 'jiejing')}"})  # fmt: skip
        for n in range(2 if code == "nanchang" else 3):
            assert api.post("/reports", json={"text": f"{text}{n}"}).status_code == 201
    own = {}
    for code in ("nanchang", "jiujiang"):
        city = by_name[f"{code}-110"]
        answer = httpx.get(f"{city.url}/api/v1/kpis", params={"period": "day"}, timeout=10,
                           headers={"Authorization": f"Bearer {_token(city.database, 'zhiban')}"})  # fmt: skip
        own[code] = {f["key"]: f for f in answer.json()["figures"]}
    headers = {"Authorization": f"Bearer {_token(hub.database, up.HUB_USER)}"}
    rolled = httpx.get(f"{hub.url}/api/v1/province/figures", params={"period": "day"}, headers=headers, timeout=20)
    assert rolled.status_code == 200, rolled.text
    found = rolled.json()
    assert found["complete"] and found["unreachable"] == []
    for key, figure in found["province"].items():
        parts = [own[c][key] for c in own]
        if figure["unit"] == "count":
            assert figure["value"] == sum(p["value"] or 0 for p in parts), key
        elif figure["denominator"] is not None:
            assert figure["numerator"] == sum(p["numerator"] for p in parts), key
            assert figure["denominator"] == sum(p["denominator"] for p in parts), key
    assert found["province"]["calls"]["value"] == own["nanchang"]["calls"]["value"] + own["jiujiang"]["calls"]["value"]
    assert found["province"]["calls"]["value"] >= 5
    page = httpx.get(f"{hub.url}/console/province", headers=headers, timeout=20)
    assert page.status_code == 200 and 'data-city="jiujiang"' in page.text and "全省合计" in page.text
    # A city that is asked by someone other than its hub refuses.
    refused = httpx.post(f"{by_name['nanchang-110'].url}/exchange/v1/figures", content=b"{}", timeout=10)
    assert refused.status_code == 401
