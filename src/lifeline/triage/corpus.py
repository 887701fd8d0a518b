"""Read and validate labelled corpora (JSONL), the training corpus and gold files alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lifeline.taxonomy import DISPOSITIONS, Taxonomy
from lifeline.triage.models import CHANNELS

# A small labelled sample shipped with the package, for `lifeline triage-eval` without a file. Hand-written for
# that purpose; never part of the training corpus.
SAMPLE = Path(__file__).with_name("sample.jsonl")


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    channel: str
    category: str
    disposition: str
    destinations: tuple[str, ...]
    priority: int


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-empty line; a bad line is an error naming the line."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{n}: not valid JSON: {exc.msg}") from exc
            if not isinstance(obj, dict):
                raise CorpusError(f"{path}:{n}: expected a JSON object")
            yield n, obj


def load(path: Path, taxonomy: Taxonomy) -> list[Item]:
    return [parse(obj, f"{path}:{n}", taxonomy) for n, obj in read_jsonl(path)]


def parse(obj: dict, where: str, taxonomy: Taxonomy) -> Item:
    """One labelled call from its JSON object; a bad one is an error naming `where`."""
    try:
        item = Item(
            id=str(obj["id"]),
            text=str(obj["text"]),
            channel=str(obj.get("channel", "voice")),
            category=str(obj["category"]),
            disposition=str(obj["disposition"]),
            destinations=tuple(obj.get("destinations", ())),
            priority=int(obj["priority"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"{where}: missing or bad field {exc}") from exc
    if item.category not in taxonomy.categories:
        raise CorpusError(f"{where}: unknown category {item.category!r}")
    if item.disposition not in DISPOSITIONS:
        raise CorpusError(f"{where}: unknown disposition {item.disposition!r}")
    if item.channel not in CHANNELS:
        raise CorpusError(f"{where}: unknown channel {item.channel!r}")
    if item.priority not in (1, 2, 3, 4):
        raise CorpusError(f"{where}: priority must be 1-4")
    return item
