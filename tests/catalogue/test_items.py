"""The catalogue document: checked item by item with errors that name the item and the field; its identity; diffs."""

from __future__ import annotations

import copy

import pytest

from lifeline.catalogue import excel, items
from lifeline.catalogue.match import suggest

DOC = {
    "version": 1,
    "name": "测试清单",
    "items": [
        {
            "code": "car_moving_blocked",
            "name": "车辆堵路挪车",
            "en": "A car blocks the way",
            "synonyms": ["挪车", "挡住我的车", "车出不来"],
            "category": "car_moving",
            "owner": ["12345"],
            "rule": "transfer",
            "limit": "help",
            "say": "已转 12345 挪车服务。",
            "say_en": "With 12345.",
        },
        {
            "code": "manhole_cover_missing",
            "name": "井盖缺失",
            "en": "Manhole cover missing",
            "synonyms": ["井盖", "下水道盖", "窨井"],
            "category": "municipal_facility",
            "owner": ["urban_management", "12345"],
            "rule": "transfer",
            "limit": "emergency",
            "say": "已转城管。",
            "say_en": "With urban management.",
        },
        {
            "code": "street_light_out",
            "name": "路灯不亮",
            "en": "Street light out",
            "synonyms": ["路灯", "灯不亮", "路上很黑"],
            "category": "municipal_facility",
            "owner": ["urban_management"],
            "rule": "transfer",
            "limit": "help",
            "say": "已转城管维修。",
            "say_en": "With urban management.",
        },
    ],
}


def _doc(**changes) -> dict:
    doc = copy.deepcopy(DOC)
    for field, value in changes.items():
        doc["items"][1][field] = value
    return doc


def test_the_shipped_catalogue_loads_and_every_category_it_names_is_a_triage_category():
    shipped = items.shipped()
    assert shipped.items and len(shipped.by_code) == len(shipped.items)
    assert len(shipped.sha256) == 64


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner": ["nobody"]}, "owner"),
        ({"owner": []}, "owner"),
        ({"category": "no_such"}, "category"),
        ({"rule": "maybe"}, "rule"),
        ({"limit": "someday"}, "limit"),
        ({"synonyms": ["井盖"]}, "synonyms"),
        ({"synonyms": ["井盖", "井盖", "窨井"]}, "synonyms"),
        ({"say": ""}, "say"),
        ({"code": "Bad Code"}, "code"),
        ({"owner": ["110"], "limit": "help"}, "limit"),
        ({"rule": "joint"}, "owner"),
    ],
)
def test_a_bad_item_is_an_error_naming_the_item_and_the_field(changes, field):
    with pytest.raises(items.CatalogueError) as caught:
        items.from_data(_doc(**changes))
    assert caught.value.field == field
    assert caught.value.where.startswith("items[1]")


def test_a_duplicate_code_is_refused():
    doc = _doc(code="car_moving_blocked")
    with pytest.raises(items.CatalogueError, match="duplicate code"):
        items.from_data(doc)


def test_an_owner_the_routing_knows_is_accepted_when_given():
    with pytest.raises(items.CatalogueError):
        items.from_data(_doc(owner=["street_lights_co"]))
    assert items.from_data(_doc(owner=["street_lights_co"]), owners={"street_lights_co"}).items[1].lead == (
        "street_lights_co"
    )


def test_the_identity_ignores_layout_but_not_content():
    one = items.from_data(DOC)
    reordered = items.parse(items.parse(one.canonical).canonical)
    assert reordered.sha256 == one.sha256
    assert items.from_data(_doc(say="已转城管，请绕行。")).sha256 != one.sha256


def test_the_diff_names_added_removed_and_changed_items():
    old = items.from_data(DOC)
    doc = _doc(owner=["12345"])
    doc["items"].pop(2)
    doc["items"].append({**DOC["items"][2], "code": "street_light_flicker"})
    changes = items.diff(old, items.from_data(doc))
    assert changes["added"] == ["street_light_flicker"]
    assert changes["removed"] == ["street_light_out"]
    assert changes["changed"] == {"manhole_cover_missing": ["owner"]}


def test_a_bad_yaml_file_names_its_line():
    with pytest.raises(items.CatalogueError, match=r"<catalogue>:4: yaml"):
        items.parse("version: 1\nname: x\nitems: [\n  - a: [\n")


# Excel ------------------------------------------------------------------------------------------------------


def test_the_catalogue_round_trips_through_excel_unchanged():
    for catalogue in (items.from_data(DOC), items.shipped()):
        back = excel.read(excel.export(catalogue))
        assert back == catalogue and back.sha256 == catalogue.sha256


def test_a_workbook_with_a_bad_cell_names_the_item_and_the_column():
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(excel.export(items.from_data(DOC))))
    book[excel.ITEMS_SHEET]["F3"] = "urban_management、nobody"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(items.CatalogueError) as caught:
        excel.read(out.getvalue())
    assert caught.value.field == "owner" and "manhole_cover_missing" in caught.value.where


def test_something_that_is_not_a_workbook_is_refused_clearly():
    with pytest.raises(items.CatalogueError, match="xlsx"):
        excel.read(b"PK\x03\x04 not really a zip")
    with pytest.raises(items.CatalogueError, match="xlsx"):
        excel.read("井盖".encode())


# Matching ---------------------------------------------------------------------------------------------------


def test_a_synonym_in_the_words_picks_its_item_within_the_category():
    catalogue = items.from_data(DOC)
    found = suggest("我家门口路上很黑，路灯坏了好几天", "municipal_facility", catalogue)
    assert found.item.code == "street_light_out" and found.synonym == "路上很黑" and found.score > 0.5


def test_without_a_matching_word_the_categorys_first_item_is_suggested():
    catalogue = items.from_data(DOC)
    found = suggest("路边有个坑", "municipal_facility", catalogue)
    assert found.item.code == "manhole_cover_missing" and found.synonym is None and found.score < 0.5


def test_items_of_another_category_are_never_suggested():
    catalogue = items.from_data(DOC)
    assert suggest("有人挡住我的车还打人", "fight", catalogue) is None
    assert suggest("挡住我的车", "municipal_facility", catalogue).item.code == "manhole_cover_missing"


def test_traditional_and_full_width_words_match_their_simplified_synonym():
    catalogue = items.from_data(DOC)
    assert suggest("車出不來了，快幫我", "car_moving", catalogue).synonym == "车出不来"
    assert suggest("路燈不亮　　", "municipal_facility", catalogue).item.code == "street_light_out"


# Routing by an item's owners (diversion.routing.choose) ----------------------------------------------------


def test_an_items_owners_replace_the_categorys_destinations_lead_first():
    from lifeline.diversion.routing import Table, choose

    serving = {"urban_management": "URBAN", "market_regulation": "MARKET"}
    by_category = choose("noise", "", Table(), serving, "C12345")
    assert by_category == "URBAN"  # the category's most specific destination
    assert choose("noise", "", Table(), serving, "C12345", ("market_regulation", "urban_management")) == "MARKET"
    assert choose("noise", "", Table(), serving, "C12345", ("12345", "urban_management")) == "C12345"
    assert choose("noise", "", Table(), serving, "C12345", ("110", "urban_management")) == "URBAN"  # police: no order
    assert choose("noise", "", Table(), serving, "C12345", ("110",)) == "URBAN"  # only police: the category decides
    assert choose("noise", "", Table(), serving, "C12345", ("heating",)) == "C12345"  # nobody serves it here
