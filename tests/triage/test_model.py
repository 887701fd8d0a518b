"""The run-time model reproduces scikit-learn exactly, training is deterministic, the artifact is current."""

import json
from pathlib import Path

import numpy as np
import pytest

from lifeline import taxonomy
from lifeline.triage import context, corpus
from lifeline.triage import model as model_module
from lifeline.triage import train as train_module
from lifeline.triage.context import ContextModel
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
    model = train_module.to_model(vec, clf, gate, urgent_head, ContextModel({}, np.zeros(0, np.float32), 0.0), {})
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


def test_the_context_model_at_run_time_equals_scikit_learn(small_corpus):
    from sklearn.linear_model import LogisticRegression

    path, _ = small_corpus
    items = corpus.load(path, taxonomy.default())
    read = train_module.read_cues(items)
    samples, labels, probes = [], [], []
    for item, (clean, cues) in zip(items, read, strict=True):
        for cue in cues:
            label = context.literal_label(cue, item.category, item.disposition, item.destinations)
            probes.append((clean, cue))
            if label is not None:
                samples.append(context.features(clean, cue))
                labels.append(label)
    assert len(set(labels)) == 2, "the small corpus has literal and non-literal cues"
    reader = context.fit(samples, labels, c=train_module.CONTEXT_C)
    head = LogisticRegression(C=train_module.CONTEXT_C, class_weight="balanced", max_iter=3000, tol=1e-6).fit(
        context.design(samples, reader.vocabulary), labels
    )
    x = context.design([context.features(clean, cue) for clean, cue in probes], reader.vocabulary)
    expected = head.predict_proba(x)[:, list(head.classes_).index(True)]
    for (clean, cue), exp in zip(probes, expected, strict=True):
        assert reader.literal(clean, cue) == pytest.approx(exp, abs=1e-4)


def test_training_is_deterministic_and_round_trips(small_corpus, tmp_path):
    path, _ = small_corpus
    items = corpus.load(path, taxonomy.default())
    a = train_module.train(items, progress=lambda *_: None)
    b = train_module.train(items, progress=lambda *_: None)
    assert a.meta["weights_sha256"] == b.meta["weights_sha256"]
    model_module.save(tmp_path / "a.npz", a)
    loaded = model_module.load_file(tmp_path / "a.npz")
    assert loaded.meta["weights_sha256"] == a.meta["weights_sha256"]
    assert loaded.classes == a.classes
    np.testing.assert_array_equal(loaded.coef, a.coef)
    assert loaded.context.vocabulary == a.context.vocabulary
    np.testing.assert_array_equal(loaded.context.coef, a.context.coef)


def test_packaged_model_was_built_from_the_committed_corpus():
    model = model_module.default_model()
    items = corpus.load(CORPUS, taxonomy.default())
    assert model.meta["corpus_sha256"] == train_module.corpus_digest(items), (
        "data/triage/train.jsonl changed: rebuild the model with `make model`"
    )
    assert model.meta["version"] == f"triage-{model.meta['corpus_sha256'][:12]}"
    assert len(model.classes) == 37
    assert 0.0 < model.meta["doubt"] < 1.0


def test_a_model_of_another_format_is_refused(tmp_path):
    bad = tmp_path / "old.npz"
    np.savez(bad, meta=np.array(json.dumps({"format": 0})))
    with pytest.raises(ValueError, match="retrain"):
        model_module.load_file(bad)
