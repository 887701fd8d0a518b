"""The `lifeline` command as a person uses it."""

import json

from typer.testing import CliRunner

from lifeline.cli import app

runner = CliRunner()


def test_demo_shows_each_kind_of_decision():
    result = runner.invoke(app, ["demo", "--triage-only"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for word in ("联动 Joint", "分流 Divert", "无效 Invalid", "需回拨"):
        assert word in result.output


def test_triage_prints_a_readable_verdict():
    result = runner.invoke(app, ["triage", "着火了，幸福小区3栋冒黑烟，有人被困在五楼"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "火灾" in result.output and "P1" in result.output and "119" in result.output


def test_triage_json_has_cues_and_entities():
    result = runner.invoke(app, ["triage", "--json", "他拿着菜刀，电话13812345678"])
    data = json.loads(result.output)
    assert data["entities"]["phones"] == ["13812345678"]
    assert any(c["family"] == "weapon" and c["active"] for c in data["cues"])


def test_triage_without_text_is_a_clear_error():
    result = runner.invoke(app, ["triage"])
    assert result.exit_code == 2
    assert "--jsonl" in result.output
