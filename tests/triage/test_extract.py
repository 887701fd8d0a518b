"""Extractors: examples a call-taker would write, and properties that must hold for any input."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.triage.extract import cn_to_int, extract

FILLER = st.text(alphabet="的了我在那个就是喂嗯啊说，。 ", max_size=12)
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@given(
    prefix=FILLER,
    suffix=FILLER,
    digits=st.text(alphabet=string.digits, min_size=9, max_size=9),
    second=st.sampled_from("3456789"),
    sep=st.sampled_from(["", " ", "-"]),
)
def test_any_mobile_number_is_found_and_normalised(prefix, suffix, digits, second, sep):
    number = f"1{second}{digits[0]}{sep}{digits[1:5]}{sep}{digits[5:]}"
    assert f"1{second}{digits}" in extract(f"{prefix}电话{number}{suffix}").phones


@given(
    prefix=FILLER,
    province=st.sampled_from(PROVINCES),
    letter=st.sampled_from(LETTERS),
    tail=st.text(alphabet=LETTERS + string.digits, min_size=5, max_size=5),
    dot=st.sampled_from(["", "·", " "]),
)
def test_any_plate_is_found_in_one_form(prefix, province, letter, tail, dot):
    plates = extract(f"{prefix}车牌{province}{letter}{dot}{tail}堵在门口").plates
    assert f"{province}{letter}·{tail}" in plates


@given(building=st.integers(1, 99), unit=st.integers(1, 9), room=st.integers(101, 3299))
def test_building_unit_room_are_parsed(building, unit, room):
    e = extract(f"报警人称在杭州市西湖区文三路锦绣花园{building}栋{unit}单元{room}室")
    assert e.address["building"] == f"{building}栋"
    assert e.address["unit"] == f"{unit}单元"
    assert e.address["room"] == f"{room}室"
    assert e.address["city"] == "杭州市"
    assert e.address_text.startswith("杭州市")


@given(n=st.integers(0, 9999))
def test_chinese_numerals_round_trip(n):
    digits = "零一二三四五六七八九"
    if n == 0:
        text = "零"
    else:
        parts, started, zero = [], False, False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = n // value % 10
            if d:
                if zero and started:
                    parts.append("零")
                parts.append(digits[d] + unit)
                started, zero = True, False
            elif started:
                zero = True
        text = "".join(parts)
    assert cn_to_int(text) == n


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_extract_never_raises(text):
    e = extract(text)
    assert isinstance(e.phones, list) and isinstance(e.address, dict)


def test_a_full_record():
    e = extract("报警人称今天晚上十点在成都市成华区杉板桥路12号，两个男的拿着菜刀，三人受伤，电话138 1234 5678")
    assert e.phones == ["13812345678"]
    assert e.address["district"] == "成华区" and e.address["street"] == "杉板桥路12号"
    assert "菜刀" in e.weapons
    assert e.injured == 3
    assert "晚上十点" in e.times


def test_no_one_injured_is_zero_not_unknown():
    assert extract("两车相撞，没有人受伤").injured == 0
    assert extract("两车相撞").injured is None


def test_people_count_in_chinese():
    assert extract("门口聚了二十多个人").people == 20
    assert extract("一共十二个工人").people == 12


def test_an_intersection_and_a_community_are_read_as_such():
    assert extract("两车刮了一下，在人民路和解放路路口").address == {"street": "人民路", "cross": "和解放路路口"}
    e = extract("着火了！幸福小区3栋2单元楼道里全是烟")
    assert e.address == {"community": "幸福小区", "building": "3栋", "unit": "2单元"}
