"""Learning from the desk, safely: `lifeline triage-train --from-db` adds the desk's confirmed decisions, and a new
model replaces the current one only when it diverts no more calls that needed police and no fewer divertible ones."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifeline import taxonomy
from lifeline.cli import app
from lifeline.triage import corpus
from lifeline.triage.model import load_file, save
from lifeline.triage.train import train

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "triage" / "train.jsonl"
DESK_CALLS = 120


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Every tenth item of the training corpus, and a current model trained on it."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    folder = tmp_path_factory.mktemp("gate")
    path = folder / "small.jsonl"
    path.write_text("\n".join(lines[::10]) + "\n", encoding="utf-8")
    current = folder / "current.npz"
    save(current, train(corpus.load(path, taxonomy.default()), progress=lambda *_: None))
    # Calls that needed police, from the part of the corpus the small one left out.
    police = [json.loads(line) for n, line in enumerate(lines) if n % 10]
    police = [p for p in police if p["disposition"] in ("police", "joint")][:DESK_CALLS]
    return path, current, police


def _train(*args):
    return CliRunner().invoke(app, ["triage-train", *args, "--gold", str(corpus.SAMPLE)])


@pytest.mark.parametrize("backend", ["sqlite"])  # the gate is about models; one database is enough
def test_the_gate_refuses_a_model_taught_by_mislabelled_desk_decisions(api, database, small, tmp_path):
    path, current, police = small
    for call in police:
        iid = api.report(call["text"], channel=call["channel"])["incident"]["id"]
        confirmed = api.post(
            "call_taker",
            f"/incidents/{iid}/confirm",
            {
                "disposition": "divert",
                "category": "consultation",
                "priority": 4,
                "reason": "故意错标 mislabelled on purpose",
            },
        )
        assert confirmed.status_code == 200, confirmed.text
    out = tmp_path / "model.npz"
    out.write_bytes(current.read_bytes())

    refused = _train("--corpus", str(path), "--from-db", database[0], "--out", str(out))
    assert refused.exit_code == 2, refused.output  # a CLI error, as every refusal of the CLI
    assert f"desk decisions: {DESK_CALLS} confirmed ({DESK_CALLS} overriding" in refused.output
    assert "未通过评估闸门" in refused.output and "worse" in refused.output
    assert out.read_bytes() == current.read_bytes(), "the current model stays"


def test_the_gate_lets_an_equal_model_through_and_records_its_version(small, tmp_path):
    path, current, _ = small
    out = tmp_path / "model.npz"
    out.write_bytes(current.read_bytes())
    passed = _train("--corpus", str(path), "--out", str(out))
    assert passed.exit_code == 0, passed.output
    model = load_file(out)
    assert model.meta["version"].startswith("triage-") and model.meta["version"] in passed.output


def _figures(unsafe, recall):
    return {"unsafe_diversions": unsafe, "diversion_recall": recall, "category_macro_f1": 0.9, "p1_recall": 1.0}


@pytest.mark.parametrize(
    ("new_small", "new_large", "new_all", "passes"),
    [
        (_figures(0, 0.90), _figures(0, 0.95), _figures(0, 0.94), True),  # one call fewer in the small file
        (_figures(1, 1.00), _figures(0, 0.95), _figures(1, 0.96), False),  # one more unsafe anywhere
        (_figures(0, 1.00), _figures(0, 0.90), _figures(0, 0.91), False),  # fewer diverted over all
    ],
)
def test_safety_is_held_per_corpus_and_diversion_recall_over_all_corpora(
    monkeypatch, new_small, new_large, new_all, passes
):
    from lifeline.triage import train as train_module

    old = {1: _figures(0, 0.95), 2: _figures(0, 0.92), 3: _figures(0, 0.93)}
    new = {1: new_small, 2: new_large, 3: new_all}
    # Corpora told apart by size: the small one (1 call), the large one (2) and both together (3).
    monkeypatch.setattr(train_module, "score", lambda model, gold: (old if model == "old" else new)[len(gold)])
    ok, rows = train_module.gate("old", "new", {"small": ["a"], "large": ["b", "c"]})
    assert ok is passes
    recall = new_all["diversion_recall"]
    assert (train_module.POOLED, "diversion_recall", 0.93, recall, recall >= 0.93) in rows
