"""Load and validate a taxonomy YAML file; errors name the line and the field."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from lifeline.taxonomy.models import DISPOSITIONS, PRIORITIES, Category, Label, Taxonomy

DEFAULT_FILE = "default.yaml"
ENV_VAR = "LIFELINE_TAXONOMY"


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used, with the place to fix it."""

    def __init__(self, source: str, line: int | None, field: str, message: str):
        self.source, self.line, self.field = source, line, field
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {field}: {message}")


class _Reader:
    """Walks composed YAML nodes so every error can point at a line."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, node: yaml.Node | None, field: str, message: str):
        line = node.start_mark.line + 1 if node is not None else None
        raise TaxonomyError(self.source, line, field, message)

    def mapping(self, node: yaml.Node, field: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, field, "expected a mapping (key: value)")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in out:
                self.fail(key, f"{field}.{name}", "duplicate key")
            out[name] = (key, value)
        return out

    def require(self, items, node, field: str, name: str) -> yaml.Node:
        if name not in items:
            self.fail(node, f"{field}.{name}", "missing")
        return items[name][1]

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.fail(node, field, "expected non-empty text")
        return str(node.value).strip()

    def integer(self, node: yaml.Node, field: str, allowed) -> int:
        try:
            value = int(self.text(node, field))
        except ValueError:
            self.fail(node, field, f"expected a whole number, got {node.value!r}")
        if value not in allowed:
            self.fail(node, field, f"must be one of {sorted(allowed)}, got {value}")
        return value

    def label(self, node: yaml.Node, field: str) -> Label:
        items = self.mapping(node, field)
        return Label(
            zh=self.text(self.require(items, node, field, "zh"), f"{field}.zh"),
            en=self.text(self.require(items, node, field, "en"), f"{field}.en"),
        )


def parse(text: str, source: str = "<taxonomy>") -> Taxonomy:
    r = _Reader(source)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise TaxonomyError(source, mark.line + 1 if mark else None, "yaml", str(exc)) from exc
    if root is None:
        raise TaxonomyError(source, None, "file", "empty file")
    top = r.mapping(root, "taxonomy")
    version = r.integer(r.require(top, root, "taxonomy", "version"), "version", range(1, 1000))

    disp_node = r.require(top, root, "taxonomy", "dispositions")
    dispositions = {k: r.label(v, f"dispositions.{k}") for k, (_, v) in r.mapping(disp_node, "dispositions").items()}
    if set(dispositions) != set(DISPOSITIONS):
        r.fail(disp_node, "dispositions", f"must be exactly {', '.join(DISPOSITIONS)}")

    prio_node = r.require(top, root, "taxonomy", "priorities")
    priorities = {}
    for k, (key, v) in r.mapping(prio_node, "priorities").items():
        priorities[r.integer(key, f"priorities.{k}", PRIORITIES)] = r.label(v, f"priorities.{k}")
    if set(priorities) != set(PRIORITIES):
        r.fail(prio_node, "priorities", "must define priorities 1, 2, 3 and 4")

    dest_node = r.require(top, root, "taxonomy", "destinations")
    destinations = {k: r.label(v, f"destinations.{k}") for k, (_, v) in r.mapping(dest_node, "destinations").items()}

    cat_node = r.require(top, root, "taxonomy", "categories")
    if not isinstance(cat_node, yaml.SequenceNode) or not cat_node.value:
        r.fail(cat_node, "categories", "expected a non-empty list")
    categories: dict[str, Category] = {}
    for i, node in enumerate(cat_node.value):
        field = f"categories[{i}]"
        items = r.mapping(node, field)
        code = r.text(r.require(items, node, field, "code"), f"{field}.code")
        field = f"categories[{i}] ({code})"
        if code in categories:
            r.fail(items["code"][1], f"{field}.code", "duplicate category code")
        disp_value = r.require(items, node, field, "disposition")
        disposition = r.text(disp_value, f"{field}.disposition")
        if disposition not in DISPOSITIONS:
            r.fail(disp_value, f"{field}.disposition", f"must be one of {', '.join(DISPOSITIONS)}")
        dest_value = r.require(items, node, field, "destinations")
        if not isinstance(dest_value, yaml.SequenceNode):
            r.fail(dest_value, f"{field}.destinations", "expected a list")
        dests = []
        for d in dest_value.value:
            name = r.text(d, f"{field}.destinations")
            if name not in destinations:
                r.fail(d, f"{field}.destinations", f"unknown destination {name!r}")
            dests.append(name)
        if disposition != "invalid" and not dests:
            r.fail(dest_value, f"{field}.destinations", "only invalid categories may have no destination")
        categories[code] = Category(
            code=code,
            zh=r.text(r.require(items, node, field, "zh"), f"{field}.zh"),
            en=r.text(r.require(items, node, field, "en"), f"{field}.en"),
            disposition=disposition,
            destinations=tuple(dests),
            priority=r.integer(r.require(items, node, field, "priority"), f"{field}.priority", PRIORITIES),
        )
    return Taxonomy(version, dispositions, priorities, destinations, categories)


def load(path: str | os.PathLike | None = None) -> Taxonomy:
    """Load a taxonomy file; without a path, $LIFELINE_TAXONOMY or the packaged default."""
    path = path or os.environ.get(ENV_VAR)
    if path:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TaxonomyError(str(p), None, "file", f"cannot read: {exc}") from exc
        return parse(text, str(p))
    return default()


@lru_cache(maxsize=1)
def default() -> Taxonomy:
    text = resources.files("lifeline.taxonomy").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return parse(text, DEFAULT_FILE)
