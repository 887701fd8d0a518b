"""The triage model at run time: character n-grams, TF-IDF and three linear heads, in plain NumPy.

One head scores the 37 categories; a binary head (the gate) scores police-or-joint against the
rest, because that is the one question where a wrong answer can cost a life; a second binary head
scores "priority 1" (life or safety at risk now), which a category's default cannot tell. Beside them,
the context model (context.py) reads each safety cue in its words.

Training (train.py) uses scikit-learn; running needs only NumPy, so a process answers its first
call in a fraction of a second. The artifact is one .npz file with its own metadata.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from lifeline.triage.context import ContextModel

ARTIFACT = "triage-model.npz"
FORMAT = 4


def model_input(text: str, channel: str) -> str:
    # The channel as a marker that cannot occur in normalised text, so the model may learn that,
    # say, one-button alarm posts are seldom idle chat.
    return f"\x01{channel}\x01 {text.lower()}"


_SHIFTS = tuple(np.uint64(21 * k) for k in range(3))


def _encode(gram: str) -> int:
    """An n-gram of up to three characters as one integer: code point + 1 of each, 21 bits apart."""
    return sum((ord(ch) + 1) << (21 * k) for k, ch in enumerate(gram))


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
    context: ContextModel
    meta: dict

    @cached_property
    def _codes(self) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary as sorted n-gram codes (see `_encode`) and the feature index of each."""
        codes = np.array([_encode(gram) for gram in self.vocabulary], dtype=np.uint64)
        order = np.argsort(codes)
        return codes[order], np.fromiter(self.vocabulary.values(), dtype=np.int64, count=len(codes))[order]

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF of the text's known n-grams, L2-normalised: (feature indices, values)."""
        low, high = self.ngram
        # Each character is its code point + 1 in 21 bits; an n-gram of up to three is their exact packing, so the
        # whole text is looked up at once in NumPy instead of slice by slice in a dict.
        chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) + 1
        grams, gram = [], chars
        for n in range(1, high + 1):
            if n > 1:  # the (n-1)-grams, each extended by the character after it
                gram = gram[:-1] | (chars[n - 1 :] << _SHIFTS[n - 1])
            if n >= low:
                grams.append(gram)
        codes = np.concatenate(grams)
        if not codes.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        known, index_of = self._codes
        at = np.minimum(np.searchsorted(known, codes), len(known) - 1)
        found = index_of[at[known[at] == codes]]
        if not found.size:
            return found, np.zeros(0, dtype=np.float32)
        index, counts = np.unique(found, return_counts=True)
        values = (1.0 + np.log(counts, dtype=np.float32)) * self.idf[index]  # sublinear tf
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
        context_vocabulary=np.array(
            "\x00".join(sorted(model.context.vocabulary, key=model.context.vocabulary.__getitem__))
        ),
        context_coef=model.context.coef.astype(np.float32),
        context_intercept=np.float32(model.context.intercept),
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
            context=ContextModel(
                vocabulary={f: i for i, f in enumerate(str(data["context_vocabulary"]).split("\x00")) if f},
                coef=data["context_coef"],
                intercept=float(data["context_intercept"]),
            ),
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
