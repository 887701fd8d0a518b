from pathlib import Path

import pytest

from lifeline import taxonomy
from lifeline.taxonomy.loader import DEFAULT_FILE

LABELS = Path(__file__).resolve().parents[2] / "data" / "triage" / "labels.json"
DEFAULT = Path(taxonomy.__file__).parent / DEFAULT_FILE


def test_default_has_the_37_categories_of_labels_json():
    import json

    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    tax = taxonomy.default()
    assert len(tax.categories) == 37
    for c in labels["categories"]:
        mine = tax.category(c["code"])
        assert (mine.zh, mine.disposition, list(mine.destinations), mine.priority) == (
            c["zh"],
            c["disposition"],
            c["destinations"],
            c["priority"],
        )
        assert mine.en
    assert set(tax.destinations) == set(labels["destinations"])


def test_a_deployment_can_load_its_own_file(tmp_path, monkeypatch):
    own = tmp_path / "city.yaml"
    own.write_text(DEFAULT.read_text(encoding="utf-8").replace('zh: "挪车"', 'zh: "挪车服务"'), encoding="utf-8")
    assert taxonomy.load(own).category("car_moving").zh == "挪车服务"
    monkeypatch.setenv("LIFELINE_TAXONOMY", str(own))
    assert taxonomy.load().category("car_moving").zh == "挪车服务"


@pytest.mark.parametrize(
    ("old", "new", "line_text", "field"),
    [
        ("priority: 4\n", "priority: nine\n", "priority: nine", "priority"),
        ("disposition: divert", "disposition: maybe", "disposition: maybe", "disposition"),
        ('destinations: ["12345"]', 'destinations: ["12345", "pizza"]', '"pizza"', "destinations"),
        ("  - code: fire\n", "  - code: fire\n    code: fire\n", "code: fire", "code"),
    ],
)
def test_a_bad_file_names_the_line_and_the_field(tmp_path, old, new, line_text, field):
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(taxonomy.TaxonomyError) as info:
        taxonomy.load(path)
    err = info.value
    assert field in err.field
    assert line_text in bad.splitlines()[err.line - 1]
    assert str(path) in str(err)


def test_missing_field_and_broken_yaml(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    missing.write_text(text.replace("    priority: 3\n", "", 1), encoding="utf-8")
    with pytest.raises(taxonomy.TaxonomyError, match=r"priority: missing"):
        taxonomy.load(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ncategories: [\n", encoding="utf-8")
    with pytest.raises(taxonomy.TaxonomyError, match=r"broken.yaml:\d+: yaml"):
        taxonomy.load(broken)
    with pytest.raises(taxonomy.TaxonomyError, match="cannot read"):
        taxonomy.load(tmp_path / "nope.yaml")
