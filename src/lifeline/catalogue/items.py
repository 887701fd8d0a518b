"""The catalogue's items: load and check a document, its canonical form and identity, and the diff of two.

Pure: no database. A document is the YAML (or JSON) of docs/catalogue-schema: `version` is the format (1), `name`
the catalogue's title, `items` the matters. A version's identity is the sha256 of its canonical JSON, so two
deployments that hold the same items hold the same sha256 whatever the file's layout.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from importlib import resources

import yaml

from lifeline import taxonomy

FORMAT = 1
DEFAULT_FILE = "default.yaml"
# libyaml's loader when PyYAML was built with it (nine times faster on the shipped file), else the pure one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SYNONYMS = (3, 10)  # how many words callers use, per item
# The linkage rule and the 12345 time-limit class, each with its Chinese and English label.
RULES = {
    "transfer": ("一键转办", "one-click transfer"),
    "joint": ("联动", "joint response"),
    "consult": ("先会商", "consult first"),
}
LIMITS = {
    "emergency": ("紧急（当日）", "emergency (same day)"),
    "help": ("求助（3 个工作日）", "help (3 working days)"),
    "enquiry": ("咨询（即时答复）", "enquiry (answered at once)"),
    "complaint": ("投诉/举报（13 个工作日）", "complaint (13 working days)"),
    "police": ("110 处置", "handled by 110"),
}
POLICE = "110"
TEXT_LIMITS = {"name": 60, "en": 200, "say": 500, "say_en": 500}


class CatalogueError(ValueError):
    """A catalogue that cannot be used, naming the item and the field to fix."""

    def __init__(self, where: str, field_name: str, message: str):
        self.where, self.field = where, field_name
        super().__init__(f"{where}: {field_name}: {message}")


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    en: str
    synonyms: tuple[str, ...]
    category: str
    owner: tuple[str, ...]  # destination codes, the lead first
    rule: str
    limit: str
    say: str
    say_en: str

    @property
    def lead(self) -> str:
        return self.owner[0]

    def to_data(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**data, "synonyms": list(self.synonyms), "owner": list(self.owner)}


@dataclass(frozen=True)
class Catalogue:
    name: str
    items: tuple[Item, ...] = field(default_factory=tuple)

    @cached_property
    def by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    @cached_property
    def by_category(self) -> dict[str, tuple[Item, ...]]:
        out: dict[str, list[Item]] = {}
        for item in self.items:
            out.setdefault(item.category, []).append(item)
        return {k: tuple(v) for k, v in out.items()}

    def get(self, code: str | None) -> Item | None:
        return self.by_code.get(code) if code else None

    def default_for(self, category: str) -> Item | None:
        """The category's default item: its first."""
        found = self.by_category.get(category)
        return found[0] if found else None

    def to_data(self) -> dict:
        return {"version": FORMAT, "name": self.name, "items": [item.to_data() for item in self.items]}

    @cached_property
    def canonical(self) -> str:
        """The one JSON text of this catalogue: sorted keys, no spaces, UTF-8 as is."""
        return json.dumps(self.to_data(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.canonical.encode("utf-8")).hexdigest()


def known_owners() -> frozenset[str]:
    """The destination codes of the taxonomy: owners every deployment knows."""
    return frozenset(taxonomy.default().destinations)


def _text(value, where: str, name: str, limit: int) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise CatalogueError(where, name, "应为非空文字 / expected non-empty text")
    text = str(value).strip()
    if len(text) > limit:
        raise CatalogueError(where, name, f"过长（最多 {limit} 字）/ too long (at most {limit} characters)")
    if any(ord(ch) < 32 for ch in text):
        raise CatalogueError(where, name, "含控制字符 / contains control characters")
    return text


def _words(value, where: str, name: str) -> list[str]:
    if isinstance(value, str):  # a cell of the Excel sheet, or a hand-written line: 、 or , between words
        value = [w for w in re.split(r"[、,，;；]", value)]
    if not isinstance(value, list | tuple):
        raise CatalogueError(where, name, "应为列表 / expected a list")
    return [_text(v, where, name, 60) for v in value if str(v).strip()]


def item_from(data, index: int, owners: frozenset[str] | None) -> Item:
    """One item of a document, checked; errors name the item (its number and code) and the field."""
    where = f"items[{index}]"
    if not isinstance(data, dict):
        raise CatalogueError(where, "item", "应为映射 / expected a mapping (code: …, name: …)")
    code = data.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise CatalogueError(where, "code", f"应为小写英文蛇形编码 / expected ascii lower snake_case, got {code!r}")
    where = f"items[{index}] ({code})"
    missing = [n for n in ("name", "en", "synonyms", "category", "owner", "rule", "limit", "say", "say_en")
               if n not in data]  # fmt: skip
    if missing:
        raise CatalogueError(where, missing[0], "缺少 / missing")
    texts = {n: _text(data[n], where, n, limit) for n, limit in TEXT_LIMITS.items()}
    synonyms = _words(data["synonyms"], where, "synonyms")
    if not SYNONYMS[0] <= len(synonyms) <= SYNONYMS[1]:
        raise CatalogueError(
            where, "synonyms", f"需 {SYNONYMS[0]}–{SYNONYMS[1]} 个 / needs 3 to 10, got {len(synonyms)}"
        )
    if len(set(synonyms)) != len(synonyms):
        raise CatalogueError(where, "synonyms", "有重复 / a word repeats")
    category = _text(data["category"], where, "category", 32)
    if category not in taxonomy.default().categories:
        raise CatalogueError(where, "category", f"未知研判类别 / unknown triage category {category!r}")
    owner = _words(data["owner"], where, "owner")
    if not owner:
        raise CatalogueError(where, "owner", "至少一个承办方 / at least one owner")
    unknown = [o for o in owner if owners is not None and o not in owners]
    if unknown:
        raise CatalogueError(where, "owner", f"未知承办方 / unknown owner {unknown[0]!r}")
    if len(set(owner)) != len(owner):
        raise CatalogueError(where, "owner", "有重复 / an owner repeats")
    rule = _text(data["rule"], where, "rule", 16)
    if rule not in RULES:
        raise CatalogueError(where, "rule", f"应为 / must be one of {', '.join(RULES)}, got {rule!r}")
    limit = _text(data["limit"], where, "limit", 16)
    if limit not in LIMITS:
        raise CatalogueError(where, "limit", f"应为 / must be one of {', '.join(LIMITS)}, got {limit!r}")
    # A 110 item is handled by the police (limit police): transferred, joint, or, where the boundary is unclear
    # (a drunk person lying in the street), consulted first with its usual owner, the police, leading.
    if owner[0] == POLICE and limit != "police":
        raise CatalogueError(where, "limit", "110 承办的事项时限须为 police / a 110 item has limit police")
    if rule == "joint" and POLICE not in owner:
        raise CatalogueError(where, "owner", "联动事项须含 110 / a joint item lists police (110) too")
    return Item(code=code, synonyms=tuple(synonyms), category=category, owner=tuple(owner), rule=rule, limit=limit,
                **texts)  # fmt: skip


def from_data(data, source: str = "<catalogue>", owners=None, *, stored: bool = False) -> Catalogue:
    """A catalogue from a parsed document (YAML or JSON), checked. `owners` adds owner codes the routing knows
    (the organisations' `serves`) to the taxonomy's destinations; a `stored` version had its owners checked when
    it was proposed, and is not refused later because an organisation left."""
    allowed = None if stored else known_owners() | frozenset(owners or ())
    if not isinstance(data, dict):
        raise CatalogueError(source, "document", "应为映射 / expected a mapping with version, name and items")
    if data.get("version") != FORMAT:
        raise CatalogueError(source, "version", f"格式版本应为 {FORMAT} / format version must be {FORMAT}")
    name = _text(data.get("name"), source, "name", 200)
    raw = data.get("items")
    if not isinstance(raw, list) or not raw:
        raise CatalogueError(source, "items", "应为非空列表 / expected a non-empty list")
    items, seen = [], set()
    for index, entry in enumerate(raw):
        item = item_from(entry, index, allowed)
        if item.code in seen:
            raise CatalogueError(f"items[{index}] ({item.code})", "code", "编码重复 / duplicate code")
        seen.add(item.code)
        items.append(item)
    return Catalogue(name=name, items=tuple(items))


def parse(text: str, source: str = "<catalogue>", owners=None) -> Catalogue:
    """A catalogue from YAML (JSON is YAML too)."""
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise CatalogueError(where, "yaml", str(exc).replace("\n", " ")) from exc
    return from_data(data, source, owners)


@lru_cache(maxsize=1)
def shipped() -> Catalogue:
    """The catalogue this release ships (version 1 of a new database)."""
    text = resources.files("lifeline.catalogue").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return parse(text, DEFAULT_FILE)


def diff(old: Catalogue, new: Catalogue) -> dict:
    """What a proposal changes: items added, removed, and for each changed item the fields that differ."""
    changed = {}
    for code, item in new.by_code.items():
        before = old.by_code.get(code)
        if before is not None and before != item:
            changed[code] = [f.name for f in fields(Item) if getattr(before, f.name) != getattr(item, f.name)]
    return {
        "added": [c for c in new.by_code if c not in old.by_code],
        "removed": [c for c in old.by_code if c not in new.by_code],
        "changed": changed,
        "renamed": old.name != new.name,
    }
