"""The README stands on its own: what it names is in the repository, and every setting is in it."""

import re
from pathlib import Path

from lifeline.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_names_nothing_outside_the_repository():
    assert not re.search(r"\.\./|\bshared/", README)


def test_every_path_the_readme_names_is_in_the_repository():
    paths = set(re.findall(r"`((?:src|data|tests|bench|docs)/[^`\s]*)`", README))
    assert "data/triage/labels.json" in paths and "src/lifeline/triage/sample.jsonl" in paths
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, missing


def test_every_setting_is_in_the_readme():
    missing = [Settings.env_name(name) for name in Settings.model_fields if Settings.env_name(name) not in README]
    assert not missing, missing


def test_the_demo_options_are_in_the_readme():
    assert "lifeline demo --port" in README and "--db" in README
