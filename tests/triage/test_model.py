"""The run-time model reproduces scikit-learn exactly, training is deterministic, the artifact is current."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from lifeline.triage import model as model_module
from lifeline.triage import train as train_module
from lifeline.triage.model import model_input

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "triage" / "train.jsonl"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """Every tenth item of the training corpus: small enough to train in seconds."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[::10]
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, [json.loads(line) for line in lines]


def test_numpy_inference_equals_scikit_learn(small_corpus):
    _, rows = small_corpus
    texts = [model_input(r["text"], r["channel"]) for r in rows]
    labels = [r["category"] for r in rows]
    police = [r["disposition"] in ("police", "joint") for r in rows]
    urgent = [r["priority"] == 1 for r in rows]
    vec, clf, gate, urgent_head = train_module.fit(texts, labels, police, urgent)
    model = train_module.to_model(vec, clf, gate, urgent_head, {})
    probe = [*texts[:20], model_input("完全没见过的句子 zzz", "voice"), model_input("", "sms")]
    x = vec.transform(probe)
    expected = clf.predict_proba(x)
    expected_gate = gate.predict_proba(x)[:, list(gate.classes_).index(True)]
    expected_urgent = urgent_head.predict_proba(x)[:, list(urgent_head.classes_).index(True)]
    for text, exp, exp_gate, exp_urgent in zip(probe, expected, expected_gate, expected_urgent, strict=True):
        probs, p_police, p_urgent = model.predict(text)
        np.testing.assert_allclose(probs, exp, atol=1e-4)
        assert p_police == pytest.approx(exp_gate, abs=1e-4)
        assert p_urgent == pytest.approx(exp_urgent, abs=1e-4)


def test_training_is_deterministic_and_round_trips(small_corpus, tmp_path):
    path, _ = small_corpus
    a = train_module.train(path, tmp_path / "a.npz", progress=lambda *_: None)
    b = train_module.train(path, tmp_path / "b.npz", progress=lambda *_: None)
    assert a.meta["weights_sha256"] == b.meta["weights_sha256"]
    loaded = model_module.load_file(tmp_path / "a.npz")
    assert loaded.meta["weights_sha256"] == a.meta["weights_sha256"]
    assert loaded.classes == a.classes
    np.testing.assert_array_equal(loaded.coef, a.coef)


def test_packaged_model_was_built_from_the_committed_corpus():
    model = model_module.default_model()
    assert model.meta["corpus_sha256"] == hashlib.sha256(CORPUS.read_bytes()).hexdigest(), (
        "data/triage/train.jsonl changed: rebuild the model with `make model`"
    )
    assert len(model.classes) == 37
    assert 0.0 < model.meta["doubt"] < 1.0


def test_a_model_of_another_format_is_refused(tmp_path):
    bad = tmp_path / "old.npz"
    np.savez(bad, meta=np.array(json.dumps({"format": 0})))
    with pytest.raises(ValueError, match="retrain"):
        model_module.load_file(bad)
