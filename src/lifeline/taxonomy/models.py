"""Value types of the taxonomy: what a call can be, and who handles it."""

from __future__ import annotations

from dataclasses import dataclass, field

from lifeline.vocabulary import POLICE_SIDE, Disposition

DISPOSITIONS = tuple(d.value for d in Disposition)
PRIORITIES = (1, 2, 3, 4)
__all__ = ["DISPOSITIONS", "POLICE_SIDE", "PRIORITIES", "Category", "Label", "Taxonomy"]


@dataclass(frozen=True)
class Label:
    zh: str
    en: str


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    disposition: str
    destinations: tuple[str, ...]
    priority: int

    @property
    def police_side(self) -> bool:
        return self.disposition in POLICE_SIDE


@dataclass(frozen=True)
class Taxonomy:
    version: int
    dispositions: dict[str, Label]
    priorities: dict[int, Label]
    destinations: dict[str, Label]
    categories: dict[str, Category] = field(default_factory=dict)

    def category(self, code: str) -> Category:
        return self.categories[code]
