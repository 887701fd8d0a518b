"""Which catalogue item a call is about: pure, and fast (it runs on every call).

Items of the triage category are looked at first (never another category's: triage's safety rules chose the
category, and an item of another category could route a police matter away from the police); the longest synonym
found in the words wins, the item's own name counting as one; with no synonym found, the category's default item
(its first). The words are normalised as triage normalises them (full-width, traditional → simplified).
"""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.catalogue.items import Catalogue, Item
from lifeline.triage.normalize import normalize

DEFAULT_SCORE = 0.3  # no word matched: the category's default item, to be checked by the call-taker


@dataclass(frozen=True)
class Suggestion:
    item: Item
    synonym: str | None  # the word that matched; None for the category's default item
    score: float  # 0.3 for a default, 0.5..1 for a match (a longer word is surer)


# Built once per catalogue object, found by identity: hashing a frozen catalogue hashes every item, on every call.
_built: dict[int, tuple[Catalogue, dict]] = {}


def _index(catalogue: Catalogue) -> dict[str, tuple[tuple[str, str, Item], ...]]:
    found = _built.get(id(catalogue))
    if found is None or found[0] is not catalogue:
        if len(_built) >= 16:
            _built.clear()
        found = _built[id(catalogue)] = (catalogue, _build(catalogue))
    return found[1]


def _build(catalogue: Catalogue) -> dict[str, tuple[tuple[str, str, Item], ...]]:
    """Per category, (normalised word, word, item), longest first, so the first found is the best."""
    out: dict[str, list[tuple[str, str, Item]]] = {}
    for position, item in enumerate(catalogue.items):
        for word in (item.name, *item.synonyms):
            key = _norm(word)
            if key:
                out.setdefault(item.category, []).append((key, word, item, position))
    return {
        category: tuple((key, word, item) for key, word, item, _ in sorted(rows, key=lambda r: (-len(r[0]), r[3])))
        for category, rows in out.items()
    }


def _norm(text: str) -> str:
    return normalize(text)[0].lower().replace(" ", "")


def suggest(text: str, category: str, catalogue: Catalogue, *, normalised: bool = False) -> Suggestion | None:
    """The item the words are about within `category`, or None when the category has no item. Pass
    `normalised=True` when `text` is already triage's clean text (saves the normalising)."""
    rows = _index(catalogue).get(category)
    if not rows:
        return None
    words = text.lower().replace(" ", "") if normalised else _norm(text)
    for key, word, item in rows:
        if key in words:
            return Suggestion(item, word, round(min(1.0, 0.5 + 0.1 * len(key)), 2))
    return Suggestion(catalogue.default_for(category), None, DEFAULT_SCORE)
