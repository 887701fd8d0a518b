"""The labelled sample shipped for `lifeline triage-eval`: valid, varied, and kept out of training."""

import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from lifeline import taxonomy
from lifeline.cli import app
from lifeline.triage import corpus

DATA = Path(__file__).resolve().parents[2] / "data" / "triage"


def test_the_sample_is_valid_and_covers_every_disposition_and_category():
    tax = taxonomy.default()
    items = corpus.load(corpus.SAMPLE, tax)
    assert 60 <= len(items) <= 100
    assert len({i.id for i in items}) == len(items) and len({i.text for i in items}) == len(items)
    assert set(Counter(i.disposition for i in items)) == {"police", "joint", "divert", "invalid"}
    assert {i.category for i in items} == set(tax.categories)
    for item in items:
        assert set(item.destinations) <= set(tax.destinations), item.id
        assert (item.disposition == "invalid") == (not item.destinations), item.id
    silent = [i for i in items if i.text.startswith("（无声") or "呼吸声" in i.text]
    assert {i.disposition for i in silent} == {"invalid", "police"}  # a silent line, and one with danger behind it


def test_no_sample_text_is_in_the_training_corpus():
    sample = {i.text for i in corpus.load(corpus.SAMPLE, taxonomy.default())}
    lines = (DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()
    train = {json.loads(line)["text"] for line in lines if line.strip()}
    assert not sample & train


def test_triage_eval_without_a_file_evaluates_the_sample():
    result = CliRunner().invoke(app, ["triage-eval"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    count = len(corpus.load(corpus.SAMPLE, taxonomy.default()))
    assert f"sample.jsonl: {count} 条 items" in result.output
    assert "unsafe_diversion_rate" in result.output
