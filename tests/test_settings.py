"""One Settings object: flags over LIFELINE_* variables over defaults, handed to create_app; nothing writes the
environment, and `serve --workers N` sends the settings to its workers without it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from lifeline.cli import app as cli
from lifeline.diversion.routing import RoutingError
from lifeline.peering.peers import parse as parse_peers
from lifeline.settings import Settings
from lifeline.taxonomy import TaxonomyError
from lifeline.web.app import create_app
from lifeline.web.process import free_port, serve_command, start

SRC = Path(__file__).resolve().parents[1] / "src" / "lifeline"
PEERS_YAML = "name: desk\npeers:\n  hotline:\n    url: http://127.0.0.1:9\n    role: '12345'\n    send_key: k\n"
PEERS_YAML += "    keys: {k: 'a-secret-of-sixteen-chars'}\n"


def _clean(monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith("LIFELINE_"):
            monkeypatch.delenv(name)


def test_environment_variables_are_read_with_their_prefix_and_arguments_win(monkeypatch, tmp_path):
    _clean(monkeypatch)
    assert Settings().role == "both" and Settings().database_url == "sqlite:///lifeline.db" and Settings().peers is None
    monkeypatch.setenv("LIFELINE_ROLE", "110")
    monkeypatch.setenv("LIFELINE_DATABASE_URL", "postgresql://u@db.city/desk")
    monkeypatch.setenv("LIFELINE_PEERS", str(tmp_path / "peers.yaml"))
    monkeypatch.setenv("LIFELINE_PORT", "9000")
    settings = Settings()
    assert (settings.role, settings.port, settings.peers) == ("110", 9000, tmp_path / "peers.yaml")
    assert settings.database_url == "postgresql+psycopg://u@db.city/desk"
    assert Settings(role="12345", port=9001).role == "12345"
    assert Settings(role="12345", port=9001).port == 9001


def test_an_empty_variable_means_unset(monkeypatch):
    _clean(monkeypatch)
    monkeypatch.setenv("LIFELINE_PEERS", "")
    monkeypatch.setenv("LIFELINE_CITY_LAYERS", "")
    assert Settings().peers is None and Settings().city_layers is None


def test_every_setting_is_documented_in_chinese_and_english():
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert re.search(r"[\u4e00-\u9fff]", field.description), name
        assert re.search(r"[A-Za-z]{3,}", field.description), name


def test_nothing_in_the_program_writes_the_environment():
    writes = re.compile(r"os\.environ\s*\[[^\]]*\]\s*=|os\.environ\.(update|setdefault|pop|clear)\(|os\.putenv\(")
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line)
    ]
    assert not found, found


def test_create_app_keeps_the_settings_and_reads_the_files_they_name(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    layers = tmp_path / "city.geojson"
    layers.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}', encoding="utf-8")
    peers = tmp_path / "peers.yaml"
    peers.write_text(PEERS_YAML, encoding="utf-8")
    settings = Settings(
        database_url=url, role="110", peers=peers, city_layers=layers, tile_url="http://tiles.local/{z}/{x}/{y}.png"
    )
    application = create_app(settings)
    assert application.state.settings is settings
    assert application.state.role == "110"
    assert list(application.state.peers.peers) == ["hotline"]
    assert len(application.state.city_layers["features"]) == 1
    assert application.state.tile_url == "http://tiles.local/{z}/{x}/{y}.png"
    with TestClient(application) as client:
        assert client.get("/healthz").json()["role"] == "110"
        assert client.app.state.relay is not None  # the peers file's peer gets a relay


def test_a_ready_peers_object_stands_in_for_the_file(tmp_path):
    ready = parse_peers(PEERS_YAML)
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", peers=None), peers=ready)
    assert application.state.peers is ready


def test_settings_without_peers_mean_no_peers_even_if_the_environment_names_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("LIFELINE_PEERS", str(tmp_path / "absent.yaml"))
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", peers=None))
    assert not application.state.peers.peers


@pytest.mark.parametrize(("field", "error"), [("routing", RoutingError), ("taxonomy", TaxonomyError)])
def test_a_bad_file_in_the_settings_stops_the_start(tmp_path, field, error):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - category: no_such_thing\n    org: X\n" if field == "routing" else "version: 1\n")
    with pytest.raises(error):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", **{field: bad}))


def test_the_cli_names_the_variable_of_a_bad_setting(monkeypatch):
    _clean(monkeypatch)
    monkeypatch.setenv("LIFELINE_ROLE", "999")
    result = CliRunner().invoke(cli, ["serve"], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "LIFELINE_ROLE / --role" in result.output and "'999'" in result.output


def test_serve_refuses_a_bad_routing_file_before_it_listens(tmp_path):
    bad = tmp_path / "routing.yaml"
    bad.write_text("rules:\n  - category: no_such_thing\n    org: X\n", encoding="utf-8")
    port = free_port()
    env = {**os.environ, "LIFELINE_ROUTING": str(bad), "COLUMNS": "300"}
    done = subprocess.run(
        serve_command(f"sqlite:///{tmp_path / 'a.db'}", port), capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no_such_thing" in done.stderr and str(bad) in done.stderr


def test_lifeline_settings_lists_every_variable(monkeypatch):
    _clean(monkeypatch)
    result = CliRunner().invoke(
        cli, ["settings"], env={"COLUMNS": "400", "LIFELINE_DATABASE_URL": "postgresql://desk:s3cret@db/lifeline"}
    )
    assert result.exit_code == 0, result.output
    for name in Settings.model_fields:
        assert Settings.env_name(name) in result.output
    assert "s3cret" not in result.output and "postgresql+psycopg://desk:***@db/lifeline" in result.output


def test_workers_get_their_settings_from_the_flags_not_the_environment(tmp_path):
    """Two worker processes; the role is given as a flag that contradicts LIFELINE_ROLE, and both answer with the
    flag's role: the settings reached them pickled, not through the environment."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")} | {"LIFELINE_ROLE": "110"}
    db = f"sqlite:///{tmp_path / 'w.db'}"
    server = start(serve_command(db, port, "--workers", "2", "--role", "12345"), f"http://127.0.0.1:{port}", env=env)
    try:
        roles = {httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["role"] for _ in range(20)}
        assert roles == {"12345"}
        # The 12345 role serves Open311; a worker built from LIFELINE_ROLE=110 would answer 404.
        assert httpx.get(f"http://127.0.0.1:{port}/open311/v2/services.json", timeout=5).status_code == 200
        assert len(_workers_of(server.pid)) == 2
    finally:
        server.terminate()
        server.wait(timeout=20)


def _workers_of(pid: int) -> list[int]:
    """The multiprocessing children (uvicorn's workers) of a process, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def test_the_routing_file_of_the_settings_is_the_one_the_desk_and_open311_go_by(monkeypatch, tmp_path):
    monkeypatch.delenv("LIFELINE_ROUTING", raising=False)
    table = tmp_path / "routing.yaml"
    table.write_text("deadlines:\n  noise: {sign_minutes: 7, handle_hours: 11}\n", encoding="utf-8")
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", routing=table))
    assert application.state.desk.routing is application.state.routing
    assert application.state.routing.deadline("noise").handle_hours == 11
    with TestClient(application) as client:
        services = client.get("/open311/v2/services.json").json()
    (noise,) = [s for s in services if s["service_code"] == "noise"]
    assert "7 分钟内签收，11 小时内办结" in noise["description"]
