"""The eval arithmetic on a tiny gold file worked out by hand."""

import json

import pytest
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.triage.evaluate import Pair, f1_scores, metrics

PAIRS = [
    # gold disposition, category, priority ; predicted disposition, category, priority
    Pair("police", "fight", 1, "police", "fight", 1),
    Pair("joint", "fire", 1, "divert", "noise", 4),  # unsafe diversion, missed P1
    Pair("divert", "noise", 4, "divert", "noise", 4),
    Pair("divert", "car_moving", 4, "police", "fight", 2),
    Pair("invalid", "misdial", 4, "invalid", "misdial", 4),
]


def test_metrics_by_hand():
    m = metrics(PAIRS)
    assert m["unsafe_diversion_rate"] == pytest.approx(1 / 2)
    assert m["unsafe_diversions"] == 1
    assert m["diversion_recall"] == pytest.approx(1 / 2)
    assert m["invalid_recall"] == pytest.approx(1.0)
    assert m["disposition_accuracy"] == pytest.approx(3 / 5)
    assert m["p1_recall"] == pytest.approx(1 / 2)
    # F1: fight 2/3 (tp1 fp1), fire 0, noise 2/3 (tp1 fp1), car_moving 0, misdial 1 -> mean 7/15
    assert m["category_macro_f1"] == pytest.approx((2 / 3 + 0 + 2 / 3 + 0 + 1) / 5)
    assert m["confusion"]["joint"]["divert"] == 1
    assert m["confusion"]["divert"]["police"] == 1


def test_f1_agrees_with_scikit_learn():
    from sklearn.metrics import f1_score

    gold = [p.category for p in PAIRS]
    pred = [p.pred_category for p in PAIRS]
    mine = f1_scores(gold, pred)
    assert sum(mine.values()) / len(mine) == pytest.approx(f1_score(gold, pred, average="macro"))


def test_empty_gold_gives_no_rates():
    m = metrics([])
    assert m["unsafe_diversion_rate"] is None and m["category_macro_f1"] is None


def test_triage_eval_command_prints_every_metric(tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [
        {
            "id": "g1",
            "text": "有人拿着菜刀在小区门口砍人，地上好多血",
            "channel": "voice",
            "category": "violent_crime",
            "disposition": "joint",
            "destinations": ["110", "120"],
            "priority": 1,
        },
        {
            "id": "g2",
            "text": "能不能帮我充一下话费",
            "channel": "voice",
            "category": "private_request",
            "disposition": "invalid",
            "destinations": [],
            "priority": 4,
        },
    ]
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["triage-eval", str(gold)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in (
        "unsafe_diversion_rate",
        "diversion_recall",
        "invalid_recall",
        "disposition_accuracy",
        "category_macro_f1",
        "p1_recall",
        "confusion",
    ):
        assert name in result.output
    rate_line = next(line for line in result.output.splitlines() if "unsafe_diversion_rate" in line)
    assert "0.0000" in rate_line


def test_triage_eval_rejects_a_bad_gold_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "hi", "category": "weather", "disposition": "police", "priority": 1}\n')
    result = CliRunner().invoke(app, ["triage-eval", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output and "weather" in result.output
