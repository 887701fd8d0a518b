"""The import rule of docs/ARCHITECTURE.md: edges → flows → domains → cores/store, never upward.

Every module under src/lifeline is parsed with `ast` (nothing is imported or run), given a layer by its
name, and each `lifeline` import it makes, at module level or inside a function, is checked: a module may
import its own layer or a lower one. Standard-library and third-party imports are not looked at.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "lifeline"

EDGES, FLOWS, DOMAINS, CORES = "edges", "flows", "domains", "cores"
RANK = {CORES: 0, DOMAINS: 1, FLOWS: 2, EDGES: 3}

# Edges: HTTP routes, consoles, the command line, the simulator, and the doors other platforms knock on.
EDGE_MODULES = frozenset(
    {
        "lifeline.cli",
        "lifeline.peering.receiver",
        "lifeline.open311.service",
        "lifeline.eido.service",
        "lifeline.api.context",
        "lifeline.api.problems",
        "lifeline.api.limits",
        "lifeline.province.up",  # starts a province's processes: a command, like cli
    }
)
EDGE_PACKAGES = ("lifeline.web", "lifeline.demo")
FLOW_PACKAGES = ("lifeline.desk",)
# Domains; the last five are the rooms DESIGN.md plans, so that they are placed the day they appear.
DOMAIN_PACKAGES = (
    "lifeline.incidents",
    "lifeline.dispatch",
    "lifeline.diversion",
    "lifeline.callers",
    "lifeline.auth",
    "lifeline.analytics",
    "lifeline.peering",
    "lifeline.open311",
    "lifeline.eido",
    "lifeline.missing",
    "lifeline.governance",
    "lifeline.catalogue",
    "lifeline.channels",
    "lifeline.geo",
    "lifeline.knowledge",
    "lifeline.province",
)
DOMAIN_MODULES = frozenset({"lifeline.api.models"})
# Cores and the store are one bottom layer: they may import each other. `lifeline.api` itself is a bare package.
CORE_PACKAGES = ("lifeline.triage", "lifeline.taxonomy", "lifeline.store")
CORE_MODULES = frozenset(
    {
        "lifeline",
        "lifeline.api",
        "lifeline.api.schemas",
        "lifeline.vocabulary",
        "lifeline.common",
        "lifeline.errors",
        "lifeline.settings",
    }
)


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def layer_of(name: str) -> str | None:
    """The layer of the module `name` (dotted), or None when no rule places it."""
    if name in EDGE_MODULES or _within(name, EDGE_PACKAGES) or name.endswith(".views"):
        return EDGES
    if _within(name, FLOW_PACKAGES):
        return FLOWS
    if name in CORE_MODULES or _within(name, CORE_PACKAGES):
        return CORES
    if name in DOMAIN_MODULES or _within(name, DOMAIN_PACKAGES):
        return DOMAINS
    return None


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


MODULES = {module_name(p): p for p in python_files()}


def _target(base: str, name: str) -> str:
    """`from base import name`: the submodule when `name` is one, else `base` itself."""
    candidate = f"{base}.{name}"
    return candidate if candidate in MODULES else base


def lifeline_imports(path: Path, root: Path = SRC) -> list[tuple[int, str]]:
    """(line, imported module) for every import of a lifeline module in `path`, wherever it stands."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "lifeline"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against this module's package
                up = package.split(".")
                base = ".".join(up[: len(up) - node.level + 1] + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "lifeline":
                base = node.module
            else:
                continue  # __future__, the standard library, third parties
            found += [(node.lineno, _target(base, a.name)) for a in node.names]
    return found


def test_every_module_has_a_layer():
    unplaced = sorted(name for name in MODULES if layer_of(name) is None)
    assert not unplaced, "modules no rule places in a layer (add them to tests/test_layout.py):\n" + "\n".join(unplaced)


def test_imports_never_go_upward():
    upward = []
    for name, path in MODULES.items():
        mine = layer_of(name)
        for line, imported in lifeline_imports(path):
            theirs = layer_of(imported)
            if mine is not None and theirs is not None and RANK[theirs] > RANK[mine]:
                where = f"{path.relative_to(SRC.parent)}:{line}"
                upward.append(f"{where}  {name} ({mine}) → {imported} ({theirs})")
    assert not upward, f"{len(upward)} upward import(s): edges → flows → domains → cores/store\n" + "\n".join(
        sorted(upward)
    )


def test_every_package_directory_has_an_init():
    """A directory of Python modules without __init__.py is an implicit namespace package: say it is one.
    Alembic's script folders are not packages: Alembic reads them as files."""
    folders = {p.parent for p in python_files() if "migrations" not in p.relative_to(SRC).parts}
    missing = sorted(str(d.relative_to(SRC.parent)) for d in folders if not (d / "__init__.py").is_file())
    assert not missing, "package directories without __init__.py:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("name", "layer"),
    [
        ("lifeline.cli", EDGES),
        ("lifeline.web.app", EDGES),
        ("lifeline.demo.simulator", EDGES),
        ("lifeline.desk.views", EDGES),
        ("lifeline.incidents.views", EDGES),
        ("lifeline.peering.receiver", EDGES),
        ("lifeline.open311.service", EDGES),
        ("lifeline.api.context", EDGES),
        ("lifeline.desk.flows", FLOWS),
        ("lifeline.desk", FLOWS),
        ("lifeline.incidents.service", DOMAINS),
        ("lifeline.peering.relay", DOMAINS),
        ("lifeline.open311.protocol", DOMAINS),
        ("lifeline.api.models", DOMAINS),
        ("lifeline.triage.decide", CORES),
        ("lifeline.store.events", CORES),
        ("lifeline.api.schemas", CORES),
        ("lifeline.vocabulary", CORES),
        ("lifeline.settings", CORES),
        ("lifeline", CORES),
    ],
)
def test_layers_are_assigned_as_documented(name, layer):
    assert layer_of(name) == layer


def test_the_checker_sees_every_kind_of_import(tmp_path):
    """An upward import hidden in a function, a `from pkg import module`, and a relative one are all found."""
    module = tmp_path / "lifeline" / "incidents" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from __future__ import annotations\n"
        "import json\n"
        "from lifeline.desk import flows\n"
        "def late():\n"
        "    import lifeline.web.app\n"
        "    from .. import cli\n"
    )
    got = lifeline_imports(module, root=tmp_path)
    assert [line for line, _ in got] == [3, 5, 6]
    assert [layer_of(name) for _, name in got] == [FLOWS, EDGES, EDGES]
