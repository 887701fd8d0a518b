"""Entities a call-taker needs at a glance: numbers, plates, address, times, weapons, people."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMBER = r"[零〇一二两三四五六七八九十百千]+"
NUMBER = rf"(?:\d+|{CN_NUMBER})"


def cn_to_int(text: str) -> int | None:
    """'十二' -> 12, '两百零五' -> 205, '305' -> 305; None when it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if all(ch in _CN_DIGITS for ch in text) and len(text) > 1:  # 一零一 -> 101 (room numbers)
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


_PHONE = re.compile(r"(?<!\d)(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)")
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]\s?[A-HJ-NP-Z]\s?[·・.\-\s]?\s?"
    r"[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警]",
    re.IGNORECASE,
)

# Characters of a place name; function words such as 在/我/的/称 end a name, so that
# "报警人称在成都市" yields 成都市.
_STOP_CHARS = "在我你他她的了是称说到从就那这个跟着被把给让往于要想去呢吗吧啊呀哦嗯喂也还又很太有"
_PLACE = rf"(?:(?![{_STOP_CHARS}])[\u4e00-\u9fa5A-Za-z0-9])"
_ADDRESS_PARTS = [
    ("province", rf"(?:{_PLACE}{{1,7}}?(?:省|自治区)|北京市?|上海市?|天津市?|重庆市?)"),
    ("city", rf"{_PLACE}{{1,6}}?(?:市|自治州|地区|盟)"),
    ("district", rf"{_PLACE}{{1,6}}?(?:(?<![小园校社])区|县|旗)"),
    ("town", rf"{_PLACE}{{1,6}}?(?:镇|乡|街道)"),
    # 道 ends a street name, but not 楼道/车道/通道 and the like.
    ("street", rf"{_PLACE}{{1,10}}?(?:大道|路|街|巷|胡同|弄|(?<![楼车通走隧管跑渠水频知])道)(?:{NUMBER}号)?"),
    # The second road of an intersection: 人民路和解放路(路口)
    ("cross", rf"(?:和|与|跟|交){_PLACE}{{1,8}}?(?:大道|路|街)(?:路口|交叉口|口)?"),
    (
        "community",
        rf"{_PLACE}{{1,10}}?(?:小区|花园|家园|公寓|大厦|新村|新城|广场|苑|园|村|社区|城|府|庭|湾|中心|医院|学校|中学|小学|大学|市场|商场|公园|站)",
    ),
    ("building", rf"{NUMBER}(?:号楼|栋|幢|座|号院)"),
    ("unit", rf"{NUMBER}单元"),
    ("floor", rf"{NUMBER}(?:楼|层)"),
    ("room", rf"{NUMBER}(?:室|号房|户)"),
]
_ADDRESS = re.compile("".join(rf"(?P<{name}>{pat})?" for name, pat in _ADDRESS_PARTS))
# A community or a street alone is a weak address; we want at least two parts or a strong one.
_STRONG = {"street", "community", "building", "room"}

_TIME = re.compile(
    r"(?:刚才|刚刚|现在|正在|今天|今早|今晚|昨天|昨晚|前天|明天|上午|下午|晚上|半夜|凌晨|中午|早上|傍晚)"
    rf"(?:{NUMBER}点(?:半|{NUMBER}分?)?)?"
    rf"|{NUMBER}点(?:半|{NUMBER}分)?"
    rf"|{NUMBER}(?:分钟|个?小时|天|周|个月|年)(?:前|了|之前|以前)"
    r"|半(?:个)?小时(?:前|了)"
    r"|\d{1,2}:\d{2}"
    r"|上个月|上周|去年|前几天"
)

_WEAPON = re.compile(
    r"菜刀|砍刀|水果刀|匕首|尖刀|西瓜刀|弹簧刀|刀子|(?<![水玩具气])枪(?!战)|斧头|斧子|铁棍|钢管|木棍|棍子|"
    r"棒球棍|球棒|铁锤|锤子|榔头|扳手|砖头|酒瓶|硫酸|汽油|炸药|炸弹|雷管|(?<=[持拿拎举掏挥])(?:着|了)?(?:把)?刀"
)
_PEOPLE = re.compile(
    rf"({NUMBER}|几十|好几|十几|几)\s?(?:多|来|余)?(?:个|名|位|口)?(?:人|男子|女子|男的|女的|小孩|孩子|学生|工人|老人|青年|人员)"
)
_INJURED = re.compile(rf"({NUMBER}|一)\s?(?:个|名|位)?(?:人)?(?:受伤|伤者|伤员|重伤|轻伤|倒地|流血|死亡)")
_INJURED_SOME = re.compile(r"有人(?:受伤|流血|倒地|伤)|(?:伤者|伤员|受伤|头破血流|满身是血|流了好多血)")
_INJURED_NONE = re.compile(r"(?:没有|没|无|未)(?:人员?)?(?:受伤|伤亡|人受伤)")


@dataclass
class Entities:
    phones: list[str] = field(default_factory=list)
    plates: list[str] = field(default_factory=list)
    address: dict[str, str] = field(default_factory=dict)
    address_text: str = ""
    times: list[str] = field(default_factory=list)
    weapons: list[str] = field(default_factory=list)
    people: int | None = None
    injured: int | None = None


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


# Every part of an address ends in one of these; no address starts farther than _REACH characters before one.
_ENDINGS = re.compile(
    r"省|自治区|北京|上海|天津|重庆|市|自治州|地区|盟|区|县|旗|镇|乡|街道|大道|路|街|巷|胡同|弄|道|小区|花园|家园|公寓|大厦|"
    r"新村|新城|广场|苑|园|村|社区|城|府|庭|湾|中心|医院|学校|中学|小学|大学|市场|商场|公园|站|号楼|栋|幢|座|号院|单元|楼|层|室|号房|户"
)
_REACH = 16


def extract_address(text: str) -> tuple[dict[str, str], str]:
    """The longest address-like span: province … room, with its parts."""
    best: tuple[int, dict[str, str], str] = (0, {}, "")
    # Try the address pattern only where a part's ending lies ahead: the long narrative stretches of a call are
    # skipped without running the pattern at each of their characters.
    endings = [m.end() for m in _ENDINGS.finditer(text)]
    if not endings:
        return best[1], best[2]
    pos, k = 0, 0
    while pos < len(text):
        while k < len(endings) and endings[k] <= pos:
            k += 1
        if k == len(endings):
            break
        if endings[k] - pos > _REACH:
            pos = endings[k] - _REACH
            continue
        m = _ADDRESS.match(text, pos)
        if m and m.end() > pos:
            parts = {k: v for k, v in m.groupdict().items() if v}
            score = len(parts) * 100 + (m.end() - pos)
            strong = len(parts) >= 2 or bool(_STRONG & parts.keys())
            if strong and score > best[0]:
                best = (score, parts, m.group(0))
            pos = m.end()
        else:
            pos += 1
    return best[1], best[2]


def extract(text: str) -> Entities:
    """Extract entities from normalised text; pure, never raises."""
    e = Entities()
    e.phones = _unique(re.sub(r"[\s-]", "", m) for m in _PHONE.findall(text))
    plates = (re.sub(r"[·・.\-\s]", "", m.group(0)).upper() for m in _PLATE.finditer(text))
    e.plates = _unique(f"{p[:2]}·{p[2:]}" for p in plates)
    e.address, e.address_text = extract_address(text)
    e.times = _unique(m.group(0) for m in _TIME.finditer(text))
    e.weapons = _unique(m.group(0) for m in _WEAPON.finditer(text))
    counts = [cn_to_int(m.group(1)) for m in _PEOPLE.finditer(text)]
    counts = [c for c in counts if c is not None and 0 < c < 100000]
    if counts:
        e.people = max(counts)
    elif re.search(r"几十|一大群|一群|好多人|很多人", text):
        e.people = 10
    if _INJURED_NONE.search(text):
        e.injured = 0
    injured = [cn_to_int(m.group(1)) for m in _INJURED.finditer(text)]
    injured = [c for c in injured if c]
    if injured:
        e.injured = max(injured)
    elif e.injured is None and _INJURED_SOME.search(text):
        e.injured = 1
    return e
