"""The call simulator: the generator is deterministic and realistic; the runner drives a real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from itertools import islice

import httpx
import pytest
from sqlalchemy import func, select

from lifeline.auth.service import SYSTEM
from lifeline.callers.models import CallerCase
from lifeline.channels.models import AlarmPost, Contact
from lifeline.common import CHINA
from lifeline.demo import city, simulator
from lifeline.demo.simulator import calls
from lifeline.diversion.models import WorkOrder
from lifeline.governance.models import GovernanceCase
from lifeline.incidents.models import Incident
from lifeline.incidents.service import audit
from lifeline.missing.models import MissingCase
from lifeline.store.engine import make_engine, session_factory
from lifeline.web.process import free_port, serve_command, start

START = datetime(2026, 11, 23, 0, 0, tzinfo=CHINA)


def _take(n: int, seed: int = 7, rate: float = 1.0, curve: bool = True) -> list[simulator.Call]:
    return list(islice(calls(seed, START, rate, curve=curve), n))


def test_the_same_seed_gives_the_same_calls_and_another_seed_others():
    assert _take(300) == _take(300)
    assert [c.text for c in _take(50, seed=8)] != [c.text for c in _take(50)]


def test_the_mix_of_dispositions_and_categories_follows_the_published_shares():
    got = _take(2000)
    dispositions = Counter(c.disposition for c in got)
    for disposition, share in simulator.DISPOSITION_SHARE.items():
        assert abs(dispositions[disposition] / 2000 - share) < 0.03, (disposition, dispositions)
    # Jilin 2019: 69.2 % non-police or invalid; Guangzhou: 58.9 % of those diverted.
    non_police = (dispositions["divert"] + dispositions["invalid"]) / 2000
    assert abs(non_police - 0.692) < 0.03
    assert abs(dispositions["divert"] / (dispositions["divert"] + dispositions["invalid"]) - 0.589) < 0.04
    categories = Counter(c.category for c in got)
    for category, share in simulator.expected_shares().items():
        assert abs(categories[category] / 2000 - share) < 0.02, (category, categories[category], share)


def test_channels_are_mostly_voice_with_some_of_each_other():
    channels = Counter(c.channel for c in _take(2000))
    assert 0.8 < channels["voice"] / 2000 < 0.95
    assert all(channels[c] > 0 for c in ("sms", "wechat", "app", "alarm_post"))


def test_texts_are_varied():
    texts = [c.text for c in _take(2000)]
    duplicates = len(texts) - len(set(texts))
    assert duplicates / len(texts) < 0.10, f"{duplicates} duplicate texts"


def test_one_nuisance_number_calls_again_and_again_and_some_callers_repeat():
    numbers = Counter(c.caller_number for c in _take(2000))
    number, count = numbers.most_common(1)[0]
    assert number == simulator.NUISANCE_NUMBER and count >= 50
    assert sum(1 for n, k in numbers.items() if k > 1 and n != number) >= 10


def test_every_call_is_placed_in_the_city_and_a_precise_place_is_typed():
    got = _take(1000)
    for call in got:
        assert city.district_at(call.lat, call.lon) is not None, call
        assert not call.precise or call.location_text, call
    typed = [c.location_text for c in got if c.location_text]
    assert sum(not t.startswith("示范市") for t in typed) > 0.9 * len(typed)  # call-takers leave the city off


def test_the_hourly_curve_is_low_at_night_and_peaks_by_day():
    got = _take(6000, rate=0.5)
    assert (got[-1].when - got[0].when).days >= 7
    hours = Counter(c.when.hour for c in got)
    peak = max(hours, key=hours.get)
    assert 9 <= peak <= 22, hours
    day = sum(hours[h] for h in range(9, 22)) / 13
    night = sum(hours[h] for h in range(2, 6)) / 4
    assert day > 3 * night, hours


def test_a_flat_rate_keeps_the_average_interval():
    got = _take(2000, rate=20, curve=False)
    minutes = (got[-1].when - got[0].when).total_seconds() / 60
    assert 1999 / minutes == pytest.approx(20, rel=0.08)


def test_bad_rate_and_bad_url_are_refused():
    with pytest.raises(ValueError):
        next(calls(1, START, 0))
    with pytest.raises(ValueError):
        simulator.Client("ftp://example")


# End to end: `lifeline serve` on a seeded database, `lifeline simulate` against it for a few seconds.


def _serve(url: str, port: int, env: dict):
    return start(serve_command(url, port), f"http://127.0.0.1:{port}", env=env)


def test_the_simulator_drives_a_running_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    city.seed(url)
    layers = city.write_layers(tmp_path / "city.geojson")
    env = {**os.environ, "LIFELINE_CITY_LAYERS": str(layers), "COLUMNS": "200"}
    port = free_port()
    server = _serve(url, port, env)
    try:
        command = [sys.executable, "-m", "lifeline.cli", "simulate", "--url", f"http://127.0.0.1:{port}"]
        command += ["--db", url, "--rate", "600", "--duration", "6", "--speed", "15", "--seed", "3"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    final = done.stdout.strip().splitlines()[-1]
    counts = {name.strip(): int(n) for name, n in re.findall(r"([a-z ]+) (\d+)", final)}
    assert counts["calls"] >= 15 and counts["confirmed"] >= 10, final
    assert counts["orders"] >= 2 and counts["assigned"] >= 2 and counts["on scene"] >= 1, final
    # The opening scenes: the missing child became a case, the chatty number was flagged by the supervisor.
    assert counts["missing"] >= 1 and counts["flagged"] >= 1, final
    assert counts["errors"] <= counts["calls"] // 10, done.stdout[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    print(final)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        incidents = session.scalar(select(func.count()).select_from(Incident))
        orders = session.scalar(select(func.count()).select_from(WorkOrder))
        states = Counter(session.scalars(select(Incident.state)))
        result = audit(session, SYSTEM)
        cases = session.scalar(select(func.count()).select_from(MissingCase))
        referred = session.scalars(select(GovernanceCase.state)).all()
        flagged = session.scalars(select(CallerCase.number)).all()
        contacts = Counter(session.scalars(select(Contact.channel)))
        beats = session.scalars(select(AlarmPost.last_heartbeat_at)).all()
    engine.dispose()
    # Texts, app alarms and presses came in through the demo's signed gateways; every post said it was alive.
    assert sum(contacts.values()) >= 1 and set(contacts) <= {"sms", "app", "wechat", "alarm_post"}, contacts
    assert beats and all(beats), beats
    assert incidents == counts["calls"] and orders >= counts["orders"]
    assert states["dispatched"] + states["en_route"] + states["on_scene"] + states["resolved"] + states["closed"] > 0
    assert result.ok, result.problem
    assert cases == counts["missing"]
    assert referred == ["referred"], referred  # the neighbours' fourth call: a case with the governance centre
    assert simulator.NUISANCE_NUMBER in flagged


def test_simulate_needs_a_token_or_the_database():
    from typer.testing import CliRunner

    from lifeline.cli import app

    result = CliRunner().invoke(app, ["simulate", "--duration", "1"], env={"COLUMNS": "200", "LIFELINE_TOKEN": ""})
    assert result.exit_code == 2
    assert "--token" in result.output and "--db" in result.output


def test_simulate_on_an_unseeded_database_says_to_seed_it(tmp_path):
    from typer.testing import CliRunner

    from lifeline.cli import app
    from lifeline.store import migrate

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    result = CliRunner().invoke(app, ["simulate", "--db", url, "--duration", "1"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "lifeline demo" in result.output
