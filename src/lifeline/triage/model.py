"""The triage model at run time: character n-grams, TF-IDF and three linear heads, in plain NumPy.

One head scores the 37 categories; a binary head (the gate) scores police-or-joint against the
rest, because that is the one question where a wrong answer can cost a life; a second binary head
scores "priority 1" (life or safety at risk now), which a category's default cannot tell.

Training (train.py) uses scikit-learn; running needs only NumPy, so a process answers its first
call in a fraction of a second. The artifact is one .npz file with its own metadata.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

ARTIFACT = "triage-model.npz"
FORMAT = 3


def model_input(text: str, channel: str) -> str:
    # The channel as a marker that cannot occur in normalised text, so the model may learn that,
    # say, one-button alarm posts are seldom idle chat.
    return f"\x01{channel}\x01 {text.lower()}"


def char_ngrams(text: str, low: int, high: int) -> Counter:
    """The same n-grams as scikit-learn's analyzer='char' on an already normalised text."""
    grams: Counter = Counter()
    n_chars = len(text)
    for n in range(low, high + 1):
        for i in range(n_chars - n + 1):
            grams[text[i : i + n]] += 1
    return grams


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (V, C): transposed so that a row gather gives a feature's weights
    intercept: np.ndarray  # (C,)
    gate_coef: np.ndarray  # (V,): police/joint vs the rest
    gate_intercept: float
    urgent_coef: np.ndarray  # (V,): priority 1 vs the rest
    urgent_intercept: float
    ngram: tuple[int, int]
    meta: dict

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        grams = char_ngrams(text, *self.ngram)
        vocab = self.vocabulary
        idx, tf = [], []
        for gram, count in grams.items():
            j = vocab.get(gram)
            if j is not None:
                idx.append(j)
                tf.append(1.0 + math.log(count))  # sublinear tf
        if not idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        index = np.fromiter(idx, dtype=np.int64, count=len(idx))
        values = np.fromiter(tf, dtype=np.float32, count=len(tf)) * self.idf[index]
        norm = float(np.sqrt(values @ values))
        return index, values / norm if norm else values

    def predict(self, text: str) -> tuple[np.ndarray, float, float]:
        """(category probabilities in the order of `classes`, P(police/joint), P(priority 1))."""
        index, values = self.features(text)
        scores = self.intercept + values @ self.coef[index] if len(index) else self.intercept.copy()
        scores = scores - scores.max()
        exp = np.exp(scores)
        return (
            exp / exp.sum(),
            _binary(self.gate_coef, self.gate_intercept, index, values),
            _binary(self.urgent_coef, self.urgent_intercept, index, values),
        )


def _binary(coef: np.ndarray, intercept: float, index: np.ndarray, values: np.ndarray) -> float:
    score = intercept + float(values @ coef[index]) if len(index) else intercept
    return 1.0 / (1.0 + math.exp(-score))


def save(path: Path, model: Model) -> None:
    vocab = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    np.savez_compressed(
        path,
        vocabulary=np.array("\x00".join(vocab)),
        idf=model.idf.astype(np.float32),
        coef=model.coef.astype(np.float32),
        intercept=model.intercept.astype(np.float32),
        gate_coef=model.gate_coef.astype(np.float32),
        gate_intercept=np.float32(model.gate_intercept),
        urgent_coef=model.urgent_coef.astype(np.float32),
        urgent_intercept=np.float32(model.urgent_intercept),
        meta=np.array(
            json.dumps(
                {**model.meta, "classes": list(model.classes), "ngram": list(model.ngram), "format": FORMAT},
                ensure_ascii=False,
            )
        ),
    )


def load_file(path: Path | str) -> Model:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: model format {meta.get('format')} is not {FORMAT}; retrain it")
        vocab = str(data["vocabulary"]).split("\x00")
        return Model(
            classes=tuple(meta["classes"]),
            vocabulary={g: i for i, g in enumerate(vocab)},
            idf=data["idf"],
            coef=data["coef"],
            intercept=data["intercept"],
            gate_coef=data["gate_coef"],
            gate_intercept=float(data["gate_intercept"]),
            urgent_coef=data["urgent_coef"],
            urgent_intercept=float(data["urgent_intercept"]),
            ngram=tuple(meta["ngram"]),
            meta=meta,
        )


def artifact_path() -> Path:
    return Path(str(resources.files("lifeline.triage").joinpath(ARTIFACT)))


@lru_cache(maxsize=1)
def default_model() -> Model:
    path = artifact_path()
    if not path.exists():
        raise FileNotFoundError(f"triage model not found at {path}; build it with `make model` (lifeline triage-train)")
    return load_file(path)
