"""The `lifeline triage --jsonl` contract other tools depend on: one object per line, same order."""

import json
import subprocess
import sys

from typer.testing import CliRunner

from lifeline.cli import app

KEYS = {"id", "disposition", "category", "priority", "destinations", "confidence", "reasons"}


def run_jsonl(tmp_path, lines):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CliRunner().invoke(app, ["triage", "--jsonl", str(path)])


def test_one_object_per_input_line_in_order(tmp_path):
    items = [
        {"id": 7, "text": "我车被堵了，麻烦帮忙挪车"},
        {"id": "b", "text": "着火了，三楼冒黑烟", "channel": "sms"},
        {"id": "c", "text": ""},
        {"id": "d", "text": "救命", "channel": "alarm_post"},
    ]
    result = run_jsonl(tmp_path, [json.dumps(i, ensure_ascii=False) for i in items])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [7, "b", "c", "d"]
    for o in out:
        assert set(o) == KEYS
        assert isinstance(o["reasons"], list) and isinstance(o["destinations"], list)
    assert out[1]["disposition"] == "joint" and out[1]["category"] == "fire"


def test_a_bad_line_is_a_clear_error(tmp_path):
    result = run_jsonl(tmp_path, ['{"id": 1, "text": "ok"}', "not json"])
    assert result.exit_code == 2
    assert "in.jsonl:2" in result.output


def test_a_line_without_text_is_a_clear_error(tmp_path):
    result = run_jsonl(tmp_path, ['{"id": 1}'])
    assert result.exit_code == 2
    assert "text" in result.output


def test_missing_file_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["triage", "--jsonl", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl" in result.output


def test_five_hundred_items_as_a_whole_process(tmp_path):
    # Timing lives in bench/triage_bench.py; here: a real process, stdin-free, all lines answered.
    path = tmp_path / "many.jsonl"
    texts = ["楼上装修太吵", "有人在打架，有人流血了", "我的钱包丢在出租车上了", "帮我叫个代驾", "燃气味很重"]
    path.write_text(
        "".join(json.dumps({"id": i, "text": texts[i % 5] + str(i)}, ensure_ascii=False) + "\n" for i in range(500)),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "lifeline.cli", "triage", "--jsonl", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == list(range(500))
